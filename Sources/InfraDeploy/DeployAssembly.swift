import Foundation
import InfraCore

/// One stack of an assembly, as the deployer needs it: the template text exactly as written,
/// and the manifest's settings.
public struct AssemblyStack: Sendable, Equatable {
    public var id: String
    public var stackName: String
    /// The template file name in the assembly (its extension tells JSON from YAML).
    public var templateFile: String
    /// The template text, byte for byte as synthesized (what CloudFormation receives).
    public var templateBody: String
    public var account: String?
    public var region: String?
    /// Stack names this stack is deployed after.
    public var dependencies: [String]
    /// Stack tags, sorted by key.
    public var tags: [(key: String, value: String)]
    public var terminationProtection: Bool
    /// Ids of the assets its template uses.
    public var assets: [String]
    /// Container images its template uses (manifest "images"): the image gate of preflight.
    public var images: [ImageReference] = []
    /// The config file the stack came from, relative to the project root (manifest "configFile").
    public var configFile: String?
    /// The stack's effective context (manifest "context"): each value as its JSON text, strings
    /// without quotes. Preflight maps an offending template value back to the key that set it.
    public var context: [String: String] = [:]
    /// Context keys whose value in the config file is an example (manifest "exampleKeys").
    public var exampleKeys: [String] = []

    public init(id: String, stackName: String, templateFile: String, templateBody: String, account: String? = nil,
                region: String? = nil, dependencies: [String] = [], tags: [(key: String, value: String)] = [],
                terminationProtection: Bool = false, assets: [String] = [], images: [ImageReference] = [],
                configFile: String? = nil, context: [String: String] = [:], exampleKeys: [String] = []) {
        self.id = id
        self.stackName = stackName
        self.templateFile = templateFile
        self.templateBody = templateBody
        self.account = account
        self.region = region
        self.dependencies = dependencies
        self.tags = tags.sorted { $0.key < $1.key }
        self.terminationProtection = terminationProtection
        self.assets = assets
        self.images = images
        self.configFile = configFile
        self.context = context
        self.exampleKeys = exampleKeys
    }

    public static func == (a: AssemblyStack, b: AssemblyStack) -> Bool {
        a.id == b.id && a.stackName == b.stackName && a.templateFile == b.templateFile
            && a.templateBody == b.templateBody && a.account == b.account && a.region == b.region
            && a.dependencies == b.dependencies && a.tags.map(\.key) == b.tags.map(\.key)
            && a.tags.map(\.value) == b.tags.map(\.value) && a.terminationProtection == b.terminationProtection
            && a.assets == b.assets && a.images == b.images && a.configFile == b.configFile
            && a.context == b.context && a.exampleKeys == b.exampleKeys
    }

    /// The template parsed (JSON or YAML).
    public func parsedTemplate() throws -> Value {
        do {
            return try TemplateDocument.parse(templateBody)
        } catch {
            throw DeployError(.usage, "\(templateFile): the template cannot be read: \(error.deployMessage)")
        }
    }
}

/// A container image a stack's template uses (the manifest's `images`, `AssemblyManifest.Image`).
public struct ImageReference: Sendable, Equatable {
    /// `<Name>ImageReady`: the gate parameter, for images in a repository the stack creates.
    public var parameter: String?
    /// The construct path of the image's consumer (service, function).
    public var path: String
    /// The `AWS::ECR::Repository` of the same stack that holds the image ...
    public var repositoryLogicalId: String?
    /// ... or the name of an existing repository.
    public var repositoryName: String?
    public var tag: String
    /// The context keys that set the image (tag, repository name), for messages.
    public var contextKeys: [String]
    /// The image's build folder, when the manifest names one.
    public var directory: String?

    public init(parameter: String?, path: String, repositoryLogicalId: String?, repositoryName: String?, tag: String,
                contextKeys: [String] = [], directory: String? = nil) {
        self.parameter = parameter
        self.path = path
        self.repositoryLogicalId = repositoryLogicalId
        self.repositoryName = repositoryName
        self.tag = tag
        self.contextKeys = contextKeys
        self.directory = directory
    }
}

extension ImageReference {
    /// The deployer's view of a manifest image.
    public init(_ image: AssemblyManifest.Image) {
        var logicalId: String?, name: String?
        switch image.repository {
        case .logicalId(let id): logicalId = id
        case .name(let n): name = n
        }
        self.init(parameter: image.parameter, path: image.path, repositoryLogicalId: logicalId, repositoryName: name,
                  tag: image.tag, contextKeys: image.contextKeys, directory: image.directory)
    }
}

/// One asset of an assembly.
public struct AssemblyAsset: Sendable, Equatable {
    /// The kinds of assets (the manifest's `type`).
    public typealias Kind = AssetKind

    /// The content hash (hex SHA-256).
    public var id: String
    public var kind: Kind
    /// Where the asset is on this machine: the staged file in the assembly (zip, file) or the
    /// image's build directory.
    public var path: URL
    /// The source path recorded at synthesis (for messages; may be on another machine).
    public var source: String

    /// The manifest's entry, found at `path` on this machine.
    public init(_ entry: AssemblyManifest.Asset, path: URL) {
        (id, kind, source) = (entry.id, entry.type, entry.source)
        self.path = path
    }

    /// The S3 key of a zip/file asset in the asset bucket: `<hash>.zip` for zips (the key the
    /// constructs reference), `<hash>` plus the file's extension for files.
    public var objectKey: String {
        switch kind {
        case .zip: return Toolkit.zipObjectKey(id)
        case .file, .containerImage:
            let ext = path.pathExtension
            return ext.isEmpty ? id : "\(id).\(ext)"
        }
    }

    /// A short name for messages: the hash prefix and where it comes from.
    public var displayName: String {
        "\(kind.rawValue) asset \(id.prefix(12)) (\(source))"
    }
}

/// A cloud assembly read back from disk (`infra synth` output, possibly from another machine):
/// the only input of deployment.
public struct DeployAssembly: Sendable {
    public var directory: URL
    public var stacks: [AssemblyStack]
    public var assets: [AssemblyAsset]

    public init(directory: URL, stacks: [AssemblyStack], assets: [AssemblyAsset]) {
        self.directory = directory
        self.stacks = stacks
        self.assets = assets
    }

    /// Reads `manifest.json` (`AssemblyManifest`: version, keys, asset and dependency
    /// references checked there) and every template it names.
    public static func read(from directory: URL) throws -> DeployAssembly {
        let manifest: AssemblyManifest
        do {
            manifest = try AssemblyManifest.read(from: directory)
        } catch let error as ManifestError {
            throw DeployError(.usage, error.description)
        }
        let manifestPath = directory.appendingPathComponent(AssemblyManifest.fileName).path
        var stacks: [AssemblyStack] = []
        for (index, entry) in manifest.stacks.enumerated() {
            guard let body = FileManager.default.contents(atPath: directory.appendingPathComponent(entry.template).path) else {
                throw DeployError(.usage, "\(manifestPath): key 'stacks[\(index)].template' names \(entry.template), "
                    + "the template of stack \(entry.stackName), which is missing")
            }
            stacks.append(AssemblyStack(
                id: entry.id, stackName: entry.stackName, templateFile: entry.template,
                templateBody: String(decoding: body, as: UTF8.self), account: entry.account, region: entry.region,
                dependencies: entry.dependencies, tags: entry.tags.map { (key: $0.key, value: $0.value) },
                terminationProtection: entry.terminationProtection, assets: entry.assets,
                images: entry.images.map(ImageReference.init), configFile: entry.configFile,
                context: entry.context.mapValues(contextText), exampleKeys: entry.exampleKeys))
        }
        let assets = manifest.assets.map { a in
            AssemblyAsset(a, path: resolve(a.path, source: a.source, in: directory))
        }
        return DeployAssembly(directory: directory, stacks: stacks, assets: assets)
    }

    /// A context value as preflight compares it: strings without quotes, anything else as JSON.
    private static func contextText(_ value: JSONTree) -> String {
        if case .string(let s) = value { return s }
        return JSONRenderer.render(Value(value), pretty: false)
    }

    /// A path of the manifest on this machine: relative paths are inside the assembly; an
    /// absolute path that does not exist here (an assembly from another machine) falls back to
    /// the same name inside the assembly.
    private static func resolve(_ path: String, source: String, in directory: URL) -> URL {
        let fm = FileManager.default
        if path.hasPrefix("/") {
            if fm.fileExists(atPath: path) { return URL(fileURLWithPath: path) }
            let inside = directory.appendingPathComponent((path as NSString).lastPathComponent)
            return fm.fileExists(atPath: inside.path) ? inside : URL(fileURLWithPath: path)
        }
        let inside = directory.appendingPathComponent(path)
        if fm.fileExists(atPath: inside.path) { return inside }
        if source.hasPrefix("/"), fm.fileExists(atPath: source) { return URL(fileURLWithPath: source) }
        return inside
    }

    public func stack(named name: String) -> AssemblyStack? {
        stacks.first { $0.stackName == name || $0.id == name }
    }

    public func asset(_ id: String) -> AssemblyAsset? {
        assets.first { $0.id == id }
    }

    /// The stacks to work on. Names match the stack name or id; `*` is a wildcard. With no
    /// names: every stack when `all` or when the assembly has only one, otherwise an error
    /// asking for names. `upstream` adds the stacks the chosen ones depend on (deploy),
    /// `downstream` the ones that depend on them (destroy). The result is in dependency order.
    public func select(_ names: [String], all: Bool, upstream: Bool = false, downstream: Bool = false) throws
        -> [AssemblyStack] {
        var chosen: [String] = []
        if names.isEmpty {
            if !all && stacks.count > 1 {
                throw DeployError(.usage, "the assembly has \(stacks.count) stacks: name the ones to use, or pass "
                    + "--all (stacks: \(stacks.map(\.stackName).joined(separator: ", ")))")
            }
            chosen = stacks.map(\.stackName)
        } else {
            for pattern in names {
                let matches = stacks.filter { Self.matches(pattern, $0.stackName) || Self.matches(pattern, $0.id) }
                if matches.isEmpty {
                    throw DeployError(.usage, "no stack matches '\(pattern)' (stacks: "
                        + stacks.map(\.stackName).joined(separator: ", ") + ")")
                }
                for m in matches where !chosen.contains(m.stackName) { chosen.append(m.stackName) }
            }
        }
        var set = Set(chosen)
        if upstream {
            var queue = chosen
            while let n = queue.popLast() {
                for d in stack(named: n)?.dependencies ?? [] where set.insert(d).inserted { queue.append(d) }
            }
        }
        if downstream {
            var changed = true
            while changed {
                changed = false
                for s in stacks where !set.contains(s.stackName) && s.dependencies.contains(where: set.contains) {
                    set.insert(s.stackName)
                    changed = true
                }
            }
        }
        return try Self.dependencyOrder(stacks.filter { set.contains($0.stackName) })
    }

    /// Stacks sorted so every stack comes after the ones it depends on (stable otherwise).
    public static func dependencyOrder(_ stacks: [AssemblyStack]) throws -> [AssemblyStack] {
        let names = Set(stacks.map(\.stackName))
        var done = Set<String>()
        var out: [AssemblyStack] = []
        var remaining = stacks
        while !remaining.isEmpty {
            guard let i = remaining.firstIndex(where: { s in
                s.dependencies.allSatisfy { !names.contains($0) || done.contains($0) }
            }) else {
                throw DeployError(.usage, "the stacks depend on each other in a cycle: "
                    + remaining.map(\.stackName).joined(separator: ", "))
            }
            let s = remaining.remove(at: i)
            done.insert(s.stackName)
            out.append(s)
        }
        return out
    }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        guard pattern.contains("*") else { return pattern == name }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(name)
        for (i, part) in parts.enumerated() {
            if i == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if i == parts.count - 1 {
                return part.isEmpty || rest.hasSuffix(part)
            } else if !part.isEmpty {
                guard let r = rest.range(of: part) else { return false }
                rest = rest[r.upperBound...]
            }
        }
        return rest.isEmpty
    }
}
