// InfraDeployBench: how soon `infra deploy` reports the end of a stack operation, and how many
// Describe* calls it makes meanwhile, against a scripted CloudFormation on a virtual clock.
//
//   InfraDeployBench [--durations 1,10,60] [--samples 200] [--rtt-ms 30]
//                    [--initial S --maximum S --factor F]   (a policy other than the built-in one)
//
// The real deployer (`Deployer.deploy`, StackDeployer, StackMonitor, PollingPolicy) runs against
// an in-process `HTTPTransport` that plays CloudFormation: the change set is ready at once; after
// ExecuteChangeSet the stack is CREATE_IN_PROGRESS (a stack event and one resource event at the
// start) for D seconds, then CREATE_COMPLETE (the resource's and the stack's events at D). No
// event comes in between: the worst case for a policy that backs off while nothing happens.
// Polling sleeps advance a virtual clock instead of waiting, and every call costs `--rtt-ms` of
// virtual time (a round trip plus CloudFormation's processing), so a 60 s operation runs in
// milliseconds. For each nominal length N, D takes `--samples` values evenly spread over
// [0.5 N, 1.5 N]. Latency = virtual time when infra prints "✅ <stack>: created" minus the time
// the stack reached CREATE_COMPLETE.
import Foundation
import InfraAWS
import InfraDeploy

// MARK: Virtual clock

final class VirtualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: TimeInterval = 0
    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    var now: TimeInterval { lock.withLock { seconds } }
    var date: Date { Self.epoch.addingTimeInterval(now) }
    func advance(_ s: TimeInterval) { lock.withLock { seconds += max(0, s) } }
}

// MARK: Scripted CloudFormation on the virtual clock

final class TimedCloudFormation: HTTPTransport, @unchecked Sendable {
    struct Event {
        var id: String
        var logicalId: String
        var type: String
        var status: String
        var reason: String?
        var at: TimeInterval
    }

    let clock: VirtualClock
    let duration: TimeInterval
    /// How long before the stack's final status its last resource finishes.
    var settleGap: TimeInterval = 0
    let rtt: TimeInterval
    let stackName = "bench"
    let stackId = "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/1"
    let changeSetId = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/infra/1"
    private let lock = NSLock()
    private var events: [Event] = []
    private var exists = false
    private var executedAt: TimeInterval?
    private var counter = 0
    private(set) var calls: [(action: String, at: TimeInterval)] = []

    init(clock: VirtualClock, duration: TimeInterval, rtt: TimeInterval) {
        self.clock = clock
        self.duration = duration
        self.rtt = rtt
    }

    /// When the stack reached its final status (nil before ExecuteChangeSet).
    var finalAt: TimeInterval? { lock.withLock { executedAt.map { $0 + duration } } }
    var executeAt: TimeInterval? { lock.withLock { executedAt } }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        clock.advance(rtt / 2)
        let fields = Self.form(request.body)
        let action = fields["Action"] ?? ""
        let response = lock.withLock { () -> HTTPResponse in
            calls.append((action, clock.now))
            return answer(action, fields, at: clock.now)
        }
        clock.advance(rtt / 2)
        return response
    }

    private func status(at t: TimeInterval) -> String {
        guard let e = executedAt else { return "REVIEW_IN_PROGRESS" }
        return t < e + duration ? "CREATE_IN_PROGRESS" : "CREATE_COMPLETE"
    }

    private func addEvent(_ logicalId: String, _ type: String, _ status: String, _ reason: String?, at: TimeInterval) {
        counter += 1
        events.append(Event(id: "event-\(counter)", logicalId: logicalId, type: type, status: status, reason: reason, at: at))
    }

    private func answer(_ action: String, _ f: [String: String], at t: TimeInterval) -> HTTPResponse {
        switch action {
        case "DescribeStacks":
            guard exists else { return Self.error("ValidationError", "Stack with id \(f["StackName"] ?? "") does not exist") }
            return Self.ok(action, """
                <Stacks><member><StackId>\(stackId)</StackId><StackName>\(stackName)</StackName>\
                <CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>\(status(at: t))</StackStatus>\
                <EnableTerminationProtection>false</EnableTerminationProtection><Parameters></Parameters>\
                <Tags></Tags><Outputs></Outputs></member></Stacks>
                """)
        case "DescribeStackEvents":
            guard exists else { return Self.error("ValidationError", "Stack with id \(f["StackName"] ?? "") does not exist") }
            let visible = events.filter { $0.at <= t }.reversed()
            return Self.ok(action, "<StackEvents>" + visible.map(eventXML).joined() + "</StackEvents>")
        case "CreateChangeSet":
            exists = true
            addEvent(stackName, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated", at: t)
            return Self.ok(action, "<Id>\(changeSetId)</Id><StackId>\(stackId)</StackId>")
        case "DescribeChangeSet":
            return Self.ok(action, """
                <ChangeSetName>infra</ChangeSetName><ChangeSetId>\(changeSetId)</ChangeSetId><StackId>\(stackId)</StackId>\
                <StackName>\(stackName)</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus>\
                <Changes><member><Type>Resource</Type><ResourceChange><Action>Add</Action>\
                <LogicalResourceId>Queue</LogicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType>\
                <Scope/><Details/></ResourceChange></member></Changes>
                """)
        case "ExecuteChangeSet":
            executedAt = t
            addEvent(stackName, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated", at: t)
            addEvent("Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", nil, at: t)
            addEvent("Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", nil, at: t + max(0, duration - settleGap))
            addEvent(stackName, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", nil, at: t + duration)
            return Self.ok(action, "")
        default:
            return Self.error("InvalidAction", "the benchmark's CloudFormation does not know \(action)")
        }
    }

    private func eventXML(_ e: Event) -> String {
        let f = ISO8601DateFormatter()
        return "<member><StackId>\(stackId)</StackId><EventId>\(e.id)</EventId><StackName>\(stackName)</StackName>"
            + "<LogicalResourceId>\(e.logicalId)</LogicalResourceId>"
            + "<PhysicalResourceId>\(e.logicalId == stackName ? stackId : "bench-\(e.logicalId.lowercased())")</PhysicalResourceId>"
            + "<ResourceType>\(e.type)</ResourceType><Timestamp>\(f.string(from: VirtualClock.epoch.addingTimeInterval(e.at)))</Timestamp>"
            + "<ResourceStatus>\(e.status)</ResourceStatus>"
            + (e.reason.map { "<ResourceStatusReason>\($0)</ResourceStatusReason>" } ?? "") + "</member>"
    }

    static let ns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

    static func ok(_ action: String, _ result: String) -> HTTPResponse {
        HTTPResponse(statusCode: 200, headers: ["Content-Type": "text/xml", "x-amzn-RequestId": "req"], body: Data("""
            <\(action)Response xmlns="\(ns)"><\(action)Result>\(result)</\(action)Result>\
            <ResponseMetadata><RequestId>req</RequestId></ResponseMetadata></\(action)Response>
            """.utf8))
    }

    static func error(_ code: String, _ message: String) -> HTTPResponse {
        HTTPResponse(statusCode: 400, headers: ["Content-Type": "text/xml"], body: Data("""
            <ErrorResponse xmlns="\(ns)"><Error><Type>Sender</Type><Code>\(code)</Code>\
            <Message>\(message)</Message></Error><RequestId>req</RequestId></ErrorResponse>
            """.utf8))
    }

    static func form(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) -> String in
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            fields[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return fields
    }
}

// MARK: Console that timestamps lines on the virtual clock

final class ClockConsole: DeployConsole, @unchecked Sendable {
    let clock: VirtualClock
    private let lock = NSLock()
    private(set) var lines: [(at: TimeInterval, text: String)] = []
    let isTerminal = false
    let isInteractive = false

    init(clock: VirtualClock) { self.clock = clock }
    func out(_ line: String) { lock.withLock { lines.append((clock.now, line)) } }
    func err(_ line: String) { lock.withLock { lines.append((clock.now, line)) } }
    func raw(_ text: String) {}
    func confirm(_ question: String) -> Bool { false }
}

// MARK: One operation

struct Sample {
    var duration: TimeInterval
    var latency: TimeInterval
    /// DescribeStacks + DescribeStackEvents from ExecuteChangeSet to the report.
    var describeCalls: Int
    var describeStacks: Int
    var describeEvents: Int
}

enum BenchError: Error, CustomStringConvertible {
    case failed(String)
    var description: String { if case .failed(let m) = self { return m }; return "" }
}

func runOne(duration: TimeInterval, rtt: TimeInterval, settleGap: TimeInterval, policy base: PollingPolicy,
            directory: URL) async throws -> Sample {
    let clock = VirtualClock()
    let cfn = TimedCloudFormation(clock: clock, duration: duration, rtt: rtt)
    cfn.settleGap = settleGap
    let console = ClockConsole(clock: clock)
    var policy = base
    policy.sleep = { seconds in clock.advance(seconds) }
    policy.now = { clock.date }
    let context = DeployContext(
        environment: AWSEnvironment(variables: [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
        ], homeDirectory: "/nonexistent-home"),
        transport: cfn, console: console, polling: policy, workingDirectory: directory)
    let template = #"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}"#
    let stack = AssemblyStack(id: "bench", stackName: "bench", templateFile: "bench.template.json", templateBody: template,
                              region: "us-east-1")
    let assembly = DeployAssembly(directory: directory, stacks: [stack], assets: [])
    let deployer = Deployer(context: context, assembly: assembly,
                            options: DeployOptions(requireApproval: .never, progress: .events))
    let summary = await deployer.deploy([stack])
    guard summary.succeeded else {
        throw BenchError.failed("deploy failed: \(summary.failures.map(\.error.message)) \(console.lines.map(\.text))")
    }
    guard let reported = console.lines.first(where: { $0.text.contains("✅ bench: created") })?.at,
          let finalAt = cfn.finalAt, let executeAt = cfn.executeAt else {
        throw BenchError.failed("no completion line: \(console.lines.map(\.text))")
    }
    let watched = cfn.calls.filter { $0.at >= executeAt && $0.at <= reported }
    let stacks = watched.filter { $0.action == "DescribeStacks" }.count
    let events = watched.filter { $0.action == "DescribeStackEvents" }.count
    return Sample(duration: duration, latency: reported - finalAt, describeCalls: stacks + events,
                  describeStacks: stacks, describeEvents: events)
}

// MARK: Main

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = p * Double(sorted.count - 1)
    let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
}

func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }

var durations: [Double] = [1, 10, 60]
var samples = 200
var rttMs = 30.0
var settleGap = 0.0
var policy = PollingPolicy.standard
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> String {
        guard !args.isEmpty else { FileHandle.standardError.write(Data("\(a) needs a value\n".utf8)); exit(2) }
        return args.removeFirst()
    }
    switch a {
    case "--durations": durations = value().split(separator: ",").compactMap { Double($0) }
    case "--samples": samples = max(1, Int(value()) ?? 200)
    case "--rtt-ms": rttMs = Double(value()) ?? 30
    case "--settle-gap": settleGap = Double(value()) ?? 0
    case "--initial": policy.initial = Double(value()) ?? policy.initial
    case "--maximum": policy.maximum = Double(value()) ?? policy.maximum
    case "--factor": policy.factor = Double(value()) ?? policy.factor
    case "-h", "--help":
        print("usage: InfraDeployBench [--durations 1,10,60] [--samples 200] [--rtt-ms 30] [--settle-gap S] [--initial S] [--maximum S] [--factor F]")
        exit(0)
    default:
        FileHandle.standardError.write(Data("unknown option \(a)\n".utf8))
        exit(2)
    }
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("infra-deploy-bench-\(getpid())")
try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

print("Polling policy: first poll at once, then \(policy.initial) s, x\(policy.factor) while nothing changes, "
    + "at most \(policy.maximum) s; back to \(policy.initial) s on news. Simulated call time \(Int(rttMs)) ms "
    + "(virtual clock), \(samples) operations per row, lengths spread evenly over [0.5 N, 1.5 N]; "
    + (settleGap == 0 ? "no event before the stack's own final one (the worst case)."
                      : "the last resource finishes \(settleGap) s before the stack's final status."))
print("")
print("| operation length N | latency p50 | p90 | max | Describe* calls per operation (mean) | max | calls/s (mean) |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for n in durations {
    var results: [Sample] = []
    for i in 0..<samples {
        let d = samples == 1 ? n : n * (0.5 + Double(i) / Double(samples - 1))
        do {
            results.append(try await runOne(duration: d, rtt: rttMs / 1000, settleGap: settleGap, policy: policy,
                                            directory: directory))
        } catch {
            FileHandle.standardError.write(Data("InfraDeployBench: \(error)\n".utf8))
            exit(1)
        }
    }
    let lat = results.map(\.latency).sorted()
    let calls = results.map { Double($0.describeCalls) }
    let meanCalls = calls.reduce(0, +) / Double(calls.count)
    let rate = results.map { Double($0.describeCalls) / max(0.001, $0.duration + $0.latency) }.reduce(0, +) / Double(results.count)
    print("| \(n.truncatingRemainder(dividingBy: 1) == 0 ? String(Int(n)) : String(n)) s | \(ms(percentile(lat, 0.5))) | "
        + "\(ms(percentile(lat, 0.9))) | \(ms(lat.last ?? .nan)) | \(String(format: "%.1f", meanCalls)) | "
        + "\(Int(calls.max() ?? 0)) | \(String(format: "%.2f", rate)) |")
}
