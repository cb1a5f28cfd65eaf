import Foundation
@testable import InfraAWS
import XCTest

/// Mangled answers (truncated, bit-flipped, spliced, with bytes that made Foundation's XMLParser
/// trap) must end in a parsed value or a clear error, never a crash. Seeded and deterministic:
/// the same cases run every time. The answers were recorded from moto (Resources/recorded).
final class ResponseFuzzTests: XCTestCase {
    static let recorded: [(String, Data)] = {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/recorded")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".xml") || $0.hasSuffix(".json") }.sorted().map {
            ($0, (try? Data(contentsOf: dir.appendingPathComponent($0))) ?? Data())
        }
    }()

    /// SplitMix64: small, seeded, the same everywhere.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes that are interesting inside XML: markup, invalid UTF-8, control bytes, name characters.
    static let nasty: [UInt8] = [0x00, 0x01, 0x3C, 0x3E, 0x2F, 0x3A, 0x26, 0x3B, 0x22, 0x27, 0x3D, 0x21, 0x3F,
                                 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF8, 0xFE, 0xFF, 0x0D, 0x0A, 0x5D]

    static func mangle(_ sample: Data, other: Data, rng: inout Seeded) -> Data {
        var bytes = [UInt8](sample)
        guard !bytes.isEmpty else { return sample }
        switch rng.next() % 7 {
        case 0:  // truncation
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
        case 1:  // bit flips
            for _ in 0..<(1 + rng.next() % 8) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] ^= UInt8(1 << (rng.next() % 8))
            }
        case 2:  // splice: a prefix of this answer and a suffix of another
            let cut = Int(rng.next() % UInt64(bytes.count))
            let o = [UInt8](other)
            let from = o.isEmpty ? 0 : Int(rng.next() % UInt64(o.count))
            bytes = Array(bytes.prefix(cut)) + Array(o.suffix(from: from))
        case 3:  // nasty bytes, preferably right after a '<' (inside element names)
            let opens = bytes.indices.filter { bytes[$0] == 0x3C && $0 + 1 < bytes.count }
            for _ in 0..<(1 + rng.next() % 4) {
                let at = opens.isEmpty || rng.next() % 3 == 0 ? Int(rng.next() % UInt64(bytes.count))
                    : opens[Int(rng.next() % UInt64(opens.count))] + 1 + Int(rng.next() % 3)
                bytes[min(at, bytes.count - 1)] = nasty[Int(rng.next() % UInt64(nasty.count))]
            }
        case 4:  // a chunk repeated or removed
            let a = Int(rng.next() % UInt64(bytes.count))
            let b = min(bytes.count, a + Int(rng.next() % 64))
            if rng.next() % 2 == 0 { bytes.insert(contentsOf: bytes[a..<b], at: a) } else { bytes.removeSubrange(a..<b) }
        case 5:  // random garbage inserted
            let at = Int(rng.next() % UInt64(bytes.count))
            let garbage = (0..<(1 + rng.next() % 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            bytes.insert(contentsOf: garbage, at: at)
        default:  // several of the above
            var d = Data(bytes)
            for _ in 0..<3 { d = mangle(d, other: other, rng: &rng) }
            return d
        }
        return Data(bytes)
    }

    func testRecordedAnswersParseIntact() throws {
        XCTAssertGreaterThanOrEqual(Self.recorded.count, 11)
        for (name, data) in Self.recorded where name.hasSuffix(".xml") {
            XCTAssertNoThrow(try XMLTree.parse(data), name)
        }
        let stacks = try XMLTree.parse(Self.recorded.first { $0.0 == "cfn-describe-stacks.xml" }!.1)
        XCTAssertEqual(stacks.string("DescribeStacksResult/Stacks/member/StackName"), "rec")
        let list = try XMLTree.parse(Self.recorded.first { $0.0 == "s3-list-objects-v2.xml" }!.1)
        XCTAssertEqual(list.children("Contents").compactMap { $0.string("Key") }, ["a b&c.zip", "templates/x.json"])
    }

    /// Thousands of mangled answers straight into the parser.
    func testMangledAnswersNeverCrashTheParser() {
        var rng = Seeded(state: 20261207)
        var parsed = 0, rejected = 0
        let samples = Self.recorded
        for round in 0..<600 {
            for (index, (_, data)) in samples.enumerated() {
                let other = samples[(index + 1 + round) % samples.count].1
                let mangled = Self.mangle(data, other: other, rng: &rng)
                do {
                    _ = try XMLTree.parse(mangled)
                    parsed += 1
                } catch let error as XMLTree.ParseError {
                    XCTAssertTrue(error.description.hasPrefix("malformed XML") || error.description == "empty XML document",
                                  error.description)
                    rejected += 1
                } catch {
                    XCTFail("unexpected error \(error)")
                }
                // error answers are parsed by AWSError.parse, which must never fail
                let answer = AWSError.parse(HTTPResponse(statusCode: 400, body: mangled), service: .cloudFormation,
                                            operation: "DescribeStacks")
                XCTAssertFalse(answer.code.isEmpty)
            }
        }
        XCTAssertEqual(parsed + rejected, 600 * samples.count)
        XCTAssertGreaterThan(rejected, 1000)
        print("fuzz: \(parsed + rejected) mangled answers: \(parsed) still well-formed, \(rejected) rejected with an error")
    }

    /// Mangled answers through the whole client: each call ends in a value, an AWSError or
    /// AWSClientError.malformedResponse.
    func testMangledAnswersThroughTheServiceClients() async throws {
        var rng = Seeded(state: 7)
        let byName = Dictionary(uniqueKeysWithValues: Self.recorded)
        let all = Self.recorded.map(\.1)
        var outcomes: [String: Int] = [:]
        for round in 0..<250 {
            let pick = { (name: String) -> Data in
                Self.mangle(byName[name]!, other: all[round % all.count], rng: &rng)
            }
            let cases: [(String, Data, Int, (AWSClient) async throws -> Void)] = [
                ("cfn-describe-stacks.xml", pick("cfn-describe-stacks.xml"), 200,
                 { _ = try await CloudFormationClient(client: $0).describeStacks(stackName: "rec") }),
                ("cfn-describe-stack-events.xml", pick("cfn-describe-stack-events.xml"), 200,
                 { _ = try await CloudFormationClient(client: $0).describeStackEvents(stackName: "rec") }),
                ("cfn-error-validation.xml", pick("cfn-error-validation.xml"), 400,
                 { _ = try await CloudFormationClient(client: $0).describeStacks(stackName: "missing") }),
                ("sts-get-caller-identity.xml", pick("sts-get-caller-identity.xml"), 200,
                 { _ = try await STSClient(client: $0).getCallerIdentity() }),
                ("s3-list-objects-v2.xml", pick("s3-list-objects-v2.xml"), 200,
                 { _ = try await S3Client(client: $0).listObjectsV2(bucket: "rec-bucket") }),
                ("s3-error-no-such-key.xml", pick("s3-error-no-such-key.xml"), 404,
                 { _ = try await S3Client(client: $0).getObject(bucket: "rec-bucket", key: "nope") }),
                ("ecr-describe-repositories.json", pick("ecr-describe-repositories.json"), 200,
                 { _ = try await ECRClient(client: $0).describeRepositories() }),
                ("ecr-error-repository-not-found.json", pick("ecr-error-repository-not-found.json"), 400,
                 { _ = try await ECRClient(client: $0).describeImages(repositoryName: "nope") }),
            ]
            for (name, body, status, call) in cases {
                let transport = ScriptedTransport([HTTPResponse(statusCode: status, body: body)])
                do {
                    try await call(scriptedClient(transport))
                    outcomes["value", default: 0] += 1
                } catch is AWSError {
                    outcomes["AWSError", default: 0] += 1
                } catch AWSClientError.malformedResponse(_, _, let detail) {
                    XCTAssertFalse(detail.isEmpty, name)
                    outcomes["malformedResponse", default: 0] += 1
                } catch {
                    XCTFail("\(name): unexpected error \(error)")
                }
            }
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), 250 * 8)
        print("fuzz through the clients: \(outcomes.sorted { $0.key < $1.key })")
    }

    /// The inputs that made FoundationXML trap, and what the reader says about them.
    func testInvalidBytesInNamesAreErrors() {
        let cases: [(String, [UInt8])] = [
            ("invalid UTF-8 in a name", Array("<Err".utf8) + [0xFF, 0xFE] + Array("or></Err".utf8) + [0xFF, 0xFE] + Array("or>".utf8)),
            ("a digit starts a name", Array("<A><1B/></A>".utf8)),
            ("a control byte in a name", Array("<A\u{01}B></A\u{01}B>".utf8)),
            ("a truncated namespace", Array("<a:".utf8)),
            ("a DTD", Array("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>".utf8)),
            ("an unknown entity", Array("<x>&nbsp;</x>".utf8)),
            ("a NUL character reference", Array("<x>&#0;</x>".utf8)),
            ("a surrogate character reference", Array("<x>&#xD800;</x>".utf8)),
            ("mismatched tags", Array("<a><b></a></b>".utf8)),
            ("two roots", Array("<a/><b/>".utf8)),
            ("deep nesting", Array(String(repeating: "<a>", count: 10_000).utf8)),
        ]
        for (what, bytes) in cases {
            XCTAssertThrowsError(try XMLTree.parse(Data(bytes)), what) { error in
                XCTAssertTrue("\(error)".hasPrefix("malformed XML"), "\(what): \(error)")
            }
        }
        // and what must still parse
        let ok = try? XMLTree.parse(Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <s3:R xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/" a='1'><K>a &amp; b &#233;&#x1F600;</K><C><![CDATA[<x>]]></C><E/>\r\n</s3:R>
            """.utf8))
        XCTAssertEqual(ok?.name, "R")
        XCTAssertEqual(ok?.string("K"), "a & b é😀")
        XCTAssertEqual(ok?.string("C"), "<x>")
        XCTAssertEqual(ok?.child("E")?.text, "")
    }
}
