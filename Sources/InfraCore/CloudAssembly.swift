import Foundation

/// The result of synthesis: templates, manifest data and assets. Written as a folder
/// (`infra.out/`) that is the only thing passed from synthesis to deployment.
public struct CloudAssembly {
    public let stacks: [StackArtifact]
    public let assets: [Asset]

    /// Keeps only the named stacks (by stack name or construct id), in app order; throws
    /// for unknown names.
    public func selecting(_ names: [String]) throws -> CloudAssembly {
        if names.isEmpty { return self }
        for n in names where !stacks.contains(where: { $0.stackName == n || $0.id == n }) {
            throw AssemblyError("no stack named '\(n)' (stacks: \(stacks.map(\.stackName).joined(separator: ", ")))")
        }
        let chosen = stacks.filter { s in names.contains(s.stackName) || names.contains(s.id) }
        let used = Set(chosen.flatMap(\.assets))
        return CloudAssembly(stacks: chosen, assets: assets.filter { used.contains($0.id) })
    }

    /// The rendered template of a stack.
    public func render(_ stack: StackArtifact, format: TemplateFormat) throws -> String {
        switch format {
        case .json: return String(decoding: stack.json.bytes(of: stack.template), as: UTF8.self)
        case .yaml: return try YAMLRenderer.render(stack.template)
        }
    }

    /// The manifest (`manifest.json`): each stack's template file and deployment settings, and
    /// the assets, in the contract's types (`AssemblyManifest`, written in their key order).
    /// Context values are config values, plain JSON; one holding a token (which has no value
    /// before deployment) is left out.
    public func manifest(format: TemplateFormat) -> AssemblyManifest {
        AssemblyManifest(
            stacks: stacks.map { s in
                AssemblyManifest.Stack(
                    id: s.id, stackName: s.stackName, template: s.templateFile(format), account: s.account,
                    region: s.region, dependencies: s.dependencies,
                    tags: Dictionary(s.tags, uniquingKeysWith: { _, last in last }),
                    terminationProtection: s.terminationProtection, assets: s.assets, configFile: s.configFile,
                    context: Dictionary(s.context.compactMap { k, v in JSONTree(literal: v).map { (k, $0) } },
                                        uniquingKeysWith: { _, last in last }),
                    exampleKeys: s.exampleKeys, images: s.images)
            },
            assets: assets.map { a in
                AssemblyManifest.Asset(id: a.id, type: a.kind, path: a.assemblyPath, source: Self.displayPath(a.sourcePath))
            })
    }

    /// A source path relative to the working directory when it is inside it, so manifests
    /// do not depend on where the checkout lives.
    static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Writes the assembly into `directory` atomically: everything is rendered and staged in a
    /// sibling temporary folder first, then swapped in; on any error the previous folder is
    /// left as it was.
    public func write(to directory: URL, format: TemplateFormat = .json) throws {
        let fm = FileManager.default
        // Render everything before touching the disk.
        var files: [(String, [UInt8])] = [
            (AssemblyManifest.fileName, try JSONRenderer.renderBytes(encoding: manifest(format: format))),
        ]
        for s in stacks {
            switch format {
            case .json: files.append((s.templateFile(format), s.json.bytes(of: s.template)))
            case .yaml: files.append((s.templateFile(format), Array(try YAMLRenderer.render(s.template).utf8)))
            }
        }
        let parent = directory.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            for (name, bytes) in files {
                try bytes.withUnsafeBytes { try Self.writeFile($0, to: staging.appendingPathComponent(name)) }
            }
            let previous = StagedZipRecord.read(in: directory)
            var record = StagedZipRecord()
            for asset in assets {
                try stage(asset, into: staging, previousFolder: directory, previous: previous, record: &record)
            }
            if !record.entries.isEmpty {
                try record.write(to: staging.appendingPathComponent(StagedZipRecord.fileName))
            }
            let old = parent.appendingPathComponent(".\(directory.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fm.removeItem(at: old)
            if fm.fileExists(atPath: directory.path) {
                try fm.moveItem(at: directory, to: old)
            }
            do {
                try fm.moveItem(at: staging, to: directory)
            } catch {
                if fm.fileExists(atPath: old.path) { try? fm.moveItem(at: old, to: directory) }
                throw error
            }
            try? fm.removeItem(at: old)
        } catch {
            try? fm.removeItem(at: staging)
            throw AssemblyError("cannot write '\(directory.path)': \(error.localizedDescription)")
        }
    }

    /// Stages one asset. A zip whose file the previous output folder already holds (same
    /// name, so same content hash) and whose bytes still match the SHA-256 recorded when it
    /// was written is hard-linked (or copied) instead of zipped again; anything else (no
    /// record, a changed, truncated or missing file) is zipped as on a first synth.
    private func stage(_ asset: Asset, into dir: URL, previousFolder: URL, previous: StagedZipRecord,
                       record: inout StagedZipRecord) throws {
        let target = dir.appendingPathComponent(asset.assemblyPath)
        guard let make = asset.makeStagedData else {
            try FileManager.default.copyItem(atPath: asset.sourcePath, toPath: target.path)
            return
        }
        let old = previousFolder.appendingPathComponent(asset.assemblyPath)
        if let expected = previous.entries[asset.assemblyPath],
           let bytes = FileManager.default.contents(atPath: old.path),
           StagedZipRecord.Entry(bytes) == expected,
           Self.reuse(old, at: target) {
            record.entries[asset.assemblyPath] = expected
            Self.reuseCount.increment()
            return
        }
        let data = try make()
        try data.withUnsafeBytes { try Self.writeFile($0, to: target) }
        record.entries[asset.assemblyPath] = StagedZipRecord.Entry(data)
    }

    /// Writes `bytes` to a new file in the staging folder with open/write/close. Foundation's
    /// `Data.write(to:)` also `fsync`s every file: four per one-stack synth, free on an idle disk
    /// and tens of milliseconds each on a busy one, for output that is swapped in by a rename
    /// and made again by the next synth. On any failure the file is written once more through
    /// `Data.write(to:)`, so an error says what Foundation's says.
    static func writeFile(_ bytes: UnsafeRawBufferPointer, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        if fd >= 0 {
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            if close(fd) == 0 && offset == bytes.count { return }
        }
        try Data(bytes).write(to: url)
    }

    /// How many zips `write` took from the previous output instead of zipping (for tests).
    public static var reusedZips: Int { reuseCount.value }
    private static let reuseCount = ReuseCounter()

    /// A counter that concurrent writes may bump.
    private final class ReuseCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
        func increment() { lock.lock(); count += 1; lock.unlock() }
    }

    private static func reuse(_ old: URL, at target: URL) -> Bool {
        let fm = FileManager.default
        if (try? fm.linkItem(at: old, to: target)) != nil { return true }
        return (try? fm.copyItem(at: old, to: target)) != nil
    }
}

/// The record (`.staged-zips` in the output folder) of the zips a synth wrote: each file's
/// name, size and SHA-256. The next synth into the same folder reuses a zip only when its
/// bytes still match; an unreadable or malformed record is ignored, so it is never trusted
/// blindly. Written inside the staged folder, so it is swapped in with the zips it describes.
struct StagedZipRecord {
    static let fileName = ".staged-zips"
    static let header = "infra-staged-zips-v1"

    struct Entry: Equatable {
        var size: Int
        var sha256: String

        init(size: Int, sha256: String) {
            self.size = size
            self.sha256 = sha256
        }

        init(_ data: Data) {
            size = data.count
            sha256 = Hash.hex(Hash.sha256(Array(data)))
        }
    }

    var entries: [String: Entry] = [:]

    static func read(in folder: URL) -> StagedZipRecord {
        var record = StagedZipRecord()
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path),
              let text = String(data: data, encoding: .utf8) else { return record }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(header) else { return record }
        lines.removeFirst()
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let size = Int(parts[1]), size >= 0, parts[2].count == 64,
                  parts[2].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                  !parts[0].contains("/") else { return StagedZipRecord() }
            record.entries[String(parts[0])] = Entry(size: size, sha256: String(parts[2]))
        }
        return record
    }

    func write(to file: URL) throws {
        var text = Self.header + "\n"
        for name in entries.keys.sorted() {
            let e = entries[name]!
            text += "\(name) \(e.size) \(e.sha256)\n"
        }
        try Array(text.utf8).withUnsafeBytes { try CloudAssembly.writeFile($0, to: file) }
    }
}
