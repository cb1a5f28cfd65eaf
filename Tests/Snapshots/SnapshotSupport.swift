import BuiltinStacks
import Foundation
import InfraCLI
import InfraDSL
import XCTest

/// Golden templates: a configured stack, or a variant of it (context overrides), synthesized and
/// compared byte for byte with `Tests/Snapshots/golden/<stackName>[-<variant>].template.json`.
/// `INFRA_RECORD=1 swift test --filter SnapshotTests` rewrites them on purpose (CI never sets
/// it); review the diff before committing.
enum Snapshot {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = root.appendingPathComponent("Tests/Snapshots/golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["INFRA_RECORD"] == "1" }
    /// The golden file of the toolkit template (`infra bootstrap`), the one not from a config.
    static let toolkitFile = "\(Toolkit.defaultStackName).template.json"

    /// Synthesizes `config/<config>` with `overrides` and compares (or records) every stack
    /// template it produces. Returns the golden file names it checked.
    @discardableResult
    static func check(config: String, variant: String = "", overrides: [(String, String)] = [],
                      file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let url = root.appendingPathComponent("config").appendingPathComponent(config)
        var cfg = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/\(config)")
        cfg.applyOverrides(overrides)
        let project = Project(configDirectory: url.deletingLastPathComponent(), definitions: StackRegistry.all)
        let assembly = try project.buildApp([cfg]).synthesize()
        var names: [String] = []
        for stack in assembly.stacks {
            let name = stack.stackName + (variant.isEmpty ? "" : "-\(variant)") + ".template.json"
            names.append(name)
            let rendered = try assembly.render(stack, format: .json)
            let path = golden.appendingPathComponent(name)
            if recording {
                try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
                try rendered.write(to: path, atomically: true, encoding: .utf8)
                continue
            }
            guard let expected = try? String(contentsOf: path, encoding: .utf8) else {
                XCTFail("missing golden file \(path.path): run INFRA_RECORD=1 swift test --filter SnapshotTests", file: file, line: line)
                continue
            }
            if expected != rendered {
                XCTFail("\(name) differs from its golden file (first difference at line \(firstDifference(expected, rendered))); if the change is intended, run INFRA_RECORD=1 swift test --filter SnapshotTests and review the diff", file: file, line: line)
            }
        }
        return names
    }

    static func firstDifference(_ a: String, _ b: String) -> Int {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<min(la.count, lb.count) where la[i] != lb[i] { return i + 1 }
        return min(la.count, lb.count) + 1
    }
}
