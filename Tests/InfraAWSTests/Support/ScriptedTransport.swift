import Foundation
@testable import InfraAWS
import XCTest

/// A transport that answers from a script and records what was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    typealias Handler = @Sendable (_ request: HTTPRequest, _ index: Int) throws -> HTTPResponse
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    private let handler: Handler

    init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// Answers with `responses` in order (the last one repeats).
    convenience init(_ responses: [HTTPResponse]) {
        self.init { _, index in responses[min(index, responses.count - 1)] }
    }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let index = lock.withLock { () -> Int in
            sent.append(request)
            return sent.count - 1
        }
        return try handler(request, index)
    }
}

/// Records sleeps instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var delays: [TimeInterval] = []
    var recorded: [TimeInterval] { lock.withLock { delays } }

    func policy(maxAttempts: Int = 5, baseDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 20) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay,
                    random: { $0.upperBound },  // the top of the jitter range, to make delays predictable
                    sleep: { [self] seconds in lock.withLock { delays.append(seconds) } })
    }
}

/// A mutable clock for tests.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_440_938_160)) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

extension HTTPResponse {
    static func xml(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h["Content-Type"] = "text/xml"
        return HTTPResponse(statusCode: status, headers: h, body: Data(body.utf8))
    }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h["Content-Type"] = "application/x-amz-json-1.1"
        return HTTPResponse(statusCode: status, headers: h, body: Data(body.utf8))
    }
}

extension HTTPRequest {
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Decoded form fields of a query-protocol body.
    var formFields: [String: String] {
        var fields: [String: String] = [:]
        for pair in bodyText.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in
                PercentEncoding.percentDecode(s.replacingOccurrences(of: "+", with: " "))
            }
            fields[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return fields
    }
}

/// A client for scripted tests: fixed credentials, us-east-1, injected transport/retry/clock.
func scriptedClient(_ transport: ScriptedTransport, retry: RetryPolicy = RetryPolicy(maxAttempts: 1),
                    region: String = "us-east-1", now: @escaping @Sendable () -> Date = { Date() },
                    logger: (@Sendable (String) -> Void)? = nil) -> AWSClient {
    AWSClient(region: region,
              credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDEXAMPLE",
                                                                secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
              endpoints: EndpointResolver(environment: AWSEnvironment(variables: [:], homeDirectory: "/nonexistent")),
              transport: transport, options: AWSClientOptions(retry: retry, logger: logger, now: now))
}

/// A temporary home directory with optional `~/.aws/config` and `~/.aws/credentials`.
final class TempHome {
    let url: URL
    init(config: String? = nil, credentials: String? = nil) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("infra-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let config { try write(".aws/config", config) }
        if let credentials { try write(".aws/credentials", credentials) }
    }

    var path: String { url.path }

    @discardableResult
    func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return file.path
    }

    func environment(_ variables: [String: String] = [:]) -> AWSEnvironment {
        AWSEnvironment(variables: variables, homeDirectory: path)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
