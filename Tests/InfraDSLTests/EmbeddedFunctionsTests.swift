import Foundation
@testable import InfraDSL
import InfraTesting
import XCTest

/// Handler code the DSL inlines lives in functions/ (tested there with pytest: Tests/functions)
/// and reaches the binary as generated Swift text (scripts/embed-functions, which puts the code of
/// functions/shared/cfn_response.py in place of `import cfn_response`). These fail when the two
/// drift apart, like `scripts/codegen --check`.
final class EmbeddedFunctionsTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `scripts/embed-functions --check`: the generated Swift file is what the script writes from
    /// the files under functions/ today (python3, which scripts/test needs for cfn-lint anyway).
    func testTheGeneratedFileIsWhatTheScriptWrites() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.root.appendingPathComponent("scripts/embed-functions").path, "--check"]
        let errors = Pipe()
        p.standardError = errors
        try p.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, message)
    }

    /// Each embedded text holds every line of its file but the shared-module imports, and the
    /// shared module's code in their place.
    func testEveryEmbeddedTextIsItsFileWithSharedModulesInlined() throws {
        XCTAssertFalse(EmbeddedFunctions.all.isEmpty)
        let shared = try String(contentsOf: Self.root.appendingPathComponent("functions/shared/cfn_response.py"), encoding: .utf8)
        let sendFunction = try XCTUnwrap(shared.range(of: "def send(")).lowerBound
        for (path, text) in EmbeddedFunctions.all {
            let file = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            var rest = Substring(text)
            for line in file.components(separatedBy: "\n") where !line.isEmpty && line != "import cfn_response" {
                guard let r = rest.range(of: line) else { return XCTFail("\(path): line '\(line)' is not in its embedded copy (in order): run scripts/embed-functions") }
                rest = rest[r.upperBound...]
            }
            if file.contains("\nimport cfn_response\n") {
                XCTAssertFalse(text.contains("\nimport cfn_response\n"), path)
                XCTAssertTrue(text.contains(shared[sendFunction...].trimmingCharacters(in: .newlines)), path)
                XCTAssertTrue(text.contains("\ncfn_response = sys.modules[__name__]\n"), path)
            }
        }
    }

    func testTheNotificationsHandlerIsInlinedFromItsEmbeddedText() throws {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        Bucket(stack, "B").addEventNotification(function: fn)
        let t = try Template(app: app, stack: "S")
        let id = try XCTUnwrap(t.logicalId(at: "BucketNotificationsHandler"))
        t.hasResourceProperties("AWS::Lambda::Function", ["Code": ["ZipFile": .exact(.string(EmbeddedFunctions.bucketNotificationsHandler))],
                                                          "Handler": "index.handler"])
        XCTAssertTrue(id.hasPrefix("BucketNotificationsHandler"))
    }
}
