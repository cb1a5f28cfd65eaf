import Foundation

/// A local file or directory that deployment publishes before the stack that uses it: function
/// code zipped from a directory, a file, or a container image built from a Dockerfile directory.
/// Its id is the hash of its content, so unchanged content is never published twice.
public struct Asset: Sendable, Equatable {
    /// The kinds of assets (the manifest's `type`).
    public typealias Kind = AssetKind

    /// The content hash (hex SHA-256).
    public let id: String
    public let kind: Kind
    /// The source on disk (absolute).
    public let sourcePath: String
    /// The file or folder name inside the assembly.
    public let assemblyPath: String
    /// Makes the bytes to stage for `.zip` (the zip). Called only when the assembly is written
    /// and its output folder does not already hold this asset's file (`CloudAssembly.write`
    /// reuses that, as the id names the content), so an unchanged folder is not zipped again.
    public let makeStagedData: (@Sendable () throws -> Data)?

    /// The bytes to stage for `.zip` (the zip), made now; nil for assets copied as they are.
    public var stagedData: Data? { try? makeStagedData?() }

    public init(id: String, kind: Kind, sourcePath: String, assemblyPath: String, stagedData: Data? = nil) {
        var make: (@Sendable () throws -> Data)?
        if let stagedData { make = { stagedData } }
        self.init(id: id, kind: kind, sourcePath: sourcePath, assemblyPath: assemblyPath, makeStagedData: make)
    }

    public init(id: String, kind: Kind, sourcePath: String, assemblyPath: String,
                makeStagedData: (@Sendable () throws -> Data)?) {
        self.id = id
        self.kind = kind
        self.sourcePath = sourcePath
        self.assemblyPath = assemblyPath
        self.makeStagedData = makeStagedData
    }

    /// Assets are equal when they name the same content the same way (the id is the content hash).
    public static func == (a: Asset, b: Asset) -> Bool {
        a.id == b.id && a.kind == b.kind && a.sourcePath == b.sourcePath && a.assemblyPath == b.assemblyPath
            && (a.makeStagedData == nil) == (b.makeStagedData == nil)
    }
}

extension Asset {
    /// Names never part of an asset: version control, Python bytecode caches, Finder metadata
    /// (they change without the source changing and would change the content hash).
    public static let ignoredNames: Set<String> = [".git", "__pycache__", ".DS_Store"]

    /// The files of a directory, recursively, as sorted relative paths (symlinks followed,
    /// other hidden files included; `ignoredNames` skipped at any depth).
    public static func files(in directory: String) throws -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw AssemblyError("asset directory '\(directory)' does not exist")
        }
        guard let e = fm.enumerator(atPath: directory) else {
            throw AssemblyError("cannot read asset directory '\(directory)'")
        }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            if ignoredNames.contains((rel as NSString).lastPathComponent) { e.skipDescendants(); continue }
            var sub: ObjCBool = false
            if fm.fileExists(atPath: (directory as NSString).appendingPathComponent(rel), isDirectory: &sub), !sub.boolValue {
                out.append(rel)
            }
        }
        return out.sorted()
    }

    /// A content hash of a directory: SHA-256 over each file's relative path, executable bit
    /// and bytes, in sorted path order. Independent of timestamps, owners and the directory's
    /// own location, so the same content hashes the same on every machine.
    public static func hashDirectory(_ directory: String) throws -> String {
        let fm = FileManager.default
        var combined = [UInt8]()
        for rel in try files(in: directory) {
            let full = (directory as NSString).appendingPathComponent(rel)
            guard let data = fm.contents(atPath: full) else { throw AssemblyError("cannot read '\(full)'") }
            let exec = fm.isExecutableFile(atPath: full) ? "x" : "-"
            combined.append(contentsOf: Array("\(rel)\0\(exec)\0".utf8))
            combined.append(contentsOf: Hash.sha256(Array(data)))
        }
        return Hash.hex(Hash.sha256(combined))
    }
}
