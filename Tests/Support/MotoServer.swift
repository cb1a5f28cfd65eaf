import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import InfraAWS

/// moto's server, started by the tests through `scripts/moto-server` (the pinned moto with the
/// fixes for its CloudFormation gaps, docs/MOTO.md) on 127.0.0.1 and a free port, once per test
/// process, with signature verification switched on after an IAM user with an allow-all policy and an
/// access key have been created (moto's checks are off until `POST /moto-api/reset-auth` `0`).
/// A test class that is done with it calls `releaseShared()`: the next class gets the same server
/// reset to a fresh state (`reset()`), not a new one (a start costs seconds: Python imports,
/// then moto's backends loaded on first use). The calls go through infra's own transport (libcurl).
///
/// moto runs under a tiny `sh` watchdog that kills it once the test process is gone, so a
/// crashed test run leaves no server behind. Children of this process inherit a signal mask
/// that blocks SIGTERM, so moto is stopped with SIGKILL.
public final class MotoServer: @unchecked Sendable {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    public let endpoint: URL
    private let identityLock = NSLock()
    private var identity: (credentials: Credentials, userArn: String)
    /// The signing identity (a new one after each `reset()`).
    public var credentials: Credentials { identityLock.withLock { identity.credentials } }
    public var userArn: String { identityLock.withLock { identity.userArn } }
    private let process: Process
    private let motoPID: pid_t
    private let logFile: URL

    public static let region = "us-east-1"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var startTask: Task<MotoServer, Error>?
    /// A class released the server: the next `instance()` resets it first.
    nonisolated(unsafe) private static var released = false

    /// The process-wide server, started on first use (reset first when a class released it).
    public static func instance() async throws -> MotoServer {
        let (task, reset): (Task<MotoServer, Error>, Bool) = lock.withLock {
            defer { released = false }
            if let startTask { return (startTask, released) }
            let task = Task { try await MotoServer.start() }
            startTask = task
            return (task, false)
        }
        let server = try await task.value
        if reset { try await server.reset() }
        return server
    }

    /// A test class is done with the shared server (its class `tearDown`): whoever uses it next
    /// finds a fresh state, as a new server would have. The server itself is stopped by its
    /// watchdog when the test process ends.
    public static func releaseShared() {
        lock.withLock { if startTask != nil { released = true } }
    }

    /// Stops the server if it was started.
    public static func stopShared() {
        let task = lock.withLock { () -> Task<MotoServer, Error>? in
            defer { startTask = nil }
            return startTask
        }
        guard let task else { return }
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            (try? await task.value)?.stop()
            done.signal()
        }
        done.wait()
    }

    private init(endpoint: URL, credentials: Credentials, userArn: String, process: Process, motoPID: pid_t,
                 logFile: URL) {
        self.endpoint = endpoint
        identity = (credentials, userArn)
        self.process = process
        self.motoPID = motoPID
        self.logFile = logFile
    }

    public static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func freePort() throws -> Int {
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw StartError(description: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard bound == 0 else { throw StartError(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw StartError(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `scripts/moto-server` of this repository (Tests/Support/ -> ../../scripts).
    public static let launcher = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/moto-server")

    public static func start() async throws -> MotoServer {
        let moto = launcher.path
        guard FileManager.default.isExecutableFile(atPath: moto), findExecutable("python3") != nil else {
            throw StartError(description: """
                \(moto) (or python3) is missing, so the integration tests cannot run. \
                Install moto with: pip install -r scripts/requirements.txt (scripts/test does this).
                """)
        }
        let port = try freePort()
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("infra-moto-\(port).log")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // $0 moto, $1 port, $2 log file, $3 the test process. Prints moto's pid, then waits while
        // the test process is still its parent (a dead parent's orphans are re-parented). The
        // parent is read from /proc with shell builtins where there is one (`ps` twice a second
        // for a test process's whole run cost CPU seconds), else from `ps`.
        process.arguments = [
            "-c", #""$0" -H 127.0.0.1 -p "$1" </dev/null >"$2" 2>&1 & pid=$!; echo $pid; parent=$3; "#
                + #"while :; do if [ -r /proc/$$/stat ]; then read -r _ _ _ ppid _ </proc/$$/stat; "#
                + #"else ppid=$(ps -o ppid= -p $$ | tr -d ' '); fi; "#
                + #"[ "$ppid" = "$parent" ] && kill -0 $pid 2>/dev/null || break; sleep 0.5; done; "#
                + #"kill -9 $pid 2>/dev/null"#,
            moto, String(port), logFile.path, String(getpid()),
        ]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var pidText = ""
        while !pidText.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            pidText += String(decoding: chunk, as: UTF8.self)
        }
        guard let motoPID = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw StartError(description: "could not start \(moto)")
        }
        let killMoto: @Sendable () -> Void = { _ = kill(motoPID, SIGKILL) }

        let endpoint = URL(string: "http://127.0.0.1:\(port)")!
        let transport = defaultHTTPTransport()
        let deadline = Date().addingTimeInterval(30)
        var ready = false
        while Date() < deadline, process.isRunning {
            // any HTTP answer means the server is up
            if (try? await transport.send(HTTPRequest(method: "GET", url: endpoint.appendingPathComponent("moto-api/")),
                                          timeout: 2)) != nil {
                ready = true
                break
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        guard ready else {
            killMoto()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw StartError(description: "\(moto) did not answer on \(endpoint) within 30 s. Log:\n\(log.suffix(2000))")
        }

        // Checks are off: create the signing identity with any credentials, then turn them on.
        do {
            let (key, arn) = try await createIdentity(endpoint: endpoint)
            let server = MotoServer(endpoint: endpoint, credentials: key, userArn: arn, process: process,
                                    motoPID: motoPID, logFile: logFile)
            try await server.motoAPI("reset-auth", body: "0")
            return server
        } catch {
            killMoto()
            throw error
        }
    }

    /// The IAM user `infra-tests` with an allow-all policy and an access key (signature checks must be off).
    private static func createIdentity(endpoint: URL) async throws -> (Credentials, String) {
        let setup = client(endpoint: endpoint, credentials: Credentials(accessKeyId: "AKIASETUPSETUPSETUP0",
                                                                        secretAccessKey: "setup"))
        let iam = IAMClient(client: setup)
        let user = "infra-tests"
        let arn = try await iam.createUser(user)
        try await iam.putUserPolicy(userName: user, policyName: "allow-all", policyDocument: """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}
            """)
        return (try await iam.createAccessKey(userName: user), arn)
    }

    /// A fresh server state for a scenario: signature checks off, `POST /moto-api/reset` (it wipes
    /// every resource, the IAM user and its key included), a new signing identity, checks on again.
    /// moto's state after a refused ExecuteChangeSet is half-applied (and can answer later calls with
    /// HTTP 500), so each scenario that meets a refusal starts from here.
    public func reset() async throws {
        try await motoAPI("reset-auth", body: "inf")
        try await motoAPI("reset")
        let (key, arn) = try await Self.createIdentity(endpoint: endpoint)
        identityLock.withLock { identity = (key, arn) }
        try await motoAPI("reset-auth", body: "0")
    }

    /// The size of moto's log now: pass it to `log(since:)`.
    public func logMark() -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: logFile.path)[.size]) as? NSNumber)?.uint64Value ?? 0
    }

    /// What moto logged since a mark, once it holds `text` (or after 5 s): moto writes the
    /// traceback of an HTTP 500, which names the cause, after it has answered.
    public func log(since mark: UInt64, awaiting text: String) async -> String {
        let deadline = Date().addingTimeInterval(5)
        var log = self.log(since: mark)
        while !log.contains(text), Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
            log = self.log(since: mark)
        }
        return log
    }

    /// What moto logged since a mark.
    public func log(since mark: UInt64) -> String {
        guard let handle = try? FileHandle(forReadingFrom: logFile) else { return "" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: mark)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    public func stop() {
        _ = kill(motoPID, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(20_000) }  // the watchdog notices and exits
        if process.isRunning { _ = kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logFile)
    }

    /// `POST /moto-api/<path>`.
    @discardableResult
    public func motoAPI(_ path: String, body: String = "") async throws -> HTTPResponse {
        let response = try await defaultHTTPTransport().send(
            // text/plain: with a form content type Flask would swallow the body
            HTTPRequest(method: "POST", url: endpoint.appendingPathComponent("moto-api/\(path)"),
                        headers: ["Content-Type": "text/plain"], body: Data(body.utf8)),
            timeout: 10)
        guard response.statusCode == 200 else {
            throw StartError(description: "moto-api/\(path) answered HTTP \(response.statusCode): \(response.bodyText)")
        }
        return response
    }

    /// An `AWSClient` resolved through the real chain from an injected environment that points
    /// every service at moto (`AWS_ENDPOINT_URL`).
    public func client(credentials: Credentials? = nil, logger: (@Sendable (String) -> Void)? = nil,
                retry: RetryPolicy = RetryPolicy(maxAttempts: 2, baseDelay: 0.01)) throws -> AWSClient {
        let creds = credentials ?? self.credentials
        let env = AWSEnvironment(variables: [
            "AWS_ACCESS_KEY_ID": creds.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": creds.secretAccessKey,
            "AWS_ENDPOINT_URL": endpoint.absoluteString,
            "AWS_REGION": Self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        ], homeDirectory: "/nonexistent-home")
        return try AWSClient.resolve(environment: env, options: AWSClientOptions(retry: retry, logger: logger))
    }

    public static func client(endpoint: URL, credentials: Credentials) -> AWSClient {
        let env = AWSEnvironment(variables: ["AWS_ENDPOINT_URL": endpoint.absoluteString], homeDirectory: "/nonexistent-home")
        return AWSClient(region: region, credentials: StaticCredentialProvider(credentials),
                         endpoints: EndpointResolver(environment: env),
                         options: AWSClientOptions(retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01)))
    }
}
