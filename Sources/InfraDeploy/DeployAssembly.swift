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

/// A container image a stack's template uses (manifest "images", the h5/h6 contract).
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

/// One asset of an assembly.
public struct AssemblyAsset: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case zip
        case file
        case containerImage = "container-image"
    }

    /// The content hash (hex SHA-256).
    public var id: String
    public var kind: Kind
    /// Where the asset is on this machine: the staged file in the assembly (zip, file) or the
    /// image's build directory.
    public var path: URL
    /// The source path recorded at synthesis (for messages; may be on another machine).
    public var source: String

    public init(id: String, kind: Kind, path: URL, source: String) {
        self.id = id
        self.kind = kind
        self.path = path
        self.source = source
    }

    /// The S3 key of a zip/file asset in the asset bucket: `<hash>.zip` for zips (the key the
    /// constructs reference), `<hash>` plus the file's extension for files.
    public var objectKey: String {
        switch kind {
        case .zip: return "\(id).zip"
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
    public static let supportedVersions = ["1"]
    public var directory: URL
    public var stacks: [AssemblyStack]
    public var assets: [AssemblyAsset]

    public init(directory: URL, stacks: [AssemblyStack], assets: [AssemblyAsset]) {
        self.directory = directory
        self.stacks = stacks
        self.assets = assets
    }

    /// Reads `manifest.json` and every template it names.
    public static func read(from directory: URL) throws -> DeployAssembly {
        let manifestURL = directory.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw DeployError(.usage, "'\(directory.path)' is not a cloud assembly: it has no manifest.json "
                + "(run `infra synth` to write one)")
        }
        let manifest: Value
        do {
            manifest = try JSONParser.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw DeployError(.usage, "\(manifestURL.path): \(error)")
        }
        func fail(_ message: String) -> DeployError {
            DeployError(.usage, "\(manifestURL.path): \(message)")
        }
        guard let version = manifest["version"]?.stringLiteral else { throw fail("no \"version\"") }
        guard supportedVersions.contains(version) else {
            throw fail("manifest version \(version) is not supported by this infra (supported: "
                + supportedVersions.joined(separator: ", ") + "); synthesize again with this version")
        }
        guard case .array(let stackEntries)? = manifest["stacks"] else { throw fail("no \"stacks\" list") }
        var stacks: [AssemblyStack] = []
        for (index, entry) in stackEntries.enumerated() {
            guard let name = entry["stackName"]?.stringLiteral, let file = entry["template"]?.stringLiteral else {
                throw fail("stacks[\(index)] has no stackName or template")
            }
            let templateURL = directory.appendingPathComponent(file)
            guard let body = FileManager.default.contents(atPath: templateURL.path) else {
                throw fail("the template \(file) of stack \(name) is missing")
            }
            var tags: [(key: String, value: String)] = []
            if case .object(let pairs)? = entry["tags"] {
                for (k, v) in pairs { tags.append((k, v.stringLiteral ?? "")) }
            }
            var terminationProtection = false
            if case .bool(let b)? = entry["terminationProtection"] { terminationProtection = b }
            stacks.append(AssemblyStack(
                id: entry["id"]?.stringLiteral ?? name, stackName: name, templateFile: file,
                templateBody: String(decoding: body, as: UTF8.self),
                account: entry["account"]?.stringLiteral, region: entry["region"]?.stringLiteral,
                dependencies: strings(entry["dependencies"]), tags: tags,
                terminationProtection: terminationProtection, assets: strings(entry["assets"]),
                images: try images(entry["images"], stack: name, fail: fail),
                configFile: entry["configFile"]?.stringLiteral, context: contextValues(entry["context"]),
                exampleKeys: strings(entry["exampleKeys"])))
        }
        var assets: [AssemblyAsset] = []
        if case .array(let assetEntries)? = manifest["assets"] {
            for (index, entry) in assetEntries.enumerated() {
                guard let id = entry["id"]?.stringLiteral, let type = entry["type"]?.stringLiteral,
                      let path = entry["path"]?.stringLiteral else {
                    throw fail("assets[\(index)] has no id, type or path")
                }
                guard let kind = AssemblyAsset.Kind(rawValue: type) else {
                    throw fail("asset \(id) has the unknown type '\(type)'")
                }
                let source = entry["source"]?.stringLiteral ?? path
                assets.append(AssemblyAsset(id: id, kind: kind, path: resolve(path, source: source, in: directory),
                                            source: source))
            }
        }
        let assembly = DeployAssembly(directory: directory, stacks: stacks, assets: assets)
        for s in stacks {
            for a in s.assets where !assets.contains(where: { $0.id == a }) {
                throw fail("stack \(s.stackName) uses asset \(a), which the manifest does not list")
            }
            for d in s.dependencies where !stacks.contains(where: { $0.stackName == d }) {
                throw fail("stack \(s.stackName) depends on \(d), which the assembly does not contain")
            }
        }
        return assembly
    }

    /// The manifest's "images" of a stack (the h5/h6 contract).
    private static func images(_ value: Value?, stack: String, fail: (String) -> DeployError) throws -> [ImageReference] {
        guard case .array(let items)? = value else { return [] }
        return try items.enumerated().map { index, item in
            guard let path = item["path"]?.stringLiteral, let tag = item["tag"]?.stringLiteral,
                  let repository = item["repository"] else {
                throw fail("stack \(stack): images[\(index)] needs \"path\", \"tag\" and \"repository\"")
            }
            let logicalId = repository["logicalId"]?.stringLiteral, name = repository["name"]?.stringLiteral
            guard (logicalId == nil) != (name == nil) else {
                throw fail("stack \(stack): images[\(index)].repository needs exactly one of \"logicalId\" or \"name\"")
            }
            return ImageReference(parameter: item["parameter"]?.stringLiteral, path: path,
                                  repositoryLogicalId: logicalId, repositoryName: name, tag: tag,
                                  contextKeys: strings(item["contextKeys"]),
                                  directory: item["directory"]?.stringLiteral)
        }
    }

    /// The manifest's "context": scalars as their text (strings unquoted), others as JSON.
    private static func contextValues(_ value: Value?) -> [String: String] {
        guard case .object(let pairs)? = value else { return [:] }
        var out: [String: String] = [:]
        for (key, v) in pairs {
            switch v {
            case .string(let s): out[key] = s
            default: out[key] = JSONRenderer.render(v, pretty: false)
            }
        }
        return out
    }

    private static func strings(_ value: Value?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.stringLiteral)
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
