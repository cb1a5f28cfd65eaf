import Foundation

/// Runs Graphviz's `dot` (Debian package `graphviz`) to turn DOT into SVG or PNG.
public enum Graphviz {
    /// The message when `dot` is not installed.
    public static let missingMessage =
        "Graphviz's `dot` is not on PATH: install the Debian package `graphviz` (apt-get install graphviz) to draw SVG, or use --format dot, mermaid or json"

    /// The `dot` executable on PATH, if any.
    public static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/dot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Renders `dot` text to the output format (`svg`, `png`); throws `GraphError` with dot's
    /// own message when it refuses the input, and `missingMessage` when it is not installed.
    public static func render(_ dot: String, format: String = "svg") throws -> Data {
        guard let exe = executable() else { throw GraphError(missingMessage) }
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("infra-graph-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let input = dir.appendingPathComponent("graph.dot")
        let output = dir.appendingPathComponent("graph.\(format)")
        let errors = dir.appendingPathComponent("stderr")
        try Data(dot.utf8).write(to: input)
        _ = fm.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["-T\(format)", "-o", output.path, input.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        do {
            try process.run()
        } catch {
            throw GraphError("cannot run \(exe): \(error)")
        }
        process.waitUntilExit()
        let message = (try? String(contentsOf: errors, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw GraphError("dot -T\(format) failed (exit \(process.terminationStatus))" + (message.isEmpty ? "" : ": \(message)"))
        }
        guard let data = fm.contents(atPath: output.path), !data.isEmpty else {
            throw GraphError("dot -T\(format) wrote nothing" + (message.isEmpty ? "" : ": \(message)"))
        }
        return data
    }
}
