import Foundation
import XCTest

/// Misusing an imported resource is a compile error: each file of `Tests/CompileFail` is
/// type-checked on its own against the InfraDSL module this test was built with
/// (`swiftc -typecheck`, well under a second per file), and must give exactly the errors its
/// `// expected-error: <message>` comments name, on those lines (a file without any must
/// compile). See `Tests/CompileFail/README.md`.
final class CompileFailTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let casesDir = root.appendingPathComponent("Tests/CompileFail")

    func testMisusedImportsDoNotCompileAndProperUseDoes() throws {
        let modules = try Self.modulesDirectory()
        let flags = try Self.searchPaths(modules: modules)
        let cases = try FileManager.default.contentsOfDirectory(atPath: Self.casesDir.path).filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 2, "no cases in \(Self.casesDir.path)")
        XCTAssertTrue(cases.contains("imports-compile.swift"))

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("compile-fail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        // All cases at once: each is a separate, short swiftc process.
        var running: [(name: String, process: Process, output: URL)] = []
        for name in cases {
            let output = work.appendingPathComponent(name + ".log")
            FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["swiftc", "-typecheck", "-diagnostic-style", "llvm"] + flags + [Self.casesDir.appendingPathComponent(name).path]
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            running.append((name, p, output))
        }
        for (name, p, output) in running {
            p.waitUntilExit()
            let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            let expected = try Self.expectedErrors(in: Self.casesDir.appendingPathComponent(name))
            let actual = Self.errors(in: log, file: name)
            if expected.isEmpty {
                XCTAssertEqual(p.terminationStatus, 0, "\(name) must compile:\n\(log)")
            } else {
                XCTAssertNotEqual(p.terminationStatus, 0, "\(name) must not compile")
            }
            XCTAssertEqual(actual, expected, "\(name): the errors differ from its expected-error lines:\n\(log)")
        }
    }

    /// `line -> message` of every `// expected-error: message` comment.
    static func expectedErrors(in file: URL) throws -> [Int: [String]] {
        var out: [Int: [String]] = [:]
        let marker = "// expected-error: "
        for (i, line) in try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n").enumerated() {
            if let r = line.range(of: marker) { out[i + 1, default: []].append(String(line[r.upperBound...])) }
        }
        return out
    }

    /// `line -> messages` of the `<file>:<line>:<column>: error: <message>` lines of swiftc's output.
    static func errors(in log: String, file: String) -> [Int: [String]] {
        var out: [Int: [String]] = [:]
        for line in log.components(separatedBy: "\n") {
            guard let r = line.range(of: ": error: ") else { continue }
            let location = line[..<r.lowerBound].split(separator: ":")
            guard location.count >= 3, location[location.count - 3].hasSuffix(file),
                  let n = Int(location[location.count - 2]) else {
                out[0, default: []].append(line)   // an error elsewhere (a module not found, ...)
                continue
            }
            out[n, default: []].append(String(line[r.upperBound...]))
        }
        return out
    }

    /// The `Modules` directory next to the test binary: the modules this test was built with.
    static func modulesDirectory() throws -> URL {
        var dir = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("Modules")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("InfraDSL.swiftmodule").path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw NSError(domain: "CompileFailTests", code: 1, userInfo: [NSLocalizedDescriptionKey:
            "no Modules/InfraDSL.swiftmodule near the test binary \(CommandLine.arguments[0])"])
    }

    /// `-I` for the modules, and for the directory of every C module map the modules import
    /// (the package's system libraries and its dependencies' C targets).
    static func searchPaths(modules: URL) throws -> [String] {
        var dirs = [modules.path]
        var roots = [root.appendingPathComponent("Sources")]
        var up = modules.deletingLastPathComponent()
        for _ in 0..<4 {
            let checkouts = up.appendingPathComponent("checkouts")
            if FileManager.default.fileExists(atPath: checkouts.path) { roots.append(checkouts); break }
            up = up.deletingLastPathComponent()
        }
        for base in roots {
            guard let files = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let path as String in files where path.hasSuffix("module.modulemap") {
                dirs.append(base.appendingPathComponent(path).deletingLastPathComponent().path)
            }
        }
        return dirs.sorted().flatMap { ["-I", $0] }
    }
}
