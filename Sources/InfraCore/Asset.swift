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
    /// The bytes to stage for `.zip` (the zip), computed when the asset was created.
    public let stagedData: Data?

    public init(id: String, kind: Kind, sourcePath: String, assemblyPath: String, stagedData: Data? = nil) {
        self.id = id
        self.kind = kind
        self.sourcePath = sourcePath
        self.assemblyPath = assemblyPath
        self.stagedData = stagedData
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
