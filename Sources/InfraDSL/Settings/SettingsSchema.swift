/// The declared context keys of one stack definition, in the order `infra context` lists them.
public struct SettingsSchema: Sendable {
    /// The stack definition's name (the config's `app`), for messages.
    public let stack: String
    public let settings: [AnySetting]

    public init(_ stack: String, _ settings: [AnySetting]) {
        self.stack = stack
        self.settings = settings
    }

    public var keys: [String] { settings.map(\.key) }

    public func setting(_ key: String) -> AnySetting? { settings.first { $0.key == key } }

    /// Every problem of a config's context that the declarations alone show: unknown keys (with
    /// the nearest known key when one is close), values of the wrong type, values their check
    /// refuses. Cross-field rules are the stack's (`SettingsReader.fail`).
    public func problems(_ config: StackConfig) -> [ConfigError] {
        var out: [ConfigError] = []
        for key in config.context.keys.sorted() where setting(key) == nil {
            var message = "unknown key for the \(stack) stack"
            if let near = Suggestion.nearest(key, in: keys) { message += " (did you mean \(near)?)" }
            message += " (known keys: \(keys.joined(separator: ", ")))"
            out.append(config.error("context.\(key)", message))
        }
        for s in settings {
            guard let value = config.context[s.key], value != .null || s.typeName.hasSuffix("?") else { continue }
            if let p = s.problem(value) { out.append(config.error("context.\(s.key)", p)) }
        }
        return out
    }
}

/// Reads a typed `Settings` value from a config, collecting every problem instead of stopping at
/// the first: `let r = SettingsReader(config, schema)`, `r[Self.port]` for each field (the
/// default when absent, null or invalid), `r.fail(key, message)` for cross-field rules, then
/// `try r.finish()`.
public final class SettingsReader {
    public let config: StackConfig
    public let schema: SettingsSchema
    public private(set) var errors: [ConfigError]

    public init(_ config: StackConfig, _ schema: SettingsSchema) {
        self.config = config
        self.schema = schema
        self.errors = schema.problems(config)
    }

    /// The setting's value: the file's or override's when valid, else its default (a problem
    /// with it is already recorded). Null is "not set" for an optional setting and "default" for
    /// any other.
    public subscript<T>(_ s: Setting<T>) -> T {
        guard let raw = config.context[s.key] else { return s.defaultValue }
        guard let v = T.decode(raw) else { return s.defaultValue }
        return s.check(v) == nil ? v : s.defaultValue
    }

    /// True when the file or an override sets the key (to anything but null).
    public func isSet(_ key: String) -> Bool {
        guard let v = config.context[key] else { return false }
        return v != .null
    }

    /// Records a cross-field problem of context key `key`.
    public func fail(_ key: String, _ message: String) {
        let e = config.error("context.\(key)", message)
        if !errors.contains(e) { errors.append(e) }
    }

    /// Records `(key, message)` pairs, as `problems()` functions return them.
    public func fail(_ problems: [(key: String, message: String)]) {
        for p in problems { fail(p.key, p.message) }
    }

    /// Throws all recorded problems as one error (the first, with the others in `also`).
    public func finish() throws {
        if let e = ConfigError.collecting(errors) { throw e }
    }
}

extension SettingsSchema {
    /// The keys as a Markdown table (key, type, default, doc): the README's settings tables.
    public func markdownTable() -> String {
        var lines = ["| key | type | default | what it sets |", "| --- | --- | --- | --- |"]
        for s in settings {
            let doc = s.doc.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| `\(s.key)` | \(s.typeName) | `\(s.defaultText)` | \(doc) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows of `infra context`: key, type, default, the config's value (with `(example)` for an
    /// example value, `-` when not set), doc line.
    public func rows(_ config: StackConfig) -> [[String]] {
        settings.map { s in
            var current = "-"
            if let v = config.context[s.key] {
                current = s.display(v) + (config.exampleKeys.contains(s.key) ? " (example)" : "")
                    + (config.overridden.contains(s.key) ? " (-c)" : "")
            }
            return [s.key, s.typeName, s.defaultText, current, s.doc]
        }
    }
}
