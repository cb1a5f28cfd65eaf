import Foundation
import InfraCore
import XCTest

final class RenderingTests: XCTestCase {
    func testJSONEscapingAndNumbers() {
        let v: Value = ["s": "a\"b\\c\n\u{01}é", "i": 42, "d": 1.5, "whole": 3.0, "b": false, "n": nil, "e": [], "o": [:]]
        XCTAssertEqual(JSONRenderer.render(v, pretty: false),
                       #"{"s":"a\"b\\c\n\u0001é","i":42,"d":1.5,"whole":3,"b":false,"n":null,"e":[],"o":{}}"#)
    }

    func testParserRoundTripAndKeyOrder() throws {
        let text = #"{"z": [1, -2.5e-3, true, null, "\u00e9\ud83d\ude00"], "a": {"y": {}, "x": []}}"#
        let v = try JSONParser.parse(text)
        guard case .object(let pairs) = v else { return XCTFail() }
        XCTAssertEqual(pairs.map(\.0), ["z", "a"])
        XCTAssertEqual(v.at("z.4"), "é😀")
        XCTAssertEqual(try JSONParser.parse(JSONRenderer.render(v)), v)
    }

    func testParserErrorsHaveLineAndColumn() {
        let cases: [(String, Int, Int)] = [
            ("{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}", 3, 14),
            ("{\"a\": 1 \"b\": 2}", 1, 9),
            ("{\"a\": tru}", 1, 7),
            ("{\"a\": \"x}", 1, 10),
            ("", 1, 1),
            ("{\"a\": 1, \"a\": 2}", 1, 10),
        ]
        for (text, line, column) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { e in
                let err = e as! JSONParser.Error
                XCTAssertEqual([err.line, err.column], [line, column], "\(text): \(err)")
            }
        }
    }

    func testYAMLQuotesAmbiguousStringsAndKeepsOrder() throws {
        let v: Value = ["b": "true", "a": "0123", "c": "plain", "d": 5, "e": ["x: y", "yes"], "f": ""]
        let yaml = try YAMLRenderer.render(v)
        XCTAssertEqual(yaml, """
        b: 'true'
        a: '0123'
        c: plain
        d: 5
        e:
        - 'x: y'
        - 'yes'
        f: ''

        """)
    }

    func testSynthesisIsDeterministic() throws {
        func build() throws -> String {
            let app = App()
            let s = Stack(app, "S", tags: ["b": "2", "a": "1", "c": "3"])
            for i in 0..<20 {
                let group = s.child("G\(i % 3)") ?? Construct(s, "G\(i % 3)")
                _ = Widget(group, "W\(i)") {
                    $0.name = "n\(i)"
                    $0.labels = ["z": "1", "a": "2", "m": "3"]
                }
            }
            let assembly = try app.synthesize()
            return try assembly.render(assembly.stacks[0], format: .json) + assembly.render(assembly.stacks[0], format: .yaml)
        }
        XCTAssertEqual(try build(), try build())
    }
}

final class AssemblyTests: XCTestCase {
    var dir: URL!

    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-assembly-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir.deletingLastPathComponent().appendingPathComponent(dir.lastPathComponent))
    }

    func testWritesManifestAndTemplatesAtomically() throws {
        let app = App()
        let net = Stack(app, "Net", region: "eu-west-1")
        let svc = Stack(app, "Svc", tags: ["team": "a"], terminationProtection: true)
        let w = Widget(net, "W") { $0.name = "w" }
        _ = Widget(svc, "U") { $0.name = w.ref }
        let out = dir.appendingPathComponent("infra.out")
        try app.synthesize().write(to: out)
        let manifest = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8))
        XCTAssertEqual(manifest.at("version"), "1")
        XCTAssertEqual(manifest.at("stacks.0.template"), "Net.template.json")
        XCTAssertEqual(manifest.at("stacks.0.region"), "eu-west-1")
        XCTAssertEqual(manifest.at("stacks.1.dependencies"), ["Net"])
        XCTAssertEqual(manifest.at("stacks.1.terminationProtection"), true)
        XCTAssertEqual(manifest.at("stacks.1.tags"), ["team": "a"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("Svc.template.json").path))

        // YAML replaces the folder as a whole: the JSON templates are gone.
        try app.synthesize().write(to: out, format: .yaml)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("Svc.template.yaml").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("Svc.template.json").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(leftovers, ["infra.out"])
    }
}
