import Foundation

/// `manifest.json` of a cloud assembly (`infra.out/`): what synthesis writes and deployment
/// reads, the one definition both sides use. Written with `JSONTreeEncoder` (keys in declaration
/// order, empty optional lists left out), read with `AssemblyManifest.read(from:)`, which checks
/// the version before anything else and names the file and key of every problem.
public struct AssemblyManifest: Sendable, Equatable {
    /// The file name inside the assembly folder.
    public static let fileName = "manifest.json"
    /// The version synthesis writes.
    public static let currentVersion = "1"
    /// The versions deployment reads.
    public static let supportedVersions = ["1"]

    public var version: String
    public var stacks: [Stack]
    public var assets: [Asset]

    public init(version: String = AssemblyManifest.currentVersion, stacks: [Stack], assets: [Asset]) {
        self.version = version
        self.stacks = stacks
        self.assets = assets
    }

    /// One stack: its template file and the settings its deployment needs.
    public struct Stack: Sendable, Equatable {
        /// The construct id of the stack in its app.
        public var id: String
        public var stackName: String
        /// The template file name in the assembly (`<stackName>.template.json|yaml`).
        public var template: String
        /// The target account; nil: whatever the credentials resolve to at deploy time.
        public var account: String?
        /// The target region; nil: the region the deployer resolves.
        public var region: String?
        /// Stack names this stack is deployed after.
        public var dependencies: [String]
        /// Stack tags (written sorted by key).
        public var tags: [String: String]
        public var terminationProtection: Bool
        /// Ids of the assets its template uses (each listed in the manifest's `assets`).
        public var assets: [String]
        /// The config file it was built from, relative to the project root; nil: built in code.
        public var configFile: String?
        /// The effective context (file values merged with `-c` overrides; written sorted by key).
        public var context: [String: JSONTree]
        /// Context keys whose value is an example: deployment refuses until they are set.
        public var exampleKeys: [String]
        /// The container images its resources run: the image gates of deployment.
        public var images: [Image]

        public init(id: String, stackName: String, template: String, account: String? = nil, region: String? = nil,
                    dependencies: [String] = [], tags: [String: String] = [:], terminationProtection: Bool = false,
                    assets: [String] = [], configFile: String? = nil, context: [String: JSONTree] = [:],
                    exampleKeys: [String] = [], images: [Image] = []) {
            self.id = id
            self.stackName = stackName
            self.template = template
            self.account = account
            self.region = region
            self.dependencies = dependencies
            self.tags = tags
            self.terminationProtection = terminationProtection
            self.assets = assets
            self.configFile = configFile
            self.context = context
            self.exampleKeys = exampleKeys
            self.images = images
        }
    }

    /// A container image one of a stack's resources runs: deployment checks that it exists and
    /// sets `parameter` (the image gate, `<Name>ImageReady`) to "true" when it does.
    public struct Image: Sendable, Equatable {
        /// The context keys that choose the image (repository, tag), for messages (written sorted).
        public var contextKeys: [String]
        /// The gate parameter's logical id; nil for an image in a repository the stack does not create.
        public var parameter: String?
        /// The construct path of the image's consumer (service, function).
        public var path: String
        public var repository: Repository
        public var tag: String
        /// The image's build folder, when known.
        public var directory: String?

        public init(contextKeys: [String] = [], parameter: String? = nil, path: String, repository: Repository,
                    tag: String, directory: String? = nil) {
            self.contextKeys = contextKeys
            self.parameter = parameter
            self.path = path
            self.repository = repository
            self.tag = tag
            self.directory = directory
        }
    }

    /// Where an image lives: `{"logicalId": ...}` or `{"name": ...}`, exactly one of them.
    public enum Repository: Sendable, Equatable {
        /// The `AWS::ECR::Repository` of the same stack.
        case logicalId(String)
        /// An existing repository.
        case name(String)
    }

    /// A file or folder deployment publishes before the stacks that use it.
    public struct Asset: Sendable, Equatable {
        /// The content hash (hex SHA-256).
        public var id: String
        public var type: AssetKind
        /// The staged file or folder in the assembly (relative), or an absolute path.
        public var path: String
        /// Where it came from at synthesis (relative to the working directory when inside it).
        public var source: String

        public init(id: String, type: AssetKind, path: String, source: String) {
            self.id = id
            self.type = type
            self.path = path
            self.source = source
        }
    }
}

/// The kinds of assets.
public enum AssetKind: String, Sendable, CaseIterable, Codable {
    /// A directory zipped deterministically (`asset.<hash>.zip` in the assembly).
    case zip
    /// A single file copied as it is.
    case file
    /// A directory with a Dockerfile, built and pushed as an image by the deployer.
    case containerImage = "container-image"

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let kind = AssetKind(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "is the unknown asset type '\(raw)' (known: \(Self.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        self = kind
    }
}

// MARK: - Coding (key order is the file's order)

extension AssemblyManifest: Codable {
    enum CodingKeys: String, CodingKey { case version, stacks, assets }
}

extension AssemblyManifest.Stack: Codable {
    enum CodingKeys: String, CodingKey {
        case id, stackName, template, account, region, dependencies, tags, terminationProtection, assets
        case configFile, context, exampleKeys, images
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        stackName = try c.decode(String.self, forKey: .stackName)
        template = try c.decode(String.self, forKey: .template)
        account = try c.decodeIfPresent(String.self, forKey: .account)
        region = try c.decodeIfPresent(String.self, forKey: .region)
        dependencies = try c.decode([String].self, forKey: .dependencies)
        tags = try c.decode([String: String].self, forKey: .tags)
        terminationProtection = try c.decode(Bool.self, forKey: .terminationProtection)
        assets = try c.decode([String].self, forKey: .assets)
        // Left out when empty.
        configFile = try c.decodeIfPresent(String.self, forKey: .configFile)
        context = try c.decodeIfPresent([String: JSONTree].self, forKey: .context) ?? [:]
        exampleKeys = try c.decodeIfPresent([String].self, forKey: .exampleKeys) ?? []
        images = try c.decodeIfPresent([AssemblyManifest.Image].self, forKey: .images) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(stackName, forKey: .stackName)
        try c.encode(template, forKey: .template)
        try c.encodeIfPresent(account, forKey: .account)
        try c.encodeIfPresent(region, forKey: .region)
        try c.encode(dependencies, forKey: .dependencies)
        try c.encode(JSONTree.object(tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }), forKey: .tags)
        try c.encode(terminationProtection, forKey: .terminationProtection)
        try c.encode(assets, forKey: .assets)
        try c.encodeIfPresent(configFile, forKey: .configFile)
        if !context.isEmpty {
            try c.encode(JSONTree.object(context.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }), forKey: .context)
        }
        if !exampleKeys.isEmpty { try c.encode(exampleKeys, forKey: .exampleKeys) }
        if !images.isEmpty { try c.encode(images, forKey: .images) }
    }
}

extension AssemblyManifest.Image: Codable {
    enum CodingKeys: String, CodingKey { case contextKeys, parameter, path, repository, tag, directory }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        contextKeys = try c.decodeIfPresent([String].self, forKey: .contextKeys) ?? []
        parameter = try c.decodeIfPresent(String.self, forKey: .parameter)
        path = try c.decode(String.self, forKey: .path)
        repository = try c.decode(AssemblyManifest.Repository.self, forKey: .repository)
        tag = try c.decode(String.self, forKey: .tag)
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !contextKeys.isEmpty { try c.encode(contextKeys, forKey: .contextKeys) }
        try c.encodeIfPresent(parameter, forKey: .parameter)
        try c.encode(path, forKey: .path)
        try c.encode(repository, forKey: .repository)
        try c.encode(tag, forKey: .tag)
        try c.encodeIfPresent(directory, forKey: .directory)
    }
}

extension AssemblyManifest.Repository: Codable {
    enum CodingKeys: String, CodingKey { case logicalId, name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let logicalId = try c.decodeIfPresent(String.self, forKey: .logicalId)
        let name = try c.decodeIfPresent(String.self, forKey: .name)
        switch (logicalId, name) {
        case (let id?, nil): self = .logicalId(id)
        case (nil, let n?): self = .name(n)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "needs exactly one of \"logicalId\" or \"name\""))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .logicalId(let id): try c.encode(id, forKey: .logicalId)
        case .name(let n): try c.encode(n, forKey: .name)
        }
    }
}

extension AssemblyManifest.Asset: Codable {}

// MARK: - Reading

extension AssemblyManifest {
    /// Reads and checks `manifest.json` of an assembly folder: the version first (a newer or
    /// unknown one is refused before any other key is looked at), then every key, then that
    /// the stacks' assets and dependencies are in the manifest.
    public static func read(from directory: URL) throws -> AssemblyManifest {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ManifestError(file: url.path, key: nil, "'\(directory.path)' is not a cloud assembly: it has no "
                + "\(fileName) (run `infra synth` to write one)")
        }
        return try decode(data, file: url.path)
    }

    /// Decodes manifest bytes; errors name `file` and the key path (`stacks[0].stackName`).
    public static func decode(_ data: Data, file: String) throws -> AssemblyManifest {
        struct VersionOnly: Decodable { var version: String }
        let decoder = JSONDecoder()
        let version: String
        do {
            version = try decoder.decode(VersionOnly.self, from: data).version
        } catch {
            throw ManifestError(file: file, error)
        }
        guard supportedVersions.contains(version) else {
            let newer = Int(version).map { v in supportedVersions.compactMap(Int.init).allSatisfy { v > $0 } } ?? false
            throw ManifestError(file: file, key: "version", "is \(version), "
                + (newer ? "newer than this infra reads" : "a manifest version this infra does not read")
                + " (it reads: \(supportedVersions.joined(separator: ", "))); synthesize the assembly again with this infra")
        }
        let manifest: AssemblyManifest
        do {
            manifest = try decoder.decode(AssemblyManifest.self, from: data)
        } catch {
            throw ManifestError(file: file, error)
        }
        try manifest.check(file: file)
        return manifest
    }

    /// Every asset a stack uses is listed, every dependency is a stack of the assembly, stack
    /// names are unique.
    func check(file: String) throws {
        var seen = Set<String>()
        for (i, s) in stacks.enumerated() {
            guard seen.insert(s.stackName).inserted else {
                throw ManifestError(file: file, key: "stacks[\(i)].stackName", "repeats the stack name \(s.stackName)")
            }
            for a in s.assets where !assets.contains(where: { $0.id == a }) {
                throw ManifestError(file: file, key: "stacks[\(i)].assets",
                                    "names asset \(a), which the manifest's assets do not list")
            }
            for d in s.dependencies where !stacks.contains(where: { $0.stackName == d }) {
                throw ManifestError(file: file, key: "stacks[\(i)].dependencies",
                                    "names stack \(d), which the assembly does not contain")
            }
        }
    }
}

/// A manifest that cannot be read: the file, the key path (when one is at fault) and what is wrong.
public struct ManifestError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// The key path, e.g. `stacks[0].images[1].repository`; nil when the file as a whole is at fault.
    public let key: String?
    /// What is wrong: said of the key when there is one ("is missing"), else a sentence.
    public let message: String

    public init(file: String, key: String?, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    /// The problem a decoder reported, with its key path.
    init(file: String, _ error: any Error) {
        self.file = file
        guard let error = error as? DecodingError else {
            self.key = nil
            self.message = "\(error)"
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.key = Self.path(context.codingPath + [key])
            self.message = "is missing"
        case .typeMismatch(let type, let context):
            self.key = Self.path(context.codingPath)
            self.message = "must be \(Self.describe(type))"
        case .valueNotFound(let type, let context):
            self.key = Self.path(context.codingPath)
            self.message = "must be \(Self.describe(type)), found null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.key = nil
                self.message = "the file is not valid JSON"
                    + ((context.underlyingError as NSError?).map { ": \($0.localizedDescription)" } ?? "")
            } else {
                self.key = Self.path(context.codingPath)
                self.message = context.debugDescription
            }
        @unknown default:
            self.key = nil
            self.message = "\(error)"
        }
    }

    public var description: String {
        "\(file): " + (key.map { "key '\($0)' " } ?? "") + message
    }

    static func path(_ keys: [any CodingKey]) -> String? {
        var out = ""
        for k in keys {
            if let i = k.intValue, k.stringValue == String(i) || k.stringValue.hasPrefix("Index ") {
                out += "[\(i)]"
            } else {
                out += (out.isEmpty ? "" : ".") + k.stringValue
            }
        }
        return out.isEmpty ? nil : out
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Double.Type: return "a number"
        case is [Any].Type: return "a list"
        case is [String: Any].Type: return "an object"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array<") { return "a list" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return "a \(name.split(separator: ".").last.map(String.init) ?? name) object"
        }
    }
}
