import Foundation
@testable import InfraDSL
import InfraTesting
import XCTest

/// Handler code the DSL inlines lives in functions/ (tested there with pytest: Tests/functions)
/// and reaches the binary as generated Swift text (scripts/embed-functions). These fail when
/// the two drift apart, like `scripts/codegen --check`.
final class EmbeddedFunctionsTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testEveryEmbeddedTextEqualsItsFile() throws {
        XCTAssertFalse(EmbeddedFunctions.all.isEmpty)
        for (path, text) in EmbeddedFunctions.all {
            let file = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            XCTAssertEqual(text, file, "\(path) differs from its embedded copy: run scripts/embed-functions")
        }
    }

    func testTheNotificationsHandlerIsInlinedFromItsFile() throws {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        Bucket(stack, "B").addEventNotification(function: fn)
        let t = try Template(app: app, stack: "S")
        let id = try XCTUnwrap(t.logicalId(at: "BucketNotificationsHandler"))
        let file = try String(contentsOf: Self.root.appendingPathComponent("functions/dsl/bucket-notifications/index.py"), encoding: .utf8)
        t.hasResourceProperties("AWS::Lambda::Function", ["Code": ["ZipFile": .exact(.string(file))], "Handler": "index.handler"])
        XCTAssertTrue(id.hasPrefix("BucketNotificationsHandler"))
    }
}
