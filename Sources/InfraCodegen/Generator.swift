import Foundation

/// Reads the pinned schemas and produces the sources of `Sources/InfraResources`.
struct Generator {
    /// `codegen/schemas`.
    let schemasDirectory: URL
    var emitter = Emitter()

    init(schemasDirectory: URL) {
        self.schemasDirectory = schemasDirectory
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

    /// File name -> contents.
    func generate() throws -> [String: String] {
        emitter.files(try models())
    }

    private func read(_ name: String) throws -> JSON {
        let url = schemasDirectory.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw JSONError(message: "cannot read \(url.path)")
        }
        return try JSONReader.parse(text)
    }

    /// Writes the files that differ and deletes every other `.swift` file of `directory` (it
    /// holds generated files only). Returns the names of the files written or deleted.
    static func write(_ files: [String: String], to directory: URL) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        var changed: [String] = []
        for name in files.keys.sorted() {
            let url = directory.appendingPathComponent(name)
            if let old = try? String(contentsOf: url, encoding: .utf8), old == files[name]! { continue }
            try Data(files[name]!.utf8).write(to: url)
            changed.append(name)
        }
        for name in try fm.contentsOfDirectory(atPath: directory.path).sorted()
        where name.hasSuffix(".swift") && files[name] == nil {
            try fm.removeItem(at: directory.appendingPathComponent(name))
            changed.append(name)
        }
        return changed
    }

    /// The names of the files of `directory` that differ from `files`: changed, missing, or
    /// `.swift` files that would be deleted.
    static func differences(_ files: [String: String], in directory: URL) -> [String] {
        var out: [String] = []
        for name in files.keys.sorted() {
            let old = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            if old != files[name]! { out.append(name) }
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in present.sorted() where name.hasSuffix(".swift") && files[name] == nil {
            out.append(name)
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
