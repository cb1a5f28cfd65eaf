import Foundation
@testable import InfraAWS
import XCTest

/// Runs every applicable case of the AWS SigV4 test suite copied into
/// `Resources/sigv4-testsuite` (see its README.md, LICENSE and NOTICE).
///
/// Skipped cases, and why:
/// - `post-x-www-form-urlencoded-parameters`: this copy's expected canonical request moves the
///   form body (`Param1=value1`) into the query string and hashes an *empty* payload. Real SigV4
///   (AWS services, botocore, moto) hashes the body and leaves the query empty, which is what
///   infra does for every query-protocol call; matching the vector would break real calls.
///   Its headers (content-type signed) are still covered by `post-x-www-form-urlencoded`.
/// - `iam/iam.creq`: no request file; the file holds only a string-to-sign, so there is
///   nothing to sign.
///
/// Adjusted cases (inconsistent files, compared where they agree):
/// - `post-x-www-form-urlencoded`: the `.creq` lists `host;x-amz-date` as signed headers while
///   its own canonical headers, `.sts` hash and `.authz` include `content-type`; the `.creq` is
///   compared with that one line corrected, `.sts` and `.authz` exactly.
/// - `double-encode-path`: no `.sts`/`.authz`; its `.creq` carries a different `x-amz-date`
///   (20210511T154045Z) from its `.req` (20150830T123600Z). The path line is what the case is
///   about; it is compared exactly and the `.sreq` signature is reproduced.
final class SigV4TestSuiteTests: XCTestCase {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources/sigv4-testsuite")

    static let example = Credentials(accessKeyId: "AKIDEXAMPLE",
                                     secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// The credentials smithy-rs signed its `.sreq`/`.qpsreq` additions with (access key
    /// `ANOTREAL`); the secret is confirmed by reproducing those files' signatures.
    static let smithyTest = Credentials(accessKeyId: "ANOTREAL", secretAccessKey: "notrealrnrELgWzOk3IfjzDKtFBhDby")

    static let skipped: Set<String> = ["post-x-www-form-urlencoded-parameters"]

    struct ParsedRequest {
        var method: String
        var path: String
        var query: String
        var headers: HTTPHeaders
        var body: Data
    }

    /// Parses a `.req`/`.sreq` file: request line, `Name:value` headers where an indented line
    /// continues the previous header as another value, a blank line, then the body.
    static func parseRequest(_ text: String) throws -> ParsedRequest {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "),
              let versionRange = requestLine.range(of: " HTTP/", options: .backwards) else {
            throw VectorError(message: "unparseable request line: \(requestLine)")
        }
        let target = String(requestLine[requestLine.index(after: firstSpace)..<versionRange.lowerBound])
        let method = String(requestLine[..<firstSpace])
        let (path, query): (String, String)
        if let q = target.firstIndex(of: "?") {
            (path, query) = (String(target[..<q]), String(target[target.index(after: q)...]))
        } else {
            (path, query) = (target, "")
        }
        var headers = HTTPHeaders()
        var lastName: String?
        var bodyLines: [String]?
        for line in lines {
            if bodyLines != nil { bodyLines!.append(line); continue }
            if line.isEmpty { bodyLines = []; continue }
            if line.first == " " || line.first == "\t", let name = lastName {
                headers.add(name, line.trimmingCharacters(in: .whitespaces))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            headers.add(name, String(line[line.index(after: colon)...]))
            lastName = name
        }
        return ParsedRequest(method: method, path: path, query: query, headers: headers,
                             body: Data((bodyLines ?? []).joined(separator: "\n").utf8))
    }

    /// Every case folder (one holding a `.req`), relative to the suite root.
    static func cases() throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: suite.path)!
        var result: [String] = []
        while let item = enumerator.nextObject() as? String {
            if item.hasSuffix(".req") { result.append((item as NSString).deletingLastPathComponent) }
        }
        return result.sorted()
    }

    static func read(_ folder: String, _ ext: String) -> String? {
        let name = (folder as NSString).lastPathComponent
        let text = try? String(contentsOf: suite.appendingPathComponent(folder).appendingPathComponent("\(name).\(ext)"),
                               encoding: .utf8)
        // .req bodies are significant; the expected files sometimes end in a newline, sometimes not
        return ext == "req" ? text : text?.trimmingTrailingNewlines
    }

    static func scope(_ authorization: String) -> (region: String, service: String)? {
        guard let range = authorization.range(of: "Credential=") else { return nil }
        let parts = authorization[range.upperBound...].prefix { $0 != "," }.split(separator: "/")
        guard parts.count == 5 else { return nil }
        return (String(parts[2]), String(parts[3]))
    }

    static func authorizationHeader(of sreq: String) -> String? {
        for line in sreq.components(separatedBy: "\n") where line.lowercased().hasPrefix("authorization:") {
            return line.dropFirst("authorization:".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    struct VectorError: Error {
        var message: String
    }

    /// Signs a case's request the way the suite means it: every header signed, the non-S3 path
    /// rule, time from its `X-Amz-Date` (or 20150830T123600Z).
    static func sign(_ folder: String, credentials: Credentials) throws -> SigV4Signature {
        let request = try parseRequest(XCTUnwrap(read(folder, "req")))
        let reference = read(folder, "authz") ?? authorizationHeader(of: read(folder, "sreq") ?? "") ?? ""
        let (region, service) = try XCTUnwrap(scope(reference), "no credential scope for \(folder)")
        let amzDate = request.headers["x-amz-date"] ?? "20150830T123600Z"
        let date = try XCTUnwrap(AWSDate.parseISO8601(amzDate))
        let signer = SigV4Signer(service: service, region: region, pathRule: .normalizeAndEncode, headerRule: .all)
        var signable = SignableRequest(method: request.method, path: request.path, query: request.query,
                                       headers: request.headers, payloadHash: Crypto.sha256Hex(request.body))
        return signer.sign(&signable, credentials: credentials, date: date)
    }

    func testEveryApplicableCase() throws {
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 31, "the suite folder looks incomplete: \(Self.suite.path)")
        var checked = 0
        for folder in cases {
            let name = (folder as NSString).lastPathComponent
            if Self.skipped.contains(name) { continue }
            let request = try Self.parseRequest(XCTUnwrap(Self.read(folder, "req")))
            var credentials = Self.example
            if name == "post-sts-header-before" {
                // the token is part of the signed request: sign with temporary credentials
                credentials.sessionToken = try XCTUnwrap(request.headers["X-Amz-Security-Token"])
            }
            if name == "double-encode-path" {
                try checkDoubleEncodePath(folder)
                checked += 1
                continue
            }
            let result = try Self.sign(folder, credentials: credentials)

            var expectedCreq = try XCTUnwrap(Self.read(folder, "creq"), name)
            if name == "post-x-www-form-urlencoded" {
                expectedCreq = expectedCreq.replacingOccurrences(of: "\n\nhost;x-amz-date\n",
                                                                 with: "\n\ncontent-type;host;x-amz-date\n")
            }
            XCTAssertEqual(result.canonicalRequest, expectedCreq, "canonical request of \(name)")
            XCTAssertEqual(result.stringToSign, Self.read(folder, "sts"), "string to sign of \(name)")
            XCTAssertEqual(result.authorization, Self.read(folder, "authz"), "authorization of \(name)")

            // The .sreq's Authorization (smithy-rs's additions use the ANOTREAL credentials).
            if let sreq = Self.read(folder, "sreq"), let expected = Self.authorizationHeader(of: sreq),
               expected.contains("Credential=ANOTREAL") {
                XCTAssertEqual(try Self.sign(folder, credentials: Self.smithyTest).authorization, expected,
                               "signed request of \(name)")
            } else if let sreq = Self.read(folder, "sreq") {
                XCTAssertEqual(result.authorization, Self.authorizationHeader(of: sreq), "signed request of \(name)")
            }
            checked += 1
        }
        XCTAssertEqual(checked, cases.count - Self.skipped.count)
    }

    func checkDoubleEncodePath(_ folder: String) throws {
        let result = try Self.sign(folder, credentials: Self.smithyTest)
        let expected = try XCTUnwrap(Self.read(folder, "creq")).components(separatedBy: "\n")
        let actual = result.canonicalRequest.components(separatedBy: "\n")
        XCTAssertEqual(actual.count, expected.count)
        for (a, e) in zip(actual, expected) where !e.hasPrefix("x-amz-date:") {
            XCTAssertEqual(a, e, "double-encode-path canonical request")
        }
        XCTAssertEqual(actual[1], "/test/%40connections/JBDvjfGEIAMCERw%253D")
        XCTAssertEqual(result.authorization, Self.authorizationHeader(of: try XCTUnwrap(Self.read(folder, "sreq"))))
    }

    /// `get-vanilla-query-order-key-case.qpsreq`: the presigned (query-string) form.
    func testPresignedQueryVector() throws {
        let folder = "get-vanilla-query-order-key-case"
        let qpsreq = try XCTUnwrap(Self.read(folder, "qpsreq"))
        let presigned = try Self.parseRequest(qpsreq)
        let original = try Self.parseRequest(XCTUnwrap(Self.read(folder, "req")))
        let signer = SigV4Signer(service: "service", region: "us-east-1", pathRule: .normalizeAndEncode)
        // smithy-rs presigned this one over the empty body's hash (not UNSIGNED-PAYLOAD)
        let (query, _) = signer.presignedQuery(
            method: original.method, path: original.path, query: original.query, headers: original.headers,
            credentials: Self.smithyTest, amzDate: "20150830T123600Z", expires: 35,
            payloadHash: SigV4Signer.emptyPayloadHash)
        XCTAssertEqual(query, presigned.query)
    }

    func testSigningKeyIsCachedPerDateRegionService() throws {
        let cache = SigningKeyCache()
        let signer = SigV4Signer(service: "service", region: "us-east-1", keyCache: cache)
        var request = SignableRequest(method: "GET", path: "/", headers: ["Host": "example.amazonaws.com"],
                                      payloadHash: SigV4Signer.emptyPayloadHash)
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        for _ in 0..<5 { signer.sign(&request, credentials: Self.example, date: date) }
        XCTAssertEqual(cache.derivationCount, 1)
        signer.sign(&request, credentials: Self.example, date: date.addingTimeInterval(86400))
        XCTAssertEqual(cache.derivationCount, 2)
        SigV4Signer(service: "s3", region: "us-east-1", keyCache: cache).sign(&request, credentials: Self.example, date: date)
        XCTAssertEqual(cache.derivationCount, 3)

        // concurrent use from many threads derives once per key and agrees on the signature
        let concurrentCache = SigningKeyCache()
        let concurrentSigner = SigV4Signer(service: "service", region: "us-east-1", keyCache: concurrentCache)
        let frozen = request
        let expected = concurrentSigner.signature(frozen, credentials: Self.example, amzDate: "20150830T123600Z").signature
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            let s = concurrentSigner.signature(frozen, credentials: Self.example, amzDate: "20150830T123600Z")
            XCTAssertEqual(s.signature, expected)
        }
        XCTAssertEqual(concurrentCache.derivationCount, 1)
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
