import Foundation
@testable import InfraAWS
import XCTest

/// Signing and encoding rules beyond the test suite, cross-checked against values computed with
/// botocore 1.43 (`S3SigV4Auth`, `S3SigV4QueryAuth`, `SigV4Auth`, `QuerySerializer`) for the same
/// inputs: the signatures a verifying server recomputes.
final class SigningTests: XCTestCase {
    static let temporary = Credentials(accessKeyId: "AKIDEXAMPLE",
                                       secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                       sessionToken: "SESSIONTOKEN")
    static let signingDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    func testQueryBodyIsFormEncodedExactlyAsBotocore() {
        // botocore: client('cloudformation').create_stack(StackName='a b',
        //   TemplateBody='{"x": "é*~!\'()"}', Parameters=[{'ParameterKey': 'k', 'ParameterValue': 'v w+'}])
        var p = QueryParameters()
        p.set("StackName", "a b")
        p.set("TemplateBody", #"{"x": "é*~!'()"}"#)
        p.structures("Parameters", [("k", "v w+")]) { [("ParameterKey", $0.0), ("ParameterValue", $0.1)] }
        XCTAssertEqual(p.body(action: "CreateStack", version: "2010-05-15"),
                       "Action=CreateStack&Version=2010-05-15&StackName=a+b"
                       + "&TemplateBody=%7B%22x%22%3A+%22%C3%A9%2A~%21%27%28%29%22%7D"
                       + "&Parameters.member.1.ParameterKey=k&Parameters.member.1.ParameterValue=v+w%2B")
        // every byte outside A-Za-z0-9-_.~ is escaped with upper-case hex; space is '+'
        XCTAssertEqual(PercentEncoding.formEncode("AZaz09-_.~ /+=&%\n\u{7F}"),
                       "AZaz09-_.~+%2F%2B%3D%26%25%0A%7F")
        XCTAssertEqual(PercentEncoding.uriEncode("a b+c/d~"), "a%20b%2Bc%2Fd~")
        XCTAssertEqual(PercentEncoding.uriEncode("a b/c", keepSlash: true), "a%20b/c")
    }

    func testQueryCallSignatureMatchesBotocore() {
        let body = "Action=CreateStack&Version=2010-05-15&StackName=a+b&TemplateBody=%7B%22x%22%3A+%22%C3%A9%2A~%21%27%28%29%22%7D"
        var request = HTTPRequest(method: "POST", url: URL(string: "https://cloudformation.us-east-1.amazonaws.com/")!,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                            "User-Agent": "infra/1.0"],
                                  body: Data(body.utf8))
        let signer = SigV4Signer(service: "cloudformation", region: "us-east-1")
        signer.sign(&request, credentials: Self.temporary, date: Self.signingDate)
        XCTAssertEqual(request.headers["Authorization"],
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/cloudformation/aws4_request, "
                       + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
                       + "Signature=718fe2b43eb30b260b19112d073b4d21310bc9ca27b92f3a3094cdfd9cf24eb0")
        XCTAssertEqual(request.headers["X-Amz-Security-Token"], "SESSIONTOKEN")
        XCTAssertEqual(request.headers["Host"], "cloudformation.us-east-1.amazonaws.com")
    }

    /// S3 keys: encoded once, never normalized; signatures from botocore's S3SigV4Auth.
    func testS3KeysSignLikeBotocore() throws {
        let cases: [(key: String, path: String, signature: String)] = [
            ("with space+plus.txt", "/with%20space%2Bplus.txt",
             "032755e50214745b79b505799b4a8db8046abdcfc50d12da8c18b581956db492"),
            ("ünïcode/ሴ.json", "/%C3%BCn%C3%AFcode/%E1%88%B4.json",
             "0069beb8b6ae635407a73dbf1f87b6e436dce176a33f545719283af53957741b"),
            ("a//b/./c/../d", "/a//b/./c/../d",
             "cf644671071591330a28f206ec017d46e9cc0122d0b51b290cf39bbc948c301f"),
            ("paren(1)=x&y*!'", "/paren%281%29%3Dx%26y%2A%21%27",
             "0fb42265aa28228b51f9dbeabe486f646fceabe474cc3cc8afcd342525472e48"),
            ("~tilde", "/~tilde", "a28be42ffb29b5bcac833af62640025b24768a68a3e4eb16bb509f2a356fe647"),
        ]
        let endpoint = Endpoint(url: URL(string: "https://s3.us-east-1.amazonaws.com")!, signingRegion: "us-east-1",
                                isCustom: false, s3VirtualHostStyle: true)
        for c in cases {
            let call = AWSRequest(service: .s3, operation: "PutObject", method: "PUT",
                                  path: "/" + PercentEncoding.uriEncode(c.key, keepSlash: true),
                                  headers: ["Content-Type": "text/plain"], body: Data("hello".utf8))
            let url = try AWSClient.url(for: S3Client.addressed(call, bucket: "bkt", endpoint: endpoint), endpoint: endpoint)
            XCTAssertEqual(url.host, "bkt.s3.us-east-1.amazonaws.com")
            XCTAssertEqual(SigV4Signer.pathAndQuery(url).path, c.path, c.key)
            var request = HTTPRequest(method: "PUT", url: url, headers: call.headers, body: call.body)
            let result = SigV4Signer(service: "s3", region: "us-east-1")
                .sign(&request, credentials: Self.temporary, date: Self.signingDate, addContentHashHeader: true)
            XCTAssertEqual(result.signature, c.signature, c.key)
            XCTAssertEqual(result.signedHeaders, "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        }
    }

    func testS3PresignedURLMatchesBotocore() throws {
        let signer = SigV4Signer(service: "s3", region: "us-east-1")
        let (url, _) = signer.presign(method: "GET", url: URL(string: "https://bkt.s3.us-east-1.amazonaws.com/assets/a%20b.zip")!,
                                      credentials: Self.temporary, date: Self.signingDate, expires: 300)
        let query = try XCTUnwrap(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery)
        let fields = Dictionary(uniqueKeysWithValues: query.split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1)
            return (String(kv[0]), String(kv[1]))
        })
        XCTAssertEqual(fields["X-Amz-Signature"], "0aa74154d15670661a77e99dda3b610ce2fbf5856e86ed20594fa52b81fbab80")
        XCTAssertEqual(fields["X-Amz-Credential"], "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request")
        XCTAssertEqual(fields["X-Amz-Expires"], "300")
        XCTAssertEqual(fields["X-Amz-SignedHeaders"], "host")
        XCTAssertEqual(fields["X-Amz-Security-Token"], "SESSIONTOKEN")
        XCTAssertTrue(url.absoluteString.hasPrefix("https://bkt.s3.us-east-1.amazonaws.com/assets/a%20b.zip?"))
    }

    func testPathRulesOfS3AndOtherServices() {
        let s3 = SigV4Signer(service: "s3", region: "us-east-1")
        let other = SigV4Signer(service: "lambda", region: "us-east-1")
        XCTAssertEqual(s3.canonicalPath("/a//b/./c/../d%3D"), "/a//b/./c/../d%3D")
        XCTAssertEqual(other.canonicalPath("/a//b/./c/../d%3D"), "/a/b/d%253D")
        XCTAssertEqual(s3.canonicalPath("/raw space"), "/raw%20space")
        XCTAssertEqual(other.canonicalPath(""), "/")
        XCTAssertEqual(SigV4Signer.normalize("/a/b/.."), "/a/")
        XCTAssertEqual(SigV4Signer.normalize("/../.."), "/")
    }

    func testHeaderSelection() {
        var request = SignableRequest(method: "POST", path: "/", headers: [
            "Host": "example.amazonaws.com:8443", "User-Agent": "curl/8", "Accept": "*/*",
            "Content-Type": "application/json", "X-Amz-Target": "Svc.Op", "Content-Length": "2",
            "My-Header": "x", "Content-MD5": "abc==",
        ], payloadHash: SigV4Signer.emptyPayloadHash)
        let result = SigV4Signer(service: "ecr", region: "us-east-1")
            .sign(&request, credentials: SigV4TestSuiteTests.example, date: Self.signingDate)
        XCTAssertEqual(result.signedHeaders, "content-md5;content-type;host;x-amz-date;x-amz-target")
        XCTAssertTrue(result.canonicalRequest.contains("host:example.amazonaws.com:8443\n"))
    }

    func testHostHeaderCarriesNonDefaultPorts() {
        XCTAssertEqual(SigV4Signer.hostHeader(URL(string: "http://127.0.0.1:5000/x")!), "127.0.0.1:5000")
        XCTAssertEqual(SigV4Signer.hostHeader(URL(string: "https://s3.amazonaws.com:443/x")!), "s3.amazonaws.com")
        XCTAssertEqual(SigV4Signer.hostHeader(URL(string: "http://localhost:80")!), "localhost")
        XCTAssertEqual(SigV4Signer.hostHeader(URL(string: "https://sts.amazonaws.com")!), "sts.amazonaws.com")
    }

    func testS3RequestsSignTheContentHashAndAllowUnsignedPayloadOverHTTPS() async throws {
        let transport = ScriptedTransport([HTTPResponse(statusCode: 200, headers: ["ETag": "\"e\""])])
        let https = scriptedClient(transport)
        _ = try await S3Client(client: https).putObject(bucket: "bkt", key: "k", body: Data("hello".utf8))
        let get = try await S3Client(client: https).getObject(bucket: "bkt", key: "k")
        XCTAssertEqual(get.metadata.eTag, "\"e\"")
        let put = transport.requests[0]
        XCTAssertEqual(put.url.absoluteString, "https://bkt.s3.us-east-1.amazonaws.com/k")
        XCTAssertEqual(put.headers["x-amz-content-sha256"], "UNSIGNED-PAYLOAD")
        XCTAssertEqual(put.headers["Content-MD5"], "XUFAKrxLKna5cZ2REBfFkg==")
        XCTAssertTrue(put.headers["Authorization"]!.contains("SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date,"))
        // GET (no body) signs the empty body's hash in x-amz-content-sha256
        XCTAssertEqual(transport.requests[1].headers["x-amz-content-sha256"], SigV4Signer.emptyPayloadHash)

        // over plain HTTP (custom endpoint) the body is hashed and the bucket goes in the path
        let plain = ScriptedTransport([HTTPResponse(statusCode: 200)])
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566"], homeDirectory: "/x")
        let client = AWSClient(region: "eu-west-1", credentials: StaticCredentialProvider(SigV4TestSuiteTests.example),
                               endpoints: EndpointResolver(environment: env), transport: plain)
        _ = try await S3Client(client: client).putObject(bucket: "bkt", key: "a b/c", body: Data("hello".utf8))
        XCTAssertEqual(plain.requests[0].url.absoluteString, "http://127.0.0.1:4566/bkt/a%20b/c")
        XCTAssertEqual(plain.requests[0].headers["x-amz-content-sha256"], Crypto.sha256Hex("hello"))
        XCTAssertTrue(plain.requests[0].headers["Authorization"]!.contains("/eu-west-1/s3/aws4_request"))
    }

    /// The generic client applies no service's rules: an S3 request built by hand is neither
    /// re-addressed nor given S3's content-hash header; S3Client and the REST clients ask for
    /// theirs (`PayloadSigning`, `hostPrefix`).
    func testServiceRulesLiveInTheServiceClients() async throws {
        let transport = ScriptedTransport([HTTPResponse(statusCode: 200),
                                           HTTPResponse(statusCode: 200, body: Data(#"{"FunctionName":"fn"}"#.utf8)),
                                           HTTPResponse(statusCode: 200)])
        let client = scriptedClient(transport)
        _ = try await client.send(AWSRequest(service: .s3, operation: "GetObject", method: "GET", path: "/bkt/k"))
        XCTAssertEqual(transport.requests[0].url.absoluteString, "https://s3.us-east-1.amazonaws.com/bkt/k")
        XCTAssertNil(transport.requests[0].headers["x-amz-content-sha256"])
        XCTAssertFalse(transport.requests[0].headers["Authorization"]!.contains("x-amz-content-sha256"))

        let fn = try await LambdaClient(client: client).getFunctionConfiguration("fn")
        XCTAssertEqual(fn.functionName, "fn")
        XCTAssertEqual(transport.requests[1].headers["x-amz-content-sha256"], SigV4Signer.emptyPayloadHash)
        XCTAssertTrue(transport.requests[1].headers["Authorization"]!.contains("x-amz-content-sha256"))

        _ = try await S3Client(client: client).headObject(bucket: "bkt", key: "k")
        XCTAssertEqual(transport.requests[2].url.absoluteString, "https://bkt.s3.us-east-1.amazonaws.com/k")
        XCTAssertEqual(transport.requests[2].headers["x-amz-content-sha256"], SigV4Signer.emptyPayloadHash)
    }

    func testCryptoPrimitives() {
        XCTAssertEqual(Crypto.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Crypto.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231 test case 2
        XCTAssertEqual(Crypto.hex(Crypto.hmacSHA256(key: Array("Jefe".utf8), string: "what do ya want for nothing?")),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(Crypto.hex(Crypto.md5(Data())), "d41d8cd98f00b204e9800998ecf8427e")
    }

    func testDates() {
        XCTAssertEqual(AWSDate.amzDate(Self.signingDate), "20150830T123600Z")
        XCTAssertEqual(AWSDate.iso8601(Self.signingDate), "2015-08-30T12:36:00Z")
        XCTAssertEqual(AWSDate.parseISO8601("2015-08-30T12:36:00Z"), Self.signingDate)
        XCTAssertEqual(AWSDate.parseISO8601("2015-08-30T12:36:00.250Z"), Self.signingDate.addingTimeInterval(0.25))
        XCTAssertEqual(AWSDate.parseISO8601("2015-08-30T14:36:00+02:00"), Self.signingDate)
        XCTAssertEqual(AWSDate.parseHTTPDate("Sun, 30 Aug 2015 12:36:00 GMT"), Self.signingDate)
        XCTAssertNil(AWSDate.parseISO8601("2015-13-30T12:36:00Z"))
        XCTAssertNil(AWSDate.parseISO8601("yesterday"))
    }

    func testCredentialsNeverShowSecrets() {
        let text = [Self.temporary.description, Self.temporary.debugDescription, "\(Self.temporary)",
                    String(reflecting: Self.temporary)].joined()
        var dumped = ""
        dump(Self.temporary, to: &dumped)
        for output in [text, dumped] {
            XCTAssertFalse(output.contains("wJalrXUtnFEMI"), output)
            XCTAssertFalse(output.contains("SESSIONTOKEN"), output)
            XCTAssertTrue(output.contains("AKIDEXAMPLE"), output)
        }
    }

    func testLogRedaction() {
        let headers: HTTPHeaders = [
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abcdef0123",
            "X-Amz-Security-Token": "SESSIONTOKEN", "Host": "h",
        ]
        let line = Redaction.headers(headers)
        XCTAssertFalse(line.contains("SESSIONTOKEN"))
        XCTAssertFalse(line.contains("abcdef0123"))
        XCTAssertFalse(line.contains("AKIDEXAMPLE"))
        XCTAssertTrue(line.contains("SignedHeaders=host"))
        let url = URL(string: "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F1&X-Amz-Security-Token=TOK&X-Amz-Signature=SIG&x=1")!
        XCTAssertEqual(url.redactedForLog,
                       "https://b.s3.amazonaws.com/k?X-Amz-Credential=<redacted>&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>&x=1")
    }
}
