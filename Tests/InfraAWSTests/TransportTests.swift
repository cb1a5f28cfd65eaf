import Foundation
@testable import InfraAWS
import XCTest

/// The real transport (libcurl) against a local server that drops, resets, trickles and
/// redirects: a stand-in for what the network does, since no AWS endpoint misbehaves on request.
final class TransportTests: XCTestCase {
    static let identity = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>
          <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
        </GetCallerIdentityResponse>
        """
    static let executed = """
        <ExecuteChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <ExecuteChangeSetResult/><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>
        </ExecuteChangeSetResponse>
        """

    nonisolated static func client(_ server: URL, retry: RetryPolicy = .default, timeout: TimeInterval = 30,
                transport: CurlTransport = CurlTransport(connectTimeout: 2)) -> AWSClient {
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": server.absoluteString], homeDirectory: "/nonexistent")
        return AWSClient(region: "us-east-1",
                         credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret",
                                                                           sessionToken: "session-token")),
                         endpoints: EndpointResolver(environment: env), transport: transport,
                         options: AWSClientOptions(retry: retry, timeout: timeout))
    }

    nonisolated static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    // MARK: Redirects

    func testRedirectIsReturnedAndCredentialsNeverReachTheLocationHost() async throws {
        let sink = try LocalServer { _, _ in .ok("sink") }
        let origin = try LocalServer { _, _ in
            .respond(307, [("Location", "http://127.0.0.1:\(sink.port)/stolen")], Data())
        }
        let transport = CurlTransport()
        let request = HTTPRequest(method: "GET", url: origin.url.appendingPathComponent("bucket/key"),
                                  headers: ["Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x, Signature=00",
                                            "X-Amz-Security-Token": "session-token"])
        let response = try await transport.send(request, timeout: 5)
        XCTAssertEqual(response.statusCode, 307)
        XCTAssertEqual(response.headers["Location"], "http://127.0.0.1:\(sink.port)/stolen")

        // through the client: a 301 from "S3" is an error answer, not a new destination
        let s3 = S3Client(client: Self.client(origin.url, retry: RetryPolicy(maxAttempts: 1)))
        do {
            _ = try await s3.getObject(bucket: "bucket", key: "key")
            XCTFail("a redirect must not succeed")
        } catch let error as AWSError {
            XCTAssertEqual(error.statusCode, 307)
        }
        XCTAssertEqual(sink.requests.count, 0, "the Location host received a request")
        XCTAssertEqual(origin.requests.count, 2)
    }

    // MARK: Dropped connections

    /// A read whose answer is lost is retried at once: milliseconds plus the first backoff
    /// (at most 1 s), not a timeout.
    func testDroppedConnectionOnAReadIsRetriedWithoutWaitingForATimeout() async throws {
        let server = try LocalServer { _, index in index == 0 ? .closeAfterRead : .ok(Self.identity) }
        let start = DispatchTime.now()
        let identity = try await STSClient(client: Self.client(server.url)).getCallerIdentity()
        let elapsed = Self.seconds(since: start)
        XCTAssertEqual(identity.account, "123456789012")
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertLessThan(elapsed, 1.5, "a dropped connection must not wait for the 30 s attempt deadline")
        print("dropped connection on a read, retried: \(Int(elapsed * 1000)) ms (backoff included)")

        let reset = try LocalServer { _, index in index == 0 ? .reset : .ok(Self.identity) }
        let quick = RetryPolicy(maxAttempts: 3, baseDelay: 0.001)
        let start2 = DispatchTime.now()
        _ = try await STSClient(client: Self.client(reset.url, retry: quick)).getCallerIdentity()
        let transportOnly = Self.seconds(since: start2)
        XCTAssertLessThan(transportOnly, 0.5)
        print("reset on a read, retried with a 1 ms backoff: \(Int(transportOnly * 1000)) ms")
    }

    /// A mutation whose answer is lost is not sent again: the caller gets `.ambiguous` at once.
    func testDroppedConnectionOnAMutationIsAmbiguousAndNotResent() async throws {
        let server = try LocalServer { request, _ in
            request.method == "GET" ? .ok("warm") : .closeAfterRead
        }
        let c = Self.client(server.url)
        // a kept-alive connection first: libcurl would silently resend a request on a reused
        // connection that dies, so mutations go over a fresh one
        _ = try await c.transport.send(HTTPRequest(method: "GET", url: server.url), timeout: 5)
        let start = DispatchTime.now()
        do {
            try await CloudFormationClient(client: c).executeChangeSet("cs", stackName: "s")
            XCTFail("expected an ambiguous outcome")
        } catch let AWSClientError.ambiguous(service, operation, underlying) {
            XCTAssertEqual(service, "CloudFormation")
            XCTAssertEqual(operation, "ExecuteChangeSet")
            XCTAssertTrue(underlying.contains("127.0.0.1:\(server.port)"), underlying)
        }
        XCTAssertLessThan(Self.seconds(since: start), 1)
        XCTAssertEqual(server.requests.filter { $0.method == "POST" }.count, 1, "the mutation was sent twice")
    }

    /// A refused connection proves the request never left: a mutation is retried.
    func testRefusedConnectionIsRetriedEvenForAMutation() async throws {
        let port = try LocalServer.closedPort()
        let sleeps = SleepRecorder()
        let c = Self.client(URL(string: "http://127.0.0.1:\(port)")!, retry: sleeps.policy(maxAttempts: 3))
        do {
            try await CloudFormationClient(client: c).executeChangeSet("cs", stackName: "s")
            XCTFail("expected a transport error")
        } catch let AWSClientError.transport(_, operation, attempts, underlying) {
            XCTAssertEqual(operation, "ExecuteChangeSet")
            XCTAssertEqual(attempts, 3)
            XCTAssertTrue(underlying.contains("could not connect"), underlying)
        }
        XCTAssertEqual(sleeps.recorded.count, 2)
    }

    func testTransportErrorsSayWhetherTheRequestWasSent() async throws {
        let transport = CurlTransport(connectTimeout: 2)
        let port = try LocalServer.closedPort()
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:\(port)/")!), timeout: 5)
            XCTFail("expected a refused connection")
        } catch let error as TransportError {
            XCTAssertEqual(error.delivery, .notSent)
            XCTAssertTrue(error.isRetryable)
        }
        let server = try LocalServer { _, _ in .closeAfterRead }
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: server.url), timeout: 5)
            XCTFail("expected an empty reply")
        } catch let error as TransportError {
            XCTAssertEqual(error.delivery, .maybeSent)
            XCTAssertTrue(error.message.contains("connection closed after the request was sent"), error.message)
        }
    }

    // MARK: Deadlines and cancellation

    /// The attempt timeout is a deadline: a server that trickles a byte every 100 ms cannot keep
    /// a call alive past it (an idle timer never fires there).
    func testAttemptTimeoutIsADeadlineNotAnIdleTimer() async throws {
        let server = try LocalServer { _, _ in .trickle(total: 100, interval: 0.1) }
        let start = DispatchTime.now()
        do {
            _ = try await CurlTransport().send(HTTPRequest(method: "GET", url: server.url), timeout: 1)
            XCTFail("expected a timeout")
        } catch let error as TransportError {
            XCTAssertTrue(error.isTimeout)
            XCTAssertEqual(error.delivery, .maybeSent)
        }
        let elapsed = Self.seconds(since: start)
        XCTAssertGreaterThan(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 3)
    }

    /// The whole call has a deadline too: retries of a hanging read stop there.
    func testCallDeadlineBoundsEveryAttempt() async throws {
        let server = try LocalServer { _, _ in .hang }
        var options = AWSClientOptions(retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.01), timeout: 0.5, callDeadline: 1.2)
        options.minimumUploadRate = 0
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": server.url.absoluteString], homeDirectory: "/nonexistent")
        let c = AWSClient(region: "us-east-1", credentials: StaticCredentialProvider(Credentials(accessKeyId: "A", secretAccessKey: "s")),
                          endpoints: EndpointResolver(environment: env), transport: CurlTransport(), options: options)
        let start = DispatchTime.now()
        do {
            _ = try await STSClient(client: c).getCallerIdentity()
            XCTFail("expected a failure")
        } catch let AWSClientError.transport(_, _, attempts, _) {
            XCTAssertGreaterThanOrEqual(attempts, 2)
            XCTAssertLessThan(attempts, 4)
        }
        XCTAssertLessThan(Self.seconds(since: start), 2.5)
    }

    func testCancellationAbortsATransfer() async throws {
        let server = try LocalServer { _, _ in .hang }
        let task = Task.detached { try await CurlTransport().send(HTTPRequest(method: "GET", url: server.url), timeout: 60) }
        try await Task.sleep(nanoseconds: 200_000_000)
        let start = DispatchTime.now()
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected cancellation")
        } catch is CancellationError {
        }
        XCTAssertLessThan(Self.seconds(since: start), 2)
    }

    // MARK: Wire format

    /// What goes on the wire: the signed headers as given, no User-Agent, no Expect, no
    /// form Content-Type added to a body that has none; HEAD, PUT, DELETE bodies.
    func testRequestsGoOutAsSigned() async throws {
        let server = try LocalServer { request, _ in .ok(request.method == "HEAD" ? "" : "ok") }
        let transport = CurlTransport()
        let big = Data(repeating: 0x61, count: 2_000_000)
        _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url.appendingPathComponent("k"),
                                                 headers: ["X-Amz-Date": "20150830T123600Z"], body: big), timeout: 10)
        _ = try await transport.send(HTTPRequest(method: "HEAD", url: server.url), timeout: 5)
        _ = try await transport.send(HTTPRequest(method: "DELETE", url: server.url), timeout: 5)
        _ = try await transport.send(HTTPRequest(method: "PUT", url: server.url), timeout: 5)
        let r = server.requests
        XCTAssertEqual(r.map(\.method), ["PUT", "HEAD", "DELETE", "PUT"])
        XCTAssertEqual(r[0].body.count, big.count)
        XCTAssertEqual(r[0].header("X-Amz-Date"), "20150830T123600Z")
        XCTAssertNil(r[0].header("User-Agent"))
        XCTAssertNil(r[0].header("Expect"))
        XCTAssertNil(r[0].header("Content-Type"))
        XCTAssertEqual(r[3].header("Content-Length"), "0")

        // signed through the client: the Host header is the one that was signed
        let c = Self.client(server.url, retry: RetryPolicy(maxAttempts: 1))
        _ = try? await STSClient(client: c).getCallerIdentity()
        let signed = server.requests.last!
        XCTAssertEqual(signed.header("Host"), "127.0.0.1:\(server.port)")
        XCTAssertTrue(signed.header("Authorization")?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token") == true,
                      signed.header("Authorization") ?? "")
    }
}
