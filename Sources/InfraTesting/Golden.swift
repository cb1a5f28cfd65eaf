import Foundation
import InfraCore

/// Golden files: a rendered text compared byte for byte with a committed file. With the
/// environment variable `INFRA_RECORD=1` the file is (re)written instead and the assertion
/// passes; CI never sets it, so a changed golden file is always a reviewed change.
public enum Golden {
    /// The environment variable that re-records golden files.
    public static let recordVariable = "INFRA_RECORD"

    /// True when `INFRA_RECORD=1`.
    public static var recording: Bool { ProcessInfo.processInfo.environment[recordVariable] == "1" }

    /// Compares `text` with the file at `path` (relative paths resolve against the folder of
    /// the calling test file, so the result does not depend on the working directory).
    /// Returns the failure message, or nil when equal (or recorded).
    public static func check(_ text: String, path: String, testFile: StaticString = #filePath) -> String? {
        let url = resolve(path, testFile: testFile)
        if recording {
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
                return nil
            } catch {
                return "cannot record golden file \(url.path): \(error)"
            }
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return "missing golden file \(url.path): run \(recordVariable)=1 swift test --filter <this test> to record it, then review and commit it"
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected == text { return nil }
        let (line, want, got) = firstDifference(expected, text)
        return "differs from golden file \(url.path) at line \(line):\n  golden: \(want)\n  actual: \(got)\n"
            + "if the change is intended, run \(recordVariable)=1 swift test --filter <this test> and review the diff"
    }

    /// Asserts that `text` equals the golden file at `path` (see `check`).
    public static func assertMatches(_ text: String, path: String, file: StaticString = #filePath, line: UInt = #line) {
        if let message = check(text, path: path, testFile: file) { Failure.record(message, file: file, line: line) }
    }

    static func resolve(_ path: String, testFile: StaticString) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: "\(testFile)").deletingLastPathComponent().appendingPathComponent(path)
    }

    static func firstDifference(_ a: String, _ b: String) -> (Int, String, String) {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<end of file>"
            let y = i < lb.count ? String(lb[i]) : "<end of file>"
            if x != y { return (i + 1, x, y) }
        }
        return (max(la.count, lb.count), "", "")
    }
}

extension Template {
    /// Compares the template, rendered as pretty JSON, with a golden file (see `Golden`).
    public func matchesGolden(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        if let message = Golden.check(JSONRenderer.render(json) + "\n", path: path, testFile: file) { report(message, file, line) }
    }
}
