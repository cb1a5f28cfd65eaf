import Foundation
#if canImport(Glibc)
import Glibc
#endif
import InfraDSL

/// A stack architecture the CLI can build from a config file (its `app` key names it).
public struct StackDefinition: Sendable {
    public let name: String
    public let summary: String
    /// The context keys the definition reads (nil: it takes any key). A `-c KEY=VALUE` override
    /// applies to the stacks whose definition reads KEY.
    public var contextKeys: [String]? { declaredKeys ?? schema?.keys }
    /// The declarations of those keys (types, defaults, docs), for `infra context`. Made when
    /// first asked for: a command that builds one stack does not make the others' schemas.
    public var schema: SettingsSchema? { makeSchema?() }
    public let build: @Sendable (App, StackConfig) throws -> Void
    private let declaredKeys: [String]?
    private let makeSchema: (@Sendable () -> SettingsSchema)?

    public init(name: String, summary: String, contextKeys: [String]? = nil,
                build: @escaping @Sendable (App, StackConfig) throws -> Void) {
        self.name = name
        self.summary = summary
        self.declaredKeys = contextKeys
        self.makeSchema = nil
        self.build = build
    }

    /// A definition whose context keys are declared by `schema` (evaluated when first needed).
    public init(name: String, summary: String, schema: @autoclosure @escaping @Sendable () -> SettingsSchema,
                build: @escaping @Sendable (App, StackConfig) throws -> Void) {
        self.name = name
        self.summary = summary
        self.declaredKeys = nil
        self.makeSchema = schema
        self.build = build
    }

    package func reads(_ key: String) -> Bool { contextKeys?.contains(key) ?? true }
}

/// The project in the working directory: its config files and the definitions they name.
public struct Project {
    public let configDirectory: URL
    public let definitions: [StackDefinition]

    public init(configDirectory: URL, definitions: [StackDefinition]) {
        self.configDirectory = configDirectory
        self.definitions = definitions
    }

    /// Reads every `*.json` in the config folder (sorted by name) and applies each `-c KEY=VALUE`
    /// override to the stacks whose definition reads KEY (context is shared as in cdk.json, but a
    /// key one stack does not know is not forced on it). When `scope` names stacks (stack names,
    /// `*` wildcards allowed), overrides apply to those only. A key no stack in scope reads is an
    /// error.
    public func loadConfigs(overrides: [(String, String)] = [], scope: [String] = []) throws -> [StackConfig] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: configDirectory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ConfigError(file: configDirectory.path, key: nil, "config folder not found (run from the project root or pass --config DIR)")
        }
        let names = try fm.contentsOfDirectory(atPath: configDirectory.path).filter { $0.hasSuffix(".json") }.sorted()
        if names.isEmpty {
            throw ConfigError(file: configDirectory.path, key: nil, "no *.json stack configs in the folder")
        }
        var configs: [StackConfig] = []
        var seen: [String: String] = [:]
        var errors: [ConfigError] = []
        for name in names {
            let display = (configDirectory.lastPathComponent as NSString).appendingPathComponent(name)
            let url = configDirectory.appendingPathComponent(name)
            do {
                guard let data = fm.contents(atPath: url.path) else {
                    throw ConfigError(file: display, key: nil, "cannot read the file")
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw ConfigError(file: display, key: nil, "the file is not UTF-8 text")
                }
                var config = try StackConfig.parse(text, file: display)
                try Self.checkRemovedKeys(config)
                if !definitions.contains(where: { $0.name == config.app }) {
                    let near = Suggestion.nearest(config.app, in: definitions.map(\.name)).map { " (did you mean \($0)?)" } ?? ""
                    throw config.error("app", "unknown stack definition '\(config.app)'\(near) (known: \(definitions.map(\.name).joined(separator: ", ")))")
                }
                if let other = seen[config.stackName] {
                    throw config.error("stackName", "stack name '\(config.stackName)' is already used by \(other)")
                }
                seen[config.stackName] = display
                let definition = definitions.first { $0.name == config.app }!
                if Self.inScope(config.stackName, scope) {
                    config.applyOverrides(overrides.filter { definition.reads($0.0) })
                }
                configs.append(config)
            } catch let e as ConfigError {
                errors.append(e)
            }
        }
        if let e = ConfigError.collecting(errors) { throw e }
        for (key, _) in overrides {
            if let removed = Self.removedKeys.first(where: { $0.0 == key }) {
                throw ConfigError(file: "-c", key: key, removed.1)
            }
            let readers = configs.filter { c in
                Self.inScope(c.stackName, scope) && definitions.first { $0.name == c.app }!.reads(key)
            }
            if readers.isEmpty {
                throw ConfigError(file: "-c", key: key, scope.isEmpty
                    ? "no configured stack reads this context key"
                    : "none of the selected stacks (\(scope.joined(separator: ", "))) reads this context key")
            }
        }
        return configs
    }

    /// Context keys that stacks no longer read, with what replaced them.
    package static let removedKeys: [(String, String)] = [
        ("IMAGES_PUSHED", "was removed: `infra deploy` now handles images by itself (the first deploy creates the repositories and holds back what runs the images, prints the push commands, and the next deploy starts them); delete the key"),
    ]

    /// A config that still sets a removed key is an error saying what replaced it.
    package static func checkRemovedKeys(_ config: StackConfig) throws {
        for (key, message) in removedKeys where config.context[key] != nil {
            throw ConfigError(file: config.file, key: "context.\(key)", message)
        }
    }

    /// Builds the app of all configured stacks. Each stack records its config file (relative to
    /// the working directory when inside it), effective context and example keys for the manifest.
    public func buildApp(_ configs: [StackConfig]) throws -> App {
        let app = App()
        var errors: [ConfigError] = []
        for config in configs {
            try Self.checkRemovedKeys(config)
            let definition = definitions.first { $0.name == config.app }!
            let before = app.stacks.count
            do {
                try definition.build(app, config)
            } catch let e as ConfigError {
                // Every file's setting errors are reported in one run.
                errors.append(e)
                continue
            }
            for stack in app.stacks.dropFirst(before) {
                stack.configFile = relativePath(of: config)
                stack.configContext = config.context
                stack.exampleKeys = config.exampleKeys
            }
        }
        if let e = ConfigError.collecting(errors) { throw e }
        return app
    }

    /// The config file's path relative to the working directory (absolute when outside it).
    package func relativePath(of config: StackConfig) -> String {
        let name = (config.file as NSString).lastPathComponent
        let full = configDirectory.standardizedFileURL.appendingPathComponent(name).path
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
    }

    /// Builds what the stacks `names` select (stack names or ids, `*` wildcards; every config
    /// when there are none): the configs whose stack name matches, so another config's settings
    /// are not read, built nor validated. The stacks a selected stack references are built with
    /// it when its definition creates them; when a name matches no stack the selected configs
    /// created (a definition naming its stacks otherwise), every config is built.
    public func buildApp(_ configs: [StackConfig], selecting names: [String]) throws -> App {
        guard !names.isEmpty else { return try buildApp(configs) }
        let chosen = configs.filter { Self.inScope($0.stackName, names) }
        if !chosen.isEmpty, chosen.count < configs.count {
            let app = try buildApp(chosen)
            let built = app.stacks
            let found = names.allSatisfy { n in
                built.contains { fnmatch(n, $0.stackName, 0) == 0 || fnmatch(n, $0.id, 0) == 0 }
            }
            if found { return app }
        }
        return try buildApp(configs)
    }

    /// A config error when `url` is not a folder: says what infra looked for and the other ways.
    public static func requireConfigFolder(_ url: URL, flag: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue { return }
        throw ConfigError(file: flag, key: nil, "config folder not found: run from a project root (a folder with "
            + "infra.json or config/), pass --config DIR, or deploy an assembly synthesized elsewhere with "
            + "--assembly DIR; `infra init NAME` creates a project")
    }

    /// Loads, builds and synthesizes; `stacks` selects stacks (with their dependencies), and
    /// only the selected configs are built (see `buildApp(_:selecting:)`). Overrides apply to
    /// the named stacks only, when stacks are named, or to the stacks `scope` names when given
    /// (`infra destroy NAME -c ...` synthesizes every stack, its overrides for NAME only).
    public func synthesize(stacks: [String] = [], overrides: [(String, String)] = [], scope: [String]? = nil) throws -> CloudAssembly {
        let app = try buildApp(loadConfigs(overrides: overrides, scope: scope ?? stacks), selecting: stacks)
        let assembly = try app.synthesize()
        return try assembly.selecting(Self.withDependencies(stacks, in: assembly))
    }

    /// True when `stackName` matches one of `patterns` (or there are none); `*` matches any run.
    public static func inScope(_ stackName: String, _ patterns: [String]) -> Bool {
        patterns.isEmpty || patterns.contains { fnmatch($0, stackName, 0) == 0 }
    }

    /// The named stacks plus everything they depend on.
    package static func withDependencies(_ names: [String], in assembly: CloudAssembly) -> [String] {
        var out: [String] = []
        func add(_ n: String) {
            guard let s = assembly.stacks.first(where: { $0.stackName == n || $0.id == n }) else {
                out.append(n)  // unknown: let `selecting` report it
                return
            }
            if out.contains(s.stackName) { return }
            for d in s.dependencies { add(d) }
            out.append(s.stackName)
        }
        names.forEach(add)
        return out
    }
}
