import Foundation

/// Reads the pinned schemas and the type selection and produces the generated sources:
/// `Sources/InfraResources` (the selected types) and `Sources/InfraContract/ResourceSpecsData.swift`
/// (every pinned type).
struct Generator {
    /// The directory the generator owns: every `.swift` file in it is generated (others are deleted).
    static let resourcesDirectory = "Sources/InfraResources"
    /// The one generated file of InfraContract (the other files there are not the generator's).
    static let specsFile = "Sources/InfraContract/ResourceSpecsData.swift"

    /// `codegen/schemas`.
    let schemasDirectory: URL
    /// `codegen/resources.txt`: the types with a generated class, and their file groups.
    let selectionFile: URL
    var emitter = Emitter()

    init(schemasDirectory: URL, selectionFile: URL) {
        self.schemasDirectory = schemasDirectory
        self.selectionFile = selectionFile
    }

    /// The generator of the package at `root` (`codegen/schemas`, `codegen/resources.txt`).
    init(root: URL) {
        self.init(schemasDirectory: root.appendingPathComponent("codegen/schemas"),
                  selectionFile: root.appendingPathComponent("codegen/resources.txt"))
    }

    /// The resource models of every `aws-*.json` schema, sorted by type name.
    func models() throws -> [ResourceModel] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: schemasDirectory.path)
                .filter { $0.hasPrefix("aws-") && $0.hasSuffix(".json") }
                .sorted()
        } catch {
            throw JSONError(message: "cannot read the schemas directory \(schemasDirectory.path)")
        }
        guard !names.isEmpty else {
            throw JSONError(message: "no aws-*.json schemas in \(schemasDirectory.path)")
        }
        let getAtts = try read("getatts.json")
        var schemas: [ResourceSchema] = []
        for name in names {
            do {
                schemas.append(try ResourceSchema(read(name)))
            } catch {
                throw JSONError(message: "\(name): \(error)")
            }
        }
        return try Generator.models(schemas, getAtts: getAtts)
    }

    /// The resource models of `schemas`, sorted by type name; `getAtts` maps type names to
    /// their `Fn::GetAtt` names (getatts.json).
    static func models(_ schemas: [ResourceSchema], getAtts: JSON) throws -> [ResourceModel] {
        var seen: [String: String] = [:]
        return try schemas.sorted { $0.typeName < $1.typeName }.map { schema in
            let className = Naming.typeName(schema.name)
            let key = schema.service + "." + className
            if let other = seen[key] {
                throw JSONError(message: "\(schema.typeName) and \(other) both map to \(key)")
            }
            seen[key] = schema.typeName
            return ResourceBuilder(schema: schema, className: className)
                .build(attributeNames: getAtts[schema.typeName]?.strings ?? [])
        }
    }

    /// Path relative to the package root -> contents.
    func generate() throws -> [String: String] {
        let all = try models()
        guard let text = try? String(contentsOf: selectionFile, encoding: .utf8) else {
            throw JSONError(message: "cannot read \(selectionFile.path)")
        }
        let selection = try Selection(text, file: "codegen/resources.txt",
                                      known: Set(all.map(\.typeName)))
        let selected = all.filter { selection.groups[$0.typeName] != nil }
        let groups = selection.groups.compactMapValues { $0 }
        var out: [String: String] = [:]
        for (name, text) in emitter.files(selected, groups: groups) {
            out[Generator.resourcesDirectory + "/" + name] = text
        }
        out[Generator.specsFile] = emitter.resourceSpecs(all)
        return out
    }

    private func read(_ name: String) throws -> JSON {
        let url = schemasDirectory.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw JSONError(message: "cannot read \(url.path)")
        }
        return try JSONReader.parse(text)
    }

    /// Writes the files of `files` (paths relative to `root`) that differ, and deletes every
    /// other `.swift` file of the `owned` directories (they hold generated files only).
    /// Returns the paths written or deleted, sorted.
    static func write(_ files: [String: String], to root: URL,
                      owning owned: [String] = [resourcesDirectory]) throws -> [String] {
        let fm = FileManager.default
        var changed: [String] = []
        for path in files.keys.sorted() {
            let url = root.appendingPathComponent(path)
            if let old = try? String(contentsOf: url, encoding: .utf8), old == files[path]! { continue }
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(files[path]!.utf8).write(to: url)
            changed.append(path)
        }
        for path in stale(files, in: root, owned) {
            try fm.removeItem(at: root.appendingPathComponent(path))
            changed.append(path)
        }
        return changed.sorted()
    }

    /// The paths under `root` that differ from `files`: changed, missing, or `.swift` files of
    /// the `owned` directories that would be deleted. Sorted.
    static func differences(_ files: [String: String], in root: URL,
                            owning owned: [String] = [resourcesDirectory]) -> [String] {
        var out: [String] = []
        for path in files.keys.sorted() {
            let old = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            if old != files[path]! { out.append(path) }
        }
        return (out + stale(files, in: root, owned)).sorted()
    }

    /// The `.swift` files of the `owned` directories that `files` does not have.
    private static func stale(_ files: [String: String], in root: URL, _ owned: [String]) -> [String] {
        var out: [String] = []
        for dir in owned {
            let present = (try? FileManager.default.contentsOfDirectory(
                atPath: root.appendingPathComponent(dir).path)) ?? []
            for name in present.sorted() where name.hasSuffix(".swift") && files[dir + "/" + name] == nil {
                out.append(dir + "/" + name)
            }
        }
        return out
    }

    /// The package root: the nearest directory at or above `start` holding `Package.swift`
    /// and `codegen/schemas`.
    static func packageRoot(from start: URL) -> URL? {
        var dir = start.standardizedFileURL
        let fm = FileManager.default
        while true {
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: dir.appendingPathComponent("codegen/schemas").path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }
}
