import Foundation
@testable import InfraAWS
import XCTest

/// Retry decisions with a scripted transport and recorded (not real) sleeps.
final class RetryTests: XCTestCase {
    static let throttling = HTTPResponse.xml(400, """
        <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
          <RequestId>5ccc7dcd-744c-11e5-be70-1b08c228efb3</RequestId>
        </ErrorResponse>
        """)
    static let created = HTTPResponse.xml(200, """
        <CreateStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <CreateStackResult>
            <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/MyStack/aaf549a0-a413-11df-adb3-5081b3858e83</StackId>
          </CreateStackResult>
          <ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata>
        </CreateStackResponse>
        """)

    func testThrottlingIsRetriedWithBackoffAndTheSameClientRequestToken() async throws {
        let transport = ScriptedTransport([Self.throttling, Self.throttling, Self.created])
        let sleeps = SleepRecorder()
        let cfn = CloudFormationClient(client: scriptedClient(transport, retry: sleeps.policy()))
        let id = try await cfn.createStack(stackName: "MyStack", settings: StackSettings(template: .body("{}")))
        XCTAssertTrue(id.hasSuffix("stack/MyStack/aaf549a0-a413-11df-adb3-5081b3858e83"))
        XCTAssertEqual(transport.requests.count, 3)
        // full jitter over 0.5 s, then 1 s (the recorder picks the top of each range)
        XCTAssertEqual(sleeps.recorded, [0.5, 1.0])
        let tokens = Set(transport.requests.map { $0.formFields["ClientRequestToken"] ?? "" })
        XCTAssertEqual(tokens.count, 1)
        XCTAssertTrue(tokens.first!.hasPrefix("infra-"))
        XCTAssertEqual(Set(transport.requests.map(\.bodyText)).count, 1, "a retry resends the same body")
        XCTAssertTrue(transport.requests.allSatisfy { $0.headers["Authorization"] != nil })

        // a second logical call gets a new token
        _ = try await cfn.createStack(stackName: "MyStack", settings: StackSettings(template: .body("{}")))
        XCTAssertNotEqual(transport.requests.last?.formFields["ClientRequestToken"], tokens.first)
    }

    func testAttemptsAreBoundedAndBackoffCapped() async throws {
        let transport = ScriptedTransport([HTTPResponse.xml(503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>R1</RequestId></Error>")])
        let sleeps = SleepRecorder()
        let s3 = S3Client(client: scriptedClient(transport, retry: sleeps.policy(maxAttempts: 6, baseDelay: 1, maxDelay: 4)))
        do {
            _ = try await s3.getObject(bucket: "b", key: "k")
            XCTFail("expected SlowDown")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "SlowDown")
            XCTAssertEqual(error.description, "S3 GetObject failed: SlowDown: Please reduce your request rate. (HTTP 503, request id R1)")
        }
        XCTAssertEqual(transport.requests.count, 6)
        XCTAssertEqual(sleeps.recorded, [1, 2, 4, 4, 4])
    }

    func testJitterStaysWithinTheCeiling() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 20)
        for retry in 1...12 {
            let ceiling = min(20, 0.5 * pow(2, Double(retry - 1)))
            for _ in 0..<50 {
                let d = policy.delay(beforeRetry: retry)
                XCTAssertGreaterThanOrEqual(d, 0)
                XCTAssertLessThanOrEqual(d, ceiling)
            }
        }
    }

    func testClientErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([.xml(400, """
            <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
              <Error><Type>Sender</Type><Code>ValidationError</Code><Message>Template format error: JSON not well-formed. (line 1, column 2)</Message></Error>
              <RequestId>0d0b4e9e-0000-0000-0000-000000000000</RequestId>
            </ErrorResponse>
            """)])
        let sleeps = SleepRecorder()
        let cfn = CloudFormationClient(client: scriptedClient(transport, retry: sleeps.policy()))
        do {
            _ = try await cfn.createStack(stackName: "s", settings: StackSettings(template: .body("{")))
            XCTFail("expected ValidationError")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "ValidationError")
            XCTAssertEqual(error.operation, "CreateStack")
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(sleeps.recorded, [])
    }

    func testServerErrorsAndDroppedConnectionsAreRetried() async throws {
        let transport = ScriptedTransport { _, index in
            switch index {
            case 0: throw TransportError("127.0.0.1:1: connection lost", isRetryable: true)
            case 1: return .xml(500, "<ErrorResponse><Error><Code>InternalFailure</Code><Message>oops</Message></Error></ErrorResponse>")
            case 2: return HTTPResponse(statusCode: 502)
            default: return .xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:root</Arn><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
            }
        }
        let sleeps = SleepRecorder()
        let identity = try await STSClient(client: scriptedClient(transport, retry: sleeps.policy())).getCallerIdentity()
        XCTAssertEqual(identity.account, "1")
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(sleeps.recorded.count, 3)
    }

    func testTransportFailuresSurfaceAfterTheLastAttempt() async throws {
        let transport = ScriptedTransport { _, _ in throw TransportError("127.0.0.1:9: could not connect", isRetryable: true) }
        let sleeps = SleepRecorder()
        do {
            _ = try await STSClient(client: scriptedClient(transport, retry: sleeps.policy(maxAttempts: 3))).getCallerIdentity()
            XCTFail("expected a transport error")
        } catch let error as AWSClientError {
            XCTAssertEqual("\(error)", "STS GetCallerIdentity failed after 3 attempts: 127.0.0.1:9: could not connect")
        }
        XCTAssertEqual(transport.requests.count, 3)

        let fatal = ScriptedTransport { _, _ in throw TransportError("bad.example: host not found", isRetryable: false) }
        do {
            _ = try await STSClient(client: scriptedClient(fatal, retry: sleeps.policy())).getCallerIdentity()
            XCTFail("expected a transport error")
        } catch let error as AWSClientError {
            XCTAssertEqual("\(error)", "STS GetCallerIdentity failed after 1 attempt: bad.example: host not found")
        }
        XCTAssertEqual(fatal.requests.count, 1)
    }

    /// S3's skew error: re-signed with the server's time from its Date header, without backoff.
    func testClockSkewIsCorrectedFromTheDateHeader() async throws {
        let local = Date(timeIntervalSince1970: 1_440_938_160)          // 2015-08-30T12:36:00Z
        let server = local.addingTimeInterval(3600)                      // server is an hour ahead
        let transport = ScriptedTransport { request, index in
            if index == 0 {
                return .xml(403, """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTime>20150830T123600Z</RequestTime><ServerTime>2015-08-30T13:36:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>4442587FB7D0A2F9</RequestId><HostId>x</HostId></Error>
                    """, headers: ["Date": "Sun, 30 Aug 2015 13:36:00 GMT"])
            }
            return HTTPResponse(statusCode: 200, body: Data("ok".utf8))
        }
        let sleeps = SleepRecorder()
        let client = scriptedClient(transport, retry: sleeps.policy(), now: { local })
        let got = try await S3Client(client: client).getObject(bucket: "b", key: "k")
        XCTAssertEqual(String(decoding: got.body, as: UTF8.self), "ok")
        XCTAssertEqual(transport.requests.map { $0.headers["X-Amz-Date"] }, ["20150830T123600Z", "20150830T133600Z"])
        XCTAssertEqual(sleeps.recorded, [])
        XCTAssertEqual(client.now, server)
    }

    /// JSON services say "Signature expired" in an InvalidSignatureException.
    func testSignatureExpiredOnJSONServices() async throws {
        let local = Date(timeIntervalSince1970: 1_440_938_160)
        let transport = ScriptedTransport { _, index in
            if index == 0 {
                return .json(400, #"{"__type":"InvalidSignatureException","message":"Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T124600Z - 5 min.)"}"#,
                             headers: ["Date": "Sun, 30 Aug 2015 12:46:00 GMT", "x-amzn-RequestId": "r-1"])
            }
            return .json(200, #"{"repositories":[],"nextToken":null}"#)
        }
        let client = scriptedClient(transport, retry: SleepRecorder().policy(), now: { local })
        let repos = try await ECRClient(client: client).describeRepositories()
        XCTAssertEqual(repos, [])
        XCTAssertEqual(transport.requests.last?.headers["X-Amz-Date"], "20150830T124600Z")
    }

    func testRetryableClassification() {
        func error(_ code: String, _ status: Int, _ message: String = "") -> AWSError {
            AWSError(service: "S", operation: "O", statusCode: status, code: code, message: message)
        }
        for code in ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown",
                     "ProvisionedThroughputExceededException", "RequestThrottledException"] {
            XCTAssertTrue(RetryPolicy.isRetryable(error(code, 400)), code)
            XCTAssertTrue(error(code, 400).isThrottling, code)
        }
        XCTAssertTrue(RetryPolicy.isRetryable(error("InternalError", 500)))
        XCTAssertTrue(RetryPolicy.isRetryable(error("Whatever", 503)))
        XCTAssertTrue(RetryPolicy.isRetryable(error("TooManyRequests", 429)))
        XCTAssertFalse(RetryPolicy.isRetryable(error("ValidationError", 400)))
        XCTAssertFalse(RetryPolicy.isRetryable(error("AccessDenied", 403)))
        // the SDKs' standard mode counts it as throttling (CloudFormation also uses it for quotas:
        // the few attempts of a mutation bound the cost of that)
        XCTAssertTrue(RetryPolicy.isRetryable(error("LimitExceededException", 400)))
        XCTAssertTrue(RetryPolicy.isRetryable(error("Whatever", 502)))
        XCTAssertTrue(RetryPolicy.isRetryable(error("Whatever", 504)))
        XCTAssertFalse(RetryPolicy.isRetryable(error("NotImplemented", 501)))
        XCTAssertFalse(RetryPolicy.isRetryable(error("Whatever", 505)))
        XCTAssertTrue(RetryPolicy.isClockSkewError(error("RequestTimeTooSkewed", 403)))
        XCTAssertTrue(RetryPolicy.isClockSkewError(error("SignatureExpired", 403)))
        XCTAssertTrue(RetryPolicy.isClockSkewError(error("InvalidSignatureException", 400, "Signature expired: 2015...")))
        XCTAssertFalse(RetryPolicy.isClockSkewError(error("InvalidSignatureException", 400, "The request signature we calculated does not match")))
        XCTAssertFalse(RetryPolicy.isClockSkewError(error("SignatureDoesNotMatch", 403, "does not match")))
    }

    func testAWSMaxAttemptsFromEnvironment() {
        let env = AWSEnvironment(variables: ["AWS_MAX_ATTEMPTS": "9"], homeDirectory: "/x")
        XCTAssertEqual(RetryPolicy().configured(environment: env, profile: nil).maxAttempts, 9)
        XCTAssertEqual(RetryPolicy(maxAttempts: 0).maxAttempts, 1)
    }
}

/// Hands out numbered credentials and counts invalidations.
actor CountingProvider: CredentialProvider {
    private(set) var issued = 0
    private(set) var invalidations = 0
    private var current: Credentials?

    func credentials() async throws -> Credentials {
        if let current { return current }
        issued += 1
        let fresh = Credentials(accessKeyId: "ASIA\(issued)", secretAccessKey: "s\(issued)", sessionToken: "t\(issued)")
        current = fresh
        return fresh
    }

    func invalidate() async {
        invalidations += 1
        current = nil
    }
}

final class ExpiredCredentialTests: XCTestCase {
    func testExpiredTokenResolvesCredentialsAgainOnce() async throws {
        let transport = ScriptedTransport { _, index in
            if index == 0 {
                return .xml(400, """
                    <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
                      <Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error>
                      <RequestId>r</RequestId>
                    </ErrorResponse>
                    """)
            }
            return RetryTests.created
        }
        let provider = CountingProvider()
        let client = AWSClient(region: "us-east-1", credentials: provider,
                               endpoints: EndpointResolver(environment: AWSEnvironment(variables: [:], homeDirectory: "/x")),
                               transport: transport, options: AWSClientOptions(retry: SleepRecorder().policy()))
        _ = try await CloudFormationClient(client: client).createStack(stackName: "MyStack",
                                                                       settings: StackSettings(template: .body("{}")))
        let invalidations = await provider.invalidations
        XCTAssertEqual(invalidations, 1)
        XCTAssertEqual(transport.requests.map { $0.headers["X-Amz-Security-Token"] }, ["t1", "t2"])
    }
}
