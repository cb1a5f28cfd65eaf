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
                try bytes.withUnsafeBytes { buffer in
                    // The bytes are written from where they are, not copied into a Data first.
                    let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                                    count: buffer.count, deallocator: .none)
                    try data.write(to: staging.appendingPathComponent(name))
                }
            }
            for asset in assets {
                try stage(asset, into: staging)
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

    private func stage(_ asset: Asset, into dir: URL) throws {
        let target = dir.appendingPathComponent(asset.assemblyPath)
        if let data = asset.stagedData {
            try data.write(to: target)
        } else {
            try FileManager.default.copyItem(atPath: asset.sourcePath, toPath: target.path)
        }
    }
}
