import BuiltinStacks
import Foundation
import InfraCLI
import XCTest

/// The README's settings tables are the declarations' Markdown (`infra context --markdown`).
final class ReadmeSettingsTests: XCTestCase {
    func testReadmeTablesEqualTheDeclarations() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let declared = StackRegistry.all.compactMap { d in d.schema.map { (d.name, $0) } }
        XCTAssertGreaterThanOrEqual(declared.count, 3)
        for (name, schema) in declared {
            let block = "<!-- settings:\(name) -->\n" + schema.markdownTable() + "<!-- /settings:\(name) -->"
            XCTAssertTrue(readme.contains(block), "README's table for \(name) differs from its declarations: run `infra context --markdown`")
        }
    }
}
