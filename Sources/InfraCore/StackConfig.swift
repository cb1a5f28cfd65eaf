import Foundation

/// The settings of one stack, from a cdk.json-style file `config/<name>.json`:
///
/// ```json
/// {
///   "app": "labeling-tool",          // which stack definition builds it (required)
///   "stackName": "doccano",          // default: the file name
///   "account": "123456789012",       // optional
///   "region": "eu-west-1",           // optional
///   "description": "...",            // optional
///   "tags": {"project": "labeling"}, // optional
///   "terminationProtection": false,  // optional
///   "context": { "DB_NAME": "doccano", ... }
/// }
/// ```
/// `-c KEY=VALUE` on the command line overrides `context` keys.
public struct StackConfig {
    public static let topLevelKeys = ["app", "stackName", "account", "region", "description", "tags", "terminationProtection", "context"]

    /// The file it was read from (for messages).
    public let file: String
    public let app: String
    public let stackName: String
    public let account: String?
    public let region: String?
    public let description: String?
    public let tags: [String: String]
    public let terminationProtection: Bool
    /// Context values, with command-line overrides applied. A value written in the file as
    /// `{"$example": value}` is stored as `value` and its key listed in `exampleKeys`.
    public var context: [String: Value]
    /// Context keys whose value in the file is an example (`{"$example": value}`), sorted: synth
    /// uses the example, deploy refuses until the key is set (a `-c KEY=VALUE` override sets it).
    public var exampleKeys: [String]
    /// Line and column of each key in the file (for messages).
    public var positions: [String: (line: Int, column: Int)] = [:]
    /// Context keys set by `-c KEY=VALUE` (messages say so instead of a line).
    public var overridden: Set<String> = []

    public init(
        file: String, app: String, stackName: String, account: String? = nil, region: String? = nil,
        description: String? = nil, tags: [String: String] = [:], terminationProtection: Bool = false,
        context: [String: Value] = [:], exampleKeys: [String] = []
    ) {
        self.file = file
        self.app = app
        self.stackName = stackName
        self.account = account
        self.region = region
        self.description = description
        self.tags = tags
        self.terminationProtection = terminationProtection
        self.context = context
        self.exampleKeys = exampleKeys.sorted()
    }

    /// The marker of an example value in a config file: `{"$example": value}`.
    public static let exampleMarker = "$example"

    /// Parses a config file's text. `name` is the file name shown in messages; the stack name
    /// defaults to its base name. Every problem of the top-level keys is reported in one error.
    public static func parse(_ text: String, file name: String) throws -> StackConfig {
        let root: Value
        do {
            root = try JSONParser.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch let e as JSONParser.Error {
            throw ConfigError(file: name, key: nil, "invalid JSON at line \(e.line), column \(e.column): \(e.message)")
        }
        guard case .object(let pairs) = root else {
            throw ConfigError(file: name, key: nil, "the file must hold a JSON object")
        }
        let positions = keyPositions(text)
        var errors: [ConfigError] = []
        func fail(_ key: String, _ message: String) {
            let last = String(key.split(separator: ".", maxSplits: 1).last ?? Substring(key))
            let at = positions[last].map { " (line \($0.line), column \($0.column))" } ?? ""
            errors.append(ConfigError(file: name, key: key, message + at))
        }
        for (k, _) in pairs where !topLevelKeys.contains(k) {
            let near = Suggestion.nearest(k, in: topLevelKeys).map { " (did you mean \($0)?)" } ?? ""
            fail(k, "unknown key\(near) (known keys: \(topLevelKeys.joined(separator: ", ")))")
        }
        func string(_ key: String) -> String? {
            guard let v = root[key], v != .null else { return nil }
            guard case .string(let s) = v else { fail(key, "must be a string, found \(v.typeName)"); return nil }
            return s
        }
        let app = string("app")
        if app == nil && (root["app"] == nil || root["app"] == .null) {
            fail("app", "missing required key: the stack definition to build")
        }
        let base = (name as NSString).lastPathComponent
        let defaultName = base.hasSuffix(".json") ? String(base.dropLast(5)) : base
        let stackName = string("stackName")
        if let problem = stackNameProblem(stackName ?? defaultName) {
            fail("stackName", stackName == nil ? "the default (the file name) \(problem): set stackName" : problem)
        }
        let account = string("account")
        if let a = account, a.count != 12 || !a.allSatisfy({ $0.isASCII && $0.isNumber }) {
            fail("account", "'\(a)' is not a 12-digit AWS account id")
        }
        let region = string("region")
        if let r = region, !AWSRegions.isKnown(r) {
            let near = Suggestion.nearest(r, in: AWSRegions.all).map { " (did you mean \($0)?)" } ?? ""
            fail("region", "'\(r)' is not a known AWS region\(near)")
        }
        let description = string("description")
        if let d = description, d.utf8.count > 1024 {
            fail("description", "is \(d.utf8.count) bytes; CloudFormation allows at most 1024")
        }
        var tags: [String: String] = [:]
        if let t = root["tags"], t != .null {
            if case .object(let tp) = t {
                if tp.count > 50 { fail("tags", "has \(tp.count) tags; CloudFormation allows at most 50 per stack") }
                for (k, v) in tp {
                    guard case .string(let s) = v else { fail("tags.\(k)", "must be a string, found \(v.typeName)"); continue }
                    if k.isEmpty || k.count > 128 { fail("tags.\(k)", "a tag key has 1-128 characters (got \(k.count))") }
                    if k.lowercased().hasPrefix("aws:") { fail("tags.\(k)", "the aws: prefix is reserved for AWS's own tags") }
                    if s.count > 256 { fail("tags.\(k)", "a tag value has at most 256 characters (got \(s.count))") }
                    tags[k] = s
                }
            } else {
                fail("tags", "must be an object of strings, found \(t.typeName)")
            }
        }
        var protection = false
        if let p = root["terminationProtection"], p != .null {
            if case .bool(let b) = p { protection = b } else { fail("terminationProtection", "must be true or false, found \(p.typeName)") }
        }
        var context: [String: Value] = [:]
        var examples: [String] = []
        if let c = root["context"], c != .null {
            if case .object(let cp) = c {
                for (k, v) in cp {
                    do {
                        if let example = try exampleValue(v, file: name, key: "context.\(k)") {
                            context[k] = example
                            examples.append(k)
                        } else {
                            context[k] = v
                        }
                    } catch let e as ConfigError {
                        errors.append(e)
                    }
                }
            } else {
                fail("context", "must be an object, found \(c.typeName)")
            }
        }
        if let e = ConfigError.collecting(errors) { throw e }
        var config = StackConfig(
            file: name, app: app!, stackName: stackName ?? defaultName, account: account,
            region: region, description: description, tags: tags,
            terminationProtection: protection, context: context, exampleKeys: examples)
        config.positions = positions
        return config
    }

    /// Why `name` is not a CloudFormation stack name (nil when it is one): a letter, then letters,
    /// digits and hyphens, at most 128 characters.
    public static func stackNameProblem(_ name: String) -> String? {
        guard let first = name.first, first.isASCII, first.isLetter, name.count <= 128,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            return "'\(name)' is not a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128 characters)"
        }
        return nil
    }

    /// Line and column (1-based) of each object key in a JSON text (the first occurrence of a
    /// name), for messages.
    static func keyPositions(_ text: String) -> [String: (line: Int, column: Int)] {
        // ASCII without carriage returns (every config in practice): one byte is one character,
        // scanned without making an array of grapheme clusters (the larger part of a one-stack
        // synth's config loading).
        let bytes = Array(text.utf8)
        if !bytes.contains(where: { $0 >= 0x80 || $0 == 0x0D }) { return keyPositions(ascii: bytes) }
        var out: [String: (line: Int, column: Int)] = [:]
        let chars = Array(text)
        var i = 0, line = 1, column = 1
        while i < chars.count {
            let ch = chars[i]
            if ch == "\"" {
                let start = (line, column)
                var j = i + 1
                var s = ""
                while j < chars.count && chars[j] != "\"" {
                    if chars[j] == "\\" && j + 1 < chars.count { s.append(chars[j]); j += 1 }
                    s.append(chars[j]); j += 1
                }
                column += j - i + 1
                i = j + 1
                var k = i
                while k < chars.count && (chars[k] == " " || chars[k] == "\t" || chars[k] == "\r" || chars[k] == "\n") { k += 1 }
                if k < chars.count && chars[k] == ":" && out[s] == nil { out[s] = start }
                continue
            }
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return out
    }

    /// `keyPositions` for ASCII text without carriage returns: the same scan over bytes.
    private static func keyPositions(ascii chars: [UInt8]) -> [String: (line: Int, column: Int)] {
        var out: [String: (line: Int, column: Int)] = [:]
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n")
        var i = 0, line = 1, column = 1
        while i < chars.count {
            let ch = chars[i]
            if ch == quote {
                let start = (line, column)
                var j = i + 1
                while j < chars.count && chars[j] != quote {
                    if chars[j] == backslash && j + 1 < chars.count { j += 1 }
                    j += 1
                }
                let name = String(decoding: chars[(i + 1)..<min(j, chars.count)], as: UTF8.self)
                column += j - i + 1
                i = j + 1
                var k = i
                while k < chars.count && (chars[k] == 0x20 || chars[k] == 0x09 || chars[k] == newline) { k += 1 }
                if k < chars.count && chars[k] == UInt8(ascii: ":") && out[name] == nil { out[name] = start }
                continue
            }
            if ch == newline { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return out
    }

    /// A problem of context key `key` (such as `context.PORT`), with its line and column when the
    /// file has it.
    public func error(_ key: String, _ message: String) -> ConfigError {
        let last = key.hasPrefix("context.") ? String(key.dropFirst(8)) : key
        let at = overridden.contains(last) ? "" : positions[last].map { " (line \($0.line), column \($0.column))" } ?? ""
        return ConfigError(file: file, key: key, message + at)
    }

    /// The example inside `{"$example": value}`, nil for any other value. An object that holds
    /// `$example` next to other keys, or an example holding another example, is an error.
    static func exampleValue(_ value: Value, file: String, key: String) throws -> Value? {
        guard case .object(let pairs) = value, pairs.contains(where: { $0.0 == exampleMarker }) else { return nil }
        if pairs.count != 1 {
            let others = pairs.map(\.0).filter { $0 != exampleMarker }.joined(separator: ", ")
            throw ConfigError(file: file, key: key,
                              "an example value is written {\"\(exampleMarker)\": <value>} with no other key (found also: \(others))")
        }
        let inner = pairs[0].1
        if case .object(let innerPairs) = inner, innerPairs.contains(where: { $0.0 == exampleMarker }) {
            throw ConfigError(file: file, key: key, "an example value must not hold another {\"\(exampleMarker)\": ...}")
        }
        if inner == .null {
            throw ConfigError(file: file, key: key, "an example value must not be null (write null without \(exampleMarker) for \"not set\")")
        }
        return inner
    }

    /// Applies `KEY=VALUE` overrides to the context. The value is read as JSON when it is
    /// valid JSON (numbers, booleans, null, arrays, objects), otherwise as a plain string.
    public mutating func applyOverrides(_ overrides: [(String, String)]) {
        for (k, v) in overrides {
            context[k] = (try? JSONParser.parse(v)) ?? .string(v)
            overridden.insert(k)
            // The operator set it: no longer an example.
            exampleKeys.removeAll { $0 == k }
        }
    }

    /// Parses `KEY=VALUE` strings; throws for a malformed one.
    public static func parseOverrides(_ items: [String]) throws -> [(String, String)] {
        try items.map { item in
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ConfigError(file: "-c", key: item, "expected KEY=VALUE")
            }
            return (String(item[..<eq]), String(item[item.index(after: eq)...]))
        }
    }

    // MARK: Typed context access (errors name the file and key)

    /// A required or defaulted string.
    public func string(_ key: String, default def: String? = nil) throws -> String {
        if let s = try optionalString(key) { return s }
        if let def { return def }
        throw ConfigError(file: file, key: "context.\(key)", "missing required key")
    }

    /// A string, or nil when absent or null.
    public func optionalString(_ key: String) throws -> String? {
        guard let v = context[key], v != .null else { return nil }
        guard case .string(let s) = v else { throw typeError(key, "a string", v) }
        return s
    }

    /// An integer (a JSON integer, or a string of digits from `-c`).
    public func int(_ key: String, default def: Int? = nil) throws -> Int {
        guard let v = context[key], v != .null else {
            if let def { return def }
            throw ConfigError(file: file, key: "context.\(key)", "missing required key")
        }
        switch v {
        case .int(let i): return i
        case .string(let s) where Int(s) != nil: return Int(s)!
        default: throw typeError(key, "an integer", v)
        }
    }

    /// A number.
    public func double(_ key: String, default def: Double? = nil) throws -> Double {
        guard let v = context[key], v != .null else {
            if let def { return def }
            throw ConfigError(file: file, key: "context.\(key)", "missing required key")
        }
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s) where Double(s) != nil: return Double(s)!
        default: throw typeError(key, "a number", v)
        }
    }

    /// A boolean.
    public func bool(_ key: String, default def: Bool? = nil) throws -> Bool {
        guard let v = context[key], v != .null else {
            if let def { return def }
            throw ConfigError(file: file, key: "context.\(key)", "missing required key")
        }
        switch v {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"): return false
        default: throw typeError(key, "true or false", v)
        }
    }

    /// A list of strings (a JSON array, or a comma-separated string); nil when absent or null.
    public func stringList(_ key: String) throws -> [String]? {
        guard let v = context[key], v != .null else { return nil }
        switch v {
        case .array(let items):
            return try items.map {
                guard case .string(let s) = $0 else { throw typeError(key, "a list of strings", v) }
                return s
            }
        case .string(let s):
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default:
            throw typeError(key, "a list of strings", v)
        }
    }

    /// A string that must be one of `allowed`.
    public func choice(_ key: String, _ allowed: [String], default def: String? = nil) throws -> String {
        let s = try string(key, default: def)
        guard allowed.contains(s) else {
            throw ConfigError(file: file, key: "context.\(key)", "'\(s)' is not one of: \(allowed.joined(separator: ", "))")
        }
        return s
    }

    private func typeError(_ key: String, _ expected: String, _ found: Value) -> ConfigError {
        ConfigError(file: file, key: "context.\(key)", "must be \(expected), found \(found.typeName)")
    }
}

extension Value {
    /// The JSON type name, for messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string(let s): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .array: return "an array"
        case .object: return "an object"
        default: return "a token"
        }
    }
}

extension Stack {
    /// A stack configured from a config file's settings.
    public convenience init(_ app: App, config: StackConfig) {
        self.init(
            app, config.stackName, stackName: config.stackName, account: config.account, region: config.region,
            description: config.description, tags: config.tags, terminationProtection: config.terminationProtection)
    }
}
