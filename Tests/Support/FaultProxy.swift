import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InfraAWS
import InfraURLSession

/// The fault-injecting proxy (`Tests/FaultProxy/fault_proxy.py`, Python 3) started on a free
/// loopback port in front of an upstream (moto_server with signature checks on). Every request is
/// forwarded unchanged, Host header included, so signatures still verify; a seeded choice breaks
/// some: throttling in each protocol's own shape, 500/502/503/504, a reset before forwarding, a
/// connection closed after the server acted, slow answers, and timed bursts of throttling. It is
/// a scripted stand-in for what moto cannot show (faults of a real network and service); the
/// server behind it is the real one.
public final class FaultProxy: @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A burst: after `trigger` was forwarded successfully, every call of `operations` is
    /// throttled for `seconds` (at most `times` bursts).
    public struct Burst: Codable, Sendable {
        public var trigger: String
        public var operations: [String]
        public var seconds: Double
        public var times: Int
        public var name: String

        public init(trigger: String, operations: [String], seconds: Double, times: Int = 1, name: String = "burst") {
            self.trigger = trigger
            self.operations = operations
            self.seconds = seconds
            self.times = times
            self.name = name
        }
    }

    public struct Config: Codable, Sendable {
        public var seed: Int
        /// Share of calls faulted (0...1).
        public var rate: Double
        /// Fault kinds drawn from: throttle, 500, 502, 503, 504, reset, closed, slow.
        public var kinds: [String]
        /// No operation is faulted more often than this in a row.
        public var maxConsecutive: Int
        public var slowSeconds: Double
        public var bursts: [Burst]
        /// Operations never faulted.
        public var exempt: [String]
        /// Scripted faults: operation -> the fault of its 1st, 2nd, ... call (nil: none), whatever the rate.
        public var script: [String: [String?]]

        public static let allKinds = ["throttle", "500", "502", "503", "504", "reset", "closed", "slow"]

        public init(seed: Int = 1, rate: Double = 0, kinds: [String] = Config.allKinds, maxConsecutive: Int = 2,
                    slowSeconds: Double = 0.5, bursts: [Burst] = [], exempt: [String] = [],
                    script: [String: [String?]] = [:]) {
            self.seed = seed
            self.rate = rate
            self.kinds = kinds
            self.maxConsecutive = maxConsecutive
            self.slowSeconds = slowSeconds
            self.bursts = bursts
            self.exempt = exempt
            self.script = script
        }

        enum CodingKeys: String, CodingKey {
            case seed, rate, kinds, bursts, exempt, script
            case maxConsecutive = "max_consecutive"
            case slowSeconds = "slow_seconds"
        }
    }

    /// One request the proxy saw.
    public struct Entry: Decodable, Sendable {
        public var seq: Int
        /// Wall-clock time the proxy saw it (seconds since 1970).
        public var t: Double
        public var method: String
        /// query, json or s3.
        public var `protocol`: String
        public var operation: String
        public var mutation: Bool
        /// ClientRequestToken / ClientToken / clientToken; S3 PutObject: its Content-MD5.
        public var token: String?
        /// StackName/ChangeSetName, repository, or bucket/key.
        public var target: String?
        public var fault: String?
        public var burst: String?
        /// Reached the server.
        public var forwarded: Bool
        public var status: Int?
        /// An answer was sent back.
        public var delivered: Bool

        /// The server applied it (forwarded and answered 2xx), whether or not the client heard.
        public var applied: Bool { forwarded && (200..<300).contains(status ?? 0) }
    }

    public let endpoint: URL
    private let process: Process

    private init(endpoint: URL, process: Process) {
        self.endpoint = endpoint
        self.process = process
    }

    /// The proxy script in the repository.
    public static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FaultProxy/fault_proxy.py")
    }

    public static func start(upstream: URL, config: Config = Config()) throws -> FaultProxy {
        guard let python = MotoServer.findExecutable("python3") else {
            throw StartError(description: "python3 is not on PATH (the fault proxy is a Python script)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        process.arguments = [script.path, "--upstream", upstream.absoluteString, "--parent", String(getpid()),
                             "--config", json]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        var text = ""
        while !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw StartError(description: "the fault proxy did not start (\(script.path)): \(text)")
        }
        return FaultProxy(endpoint: URL(string: "http://127.0.0.1:\(port)")!, process: process)
    }

    /// Replaces the fault settings (the log and counters stay).
    public func configure(_ config: Config) async throws {
        _ = try await control("config", body: try JSONEncoder().encode(config))
    }

    /// Forgets the log and the per-operation counters (bursts end).
    public func clear() async throws {
        _ = try await control("clear", body: Data())
    }

    /// Every request since the last `clear()`.
    public func log() async throws -> [Entry] {
        struct Log: Decodable { var log: [Entry] }
        return try JSONDecoder().decode(Log.self, from: try await control("log", body: nil)).log
    }

    private func control(_ path: String, body: Data?) async throws -> Data {
        let response = try await defaultHTTPTransport().send(
            HTTPRequest(method: body == nil ? "GET" : "POST", url: endpoint.appendingPathComponent("__proxy/\(path)"),
                        headers: ["Content-Type": "application/json"], body: body ?? Data()),
            timeout: 10)
        guard response.statusCode == 200 else {
            throw StartError(description: "fault proxy \(path): HTTP \(response.statusCode) \(response.bodyText)")
        }
        return response.body
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}

extension Array where Element == FaultProxy.Entry {
    /// Mutations the server applied more than once: the same operation with the same idempotency
    /// token (or, for S3 PutObject, the same object and content) forwarded and answered 2xx twice;
    /// a change set created or executed twice (by name, whatever the tokens).
    public var appliedTwice: [String] {
        var seen: [String: Int] = [:]
        for e in self where e.mutation && e.applied {
            if ["CreateChangeSet", "ExecuteChangeSet"].contains(e.operation) {
                seen["\(e.operation) \(e.target ?? "")", default: 0] += 1
                continue
            }
            guard let token = e.token else { continue }
            seen["\(e.operation) \(e.target ?? "") \(token)", default: 0] += 1
        }
        return seen.filter { $0.value > 1 }.map { "\($0.key) x\($0.value)" }.sorted()
    }

    /// How many requests met each fault kind.
    public var faultCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for e in self { if let f = e.fault { counts[f, default: 0] += 1 } }
        return counts
    }
}
