import BuiltinStacks
import Foundation
import InfraCLI
import InfraCore
import XCTest

final class ConfigTests: XCTestCase {
    func expectError(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try StackConfig.parse(text, file: "config/x.json"), file: file, line: line) { e in
            XCTAssertEqual((e as? ConfigError)?.description, expected, file: file, line: line)
        }
    }

    func testParsesAllKeys() throws {
        let c = try StackConfig.parse("""
        {"app": "example", "stackName": "demo", "account": "123456789012", "region": "eu-west-1",
         "description": "d", "tags": {"a": "b"}, "terminationProtection": true,
         "context": {"N": 3, "S": "x", "L": ["a", "b"], "B": false, "NULL": null}}
        """, file: "config/x.json")
        XCTAssertEqual(c.stackName, "demo")
        XCTAssertEqual(c.tags, ["a": "b"])
        XCTAssertEqual(try c.int("N"), 3)
        XCTAssertEqual(try c.string("S"), "x")
        XCTAssertEqual(try c.stringList("L"), ["a", "b"])
        XCTAssertEqual(try c.bool("B"), false)
        XCTAssertNil(try c.optionalString("NULL"))
        XCTAssertEqual(try c.string("MISSING", default: "d"), "d")
        let d = try StackConfig.parse(#"{"app": "example"}"#, file: "config/other.json")
        XCTAssertEqual(d.stackName, "other")
    }

    func testErrorsNameFileKeyAndPosition() {
        expectError("{\n  \"app\": \"example\",\n  \"context\": {\"a\": 1,}\n}",
                    "config/x.json: invalid JSON at line 3, column 22: expected a string key")
        expectError(#"{"stackName": "x"}"#, "config/x.json: key 'app': missing required key: the stack definition to build")
        expectError(#"{"app": 3}"#, "config/x.json: key 'app': must be a string, found a number (line 1, column 2)")
        expectError(#"{"app": "e", "regoin": "x"}"#, "config/x.json: key 'regoin': unknown key (did you mean region?) (known keys: app, stackName, account, region, description, tags, terminationProtection, context) (line 1, column 14)")
        expectError(#"{"app": "e", "tags": {"a": 1}}"#, "config/x.json: key 'tags.a': must be a string, found a number (line 1, column 23)")
        expectError(#"{"app": "e", "account": "12"}"#, "config/x.json: key 'account': '12' is not a 12-digit AWS account id (line 1, column 14)")
        expectError("[1]", "config/x.json: the file must hold a JSON object")
        let c = try! StackConfig.parse(#"{"app": "e", "context": {"N": "many", "L": 5}}"#, file: "config/x.json")
        XCTAssertThrowsError(try c.int("N")) { XCTAssertEqual("\($0)", #"config/x.json: key 'context.N': must be an integer, found the string "many""#) }
        XCTAssertThrowsError(try c.stringList("L")) { XCTAssertEqual("\($0)", "config/x.json: key 'context.L': must be a list of strings, found a number") }
        XCTAssertThrowsError(try c.string("REQ")) { XCTAssertEqual("\($0)", "config/x.json: key 'context.REQ': missing required key") }
        XCTAssertThrowsError(try c.choice("N", ["a", "b"])) { XCTAssertEqual("\($0)", "config/x.json: key 'context.N': 'many' is not one of: a, b") }
    }

    func testOverrides() throws {
        var c = try StackConfig.parse(#"{"app": "e", "context": {"N": 1, "S": "a"}}"#, file: "x.json")
        c.applyOverrides(try StackConfig.parseOverrides(["N=5", "S=hello world", "J=[\"a\"]", "E="]))
        XCTAssertEqual(try c.int("N"), 5)
        XCTAssertEqual(try c.string("S"), "hello world")
        XCTAssertEqual(try c.stringList("J"), ["a"])
        XCTAssertEqual(c.context["E"], "")
        XCTAssertThrowsError(try StackConfig.parseOverrides(["novalue"]))
    }

    func testProjectErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = Project(configDirectory: dir, definitions: StackRegistry.all)
        XCTAssertThrowsError(try project.loadConfigs()) { XCTAssertTrue("\($0)".contains("no *.json stack configs")) }
        try #"{"app": "nope"}"#.write(to: dir.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try project.loadConfigs()) {
            XCTAssertTrue("\($0)".contains("a.json: key 'app': unknown stack definition 'nope'"), "\($0)")
        }
        XCTAssertThrowsError(try Project(configDirectory: dir.appendingPathComponent("missing"), definitions: StackRegistry.all).loadConfigs()) {
            XCTAssertTrue("\($0)".contains("config folder not found"))
        }
    }
}
