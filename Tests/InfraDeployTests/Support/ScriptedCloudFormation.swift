import Foundation
@testable import InfraAWS
@testable import InfraDeploy

/// A scripted CloudFormation stand-in: an `HTTPTransport` that keeps a little state (stacks,
/// change sets, events) and answers query-protocol calls with XML shaped like AWS's. It plays
/// the behaviour moto lacks: resource-level events revealed over several polls, rollbacks
/// with per-resource reasons, "no changes" change sets that FAIL, ROLLBACK_COMPLETE stacks,
/// throttling, operations in progress.
///
/// Time moves on when the deployer polls: every DescribeStacks call answers with the current
/// state, then applies the next pending step of that stack (new events and a new status), so
/// a status read right after an operation starts is the stale one, as on AWS.
final class ScriptedCloudFormation: HTTPTransport, @unchecked Sendable {
    struct Event {
        var id: String
        var logicalId: String
        var type: String
        var status: String
        var reason: String?
        var time: Date
    }

    /// What one poll reveals: events (logical id, type, status, reason) and the stack status after.
    struct Step {
        var events: [(String, String, String, String?)]
        var status: String
        var reason: String?
    }

    final class FakeStack {
        let id: String
        let name: String
        var status: String
        var reason: String?
        var template: String
        var events: [Event] = []
        var outputs: [String: String] = [:]
        var parameters: [String: String] = [:]
        var tags: [String: String] = [:]
        var terminationProtection = false
        var pending: [Step] = []
        var resources: [(String, String, String, String?)] = []  // logical id, type, status, reason

        init(id: String, name: String, status: String, template: String) {
            self.id = id
            self.name = name
            self.status = status
            self.template = template
        }
    }

    struct ChangeSet {
        var id: String
        var name: String
        var stackId: String
        var type: String
        var template: String
        var parameters: [String: String]
        var tags: [String: String]
        var status: String
        var reason: String?
        var changes: [(String, String, String, String?)]  // action, logical id, type, replacement
        var describesUntilReady: Int
    }

    struct Call {
        var action: String
        var fields: [String: String]
        /// The host the call went to (the region's endpoint).
        var host: String
    }

    private let lock = NSLock()
    private var live: [String: FakeStack] = [:]   // by name
    private var byId: [String: FakeStack] = [:]   // every stack ever, by id
    private var changeSets: [String: ChangeSet] = [:]
    private var calls: [Call] = []
    private var counter = 0
    private let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z, the stacks' CreationTime

    // MARK: Script

    /// The change set outcome for an UPDATE: nil = changes computed from templates; true = the
    /// FAILED "didn't contain changes" answer AWS gives.
    var noChanges = false
    /// A FAILED change set with this reason (a template CloudFormation rejects).
    var changeSetFailure: String?
    /// The account STS GetCallerIdentity reports.
    var account = "123456789012"
    /// How a change set execution unfolds (default: in progress, then complete).
    var execution: ((FakeStack, ChangeSet) -> [Step])?
    /// How a deletion unfolds (default: in progress, then complete).
    var deletion: ((FakeStack) -> [Step])?
    /// Error answers to give before answering an action normally: action -> count.
    var throttle: [String: Int] = [:]
    /// Called before each answer (e.g. to cancel the deploy after some polls).
    var onCall: ((String, Int) -> Void)?
    /// Outputs a stack reports once its create or update completes.
    var outputs: [String: String] = [:]

    /// Adds a deployed stack.
    @discardableResult
    func addStack(_ name: String, status: String, template: String, parameters: [String: String] = [:],
                  tags: [String: String] = [:], pending: [Step] = [], reason: String? = nil) -> FakeStack {
        lock.withLock {
            let s = FakeStack(id: newStackId(name), name: name, status: status, template: template)
            s.parameters = parameters
            s.tags = tags
            s.pending = pending
            s.reason = reason
            s.events.append(event(name, "AWS::CloudFormation::Stack", status, nil))
            live[name] = s
            byId[s.id] = s
            return s
        }
    }

    func stack(_ name: String) -> FakeStack? { lock.withLock { live[name] } }
    var actions: [String] { lock.withLock { calls.map(\.action) } }
    func calls(_ action: String) -> [Call] { lock.withLock { calls.filter { $0.action == action } } }

    // MARK: Transport

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let fields = Self.form(request)
        let action = fields["Action"] ?? ""
        let (count, hook): (Int, ((String, Int) -> Void)?) = lock.withLock {
            calls.append(Call(action: action, fields: fields, host: request.url.host ?? ""))
            return (calls.filter { $0.action == action }.count, onCall)
        }
        hook?(action, count)
        return lock.withLock {
            if let n = throttle[action], n > 0 {
                throttle[action] = n - 1
                return Self.error(400, "Throttling", "Rate exceeded")
            }
            return answer(action, fields)
        }
    }

    private func answer(_ action: String, _ f: [String: String]) -> HTTPResponse {
        switch action {
        case "DescribeStacks":
            guard let name = f["StackName"] else {
                return Self.ok(action, "<Stacks>" + live.values.map(stackXML).joined() + "</Stacks>")
            }
            guard let s = find(name) else { return Self.missing(name) }
            // answer with the state now, then move time on by one step
            let answer = Self.ok(action, "<Stacks>\(stackXML(s))</Stacks>")
            if !s.pending.isEmpty { apply(s.pending.removeFirst(), to: s) }
            return answer
        case "DescribeStackEvents":
            guard let s = find(f["StackName"] ?? "") else { return Self.missing(f["StackName"] ?? "") }
            return Self.ok(action, "<StackEvents>" + s.events.reversed().map { eventXML($0, s) }.joined()
                + "</StackEvents>")
        case "GetTemplate":
            guard let s = find(f["StackName"] ?? "") else { return Self.missing(f["StackName"] ?? "") }
            return Self.ok(action, "<TemplateBody>\(Self.escape(s.template))</TemplateBody>")
        case "ListStackResources":
            guard let s = find(f["StackName"] ?? "") else { return Self.missing(f["StackName"] ?? "") }
            return Self.ok(action, "<StackResourceSummaries>" + s.resources.map { r in
                "<member><LogicalResourceId>\(r.0)</LogicalResourceId>"
                    + "<PhysicalResourceId>\(s.name)-\(r.0.lowercased())</PhysicalResourceId><ResourceType>\(r.1)</ResourceType>"
                    + "<LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp><ResourceStatus>\(r.2)</ResourceStatus>"
                    + (r.3.map { "<ResourceStatusReason>\(Self.escape($0))</ResourceStatusReason>" } ?? "") + "</member>"
            }.joined() + "</StackResourceSummaries>")
        case "CreateChangeSet":
            return createChangeSet(f)
        case "DescribeChangeSet":
            guard var cs = changeSets[f["ChangeSetName"] ?? ""] else {
                return Self.error(404, "ChangeSetNotFound", "ChangeSet [\(f["ChangeSetName"] ?? "")] does not exist")
            }
            var status = cs.status
            if cs.describesUntilReady > 0 {
                cs.describesUntilReady -= 1
                changeSets[cs.id] = cs
                status = "CREATE_IN_PROGRESS"
            }
            let s = byId[cs.stackId]!
            let changes = cs.changes.map { c in
                "<member><Type>Resource</Type><ResourceChange><Action>\(c.0)</Action><LogicalResourceId>\(c.1)</LogicalResourceId>"
                    + "<ResourceType>\(c.2)</ResourceType>" + (c.3.map { "<Replacement>\($0)</Replacement>" } ?? "")
                    + "<Scope/><Details/></ResourceChange></member>"
            }.joined()
            return Self.ok(action, """
                <ChangeSetName>\(cs.name)</ChangeSetName><ChangeSetId>\(cs.id)</ChangeSetId><StackId>\(s.id)</StackId>\
                <StackName>\(s.name)</StackName><Status>\(status)</Status>\
                \(status == cs.status ? cs.reason.map { "<StatusReason>\(Self.escape($0))</StatusReason>" } ?? "" : "")\
                <ExecutionStatus>\(status == "CREATE_COMPLETE" ? "AVAILABLE" : "UNAVAILABLE")</ExecutionStatus>\
                <Changes>\(changes)</Changes>
                """)
        case "DeleteChangeSet":
            changeSets[f["ChangeSetName"] ?? ""] = nil
            return Self.ok(action, "")
        case "ExecuteChangeSet":
            guard let cs = changeSets[f["ChangeSetName"] ?? ""], let s = byId[cs.stackId] else {
                return Self.error(400, "ValidationError", "no such change set")
            }
            s.template = cs.template
            s.parameters = cs.parameters
            s.tags = cs.tags
            let created = cs.type == "CREATE"
            s.resources = Self.resources(cs.template).map { ($0.0, $0.1, created ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", nil) }
            s.pending = execution?(s, cs) ?? [
                Step(events: [(s.name, "AWS::CloudFormation::Stack", created ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS",
                               "User Initiated")] + Self.resources(cs.template).map {
                    ($0.0, $0.1, created ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS", nil) },
                     status: created ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS"),
                Step(events: Self.resources(cs.template).map { ($0.0, $0.1, created ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", nil) }
                    + [(s.name, "AWS::CloudFormation::Stack", created ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", nil)],
                     status: created ? "CREATE_COMPLETE" : "UPDATE_COMPLETE"),
            ]
            changeSets[cs.id] = nil
            return Self.ok(action, "")
        case "DeleteStack":
            guard let s = find(f["StackName"] ?? "") else { return Self.ok(action, "") }
            s.pending = deletion?(s) ?? [
                Step(events: [(s.name, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated")],
                     status: "DELETE_IN_PROGRESS"),
                Step(events: s.resources.map { ($0.0, $0.1, "DELETE_COMPLETE", nil) }
                    + [(s.name, "AWS::CloudFormation::Stack", "DELETE_COMPLETE", nil)], status: "DELETE_COMPLETE"),
            ]
            return Self.ok(action, "")
        case "GetCallerIdentity":
            return Self.ok(action, "<Account>\(account)</Account><Arn>arn:aws:iam::\(account):user/ci</Arn><UserId>AIDA</UserId>")
        case "UpdateTerminationProtection":
            guard let s = find(f["StackName"] ?? "") else { return Self.missing(f["StackName"] ?? "") }
            s.terminationProtection = f["EnableTerminationProtection"] == "true"
            return Self.ok(action, "<StackId>\(s.id)</StackId>")
        default:
            return Self.error(400, "InvalidAction", "the scripted CloudFormation does not know \(action)")
        }
    }

    private func createChangeSet(_ f: [String: String]) -> HTTPResponse {
        let name = f["StackName"] ?? ""
        let type = f["ChangeSetType"] ?? "UPDATE"
        let template = f["TemplateBody"] ?? ""
        var stack = live[name]
        if type == "CREATE" {
            if let s = stack, s.status != "REVIEW_IN_PROGRESS" {
                return Self.error(400, "AlreadyExistsException", "Stack [\(name)] already exists")
            }
            if stack == nil {
                let s = FakeStack(id: newStackId(name), name: name, status: "REVIEW_IN_PROGRESS", template: "")
                s.events.append(event(name, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated"))
                live[name] = s
                byId[s.id] = s
                stack = s
            }
        } else if stack == nil {
            return Self.missing(name)
        }
        let s = stack!
        var parameters: [String: String] = [:]
        var i = 1
        while let key = f["Parameters.member.\(i).ParameterKey"] {
            parameters[key] = f["Parameters.member.\(i).UsePreviousValue"] == "true" ? s.parameters[key]
                : f["Parameters.member.\(i).ParameterValue"]
            i += 1
        }
        var tags: [String: String] = [:]
        i = 1
        while let key = f["Tags.member.\(i).Key"] {
            tags[key] = f["Tags.member.\(i).Value"]
            i += 1
        }
        counter += 1
        let id = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/\(f["ChangeSetName"] ?? "cs")/\(counter)"
        var cs = ChangeSet(id: id, name: f["ChangeSetName"] ?? "", stackId: s.id, type: type, template: template,
                           parameters: parameters, tags: tags, status: "CREATE_COMPLETE", reason: nil, changes: [],
                           describesUntilReady: 1)
        if let failure = changeSetFailure {
            cs.status = "FAILED"
            cs.reason = failure
        } else if type == "UPDATE" && noChanges {
            cs.status = "FAILED"
            cs.reason = "The submitted information didn't contain changes. Submit different information to create a change set."
        } else {
            let old = Dictionary(Self.resources(s.template).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
            let new = Self.resources(template)
            cs.changes = new.map { (old[$0.0] == nil ? "Add" : "Modify", $0.0, $0.1, old[$0.0] == nil ? nil : "False") }
                + old.keys.sorted().filter { k in !new.contains { $0.0 == k } }.map { ("Remove", $0, old[$0]!, nil) }
        }
        changeSets[id] = cs
        return Self.ok("CreateChangeSet", "<Id>\(id)</Id><StackId>\(s.id)</StackId>")
    }

    // MARK: State

    private func find(_ nameOrId: String) -> FakeStack? {
        live[nameOrId] ?? byId[nameOrId]
    }

    private func apply(_ step: Step, to s: FakeStack) {
        for e in step.events { s.events.append(event(e.0, e.1, e.2, e.3)) }
        s.status = step.status
        s.reason = step.reason
        for e in step.events where e.0 != s.name {
            if let i = s.resources.firstIndex(where: { $0.0 == e.0 }) {
                s.resources[i].2 = e.2
                s.resources[i].3 = e.3
            } else {
                s.resources.append((e.0, e.1, e.2, e.3))
            }
        }
        if step.status == "DELETE_COMPLETE" { live[s.name] = nil }
        if step.status == "CREATE_COMPLETE" || step.status == "UPDATE_COMPLETE" { s.outputs = outputs }
    }

    private func event(_ logicalId: String, _ type: String, _ status: String, _ reason: String?) -> Event {
        counter += 1
        return Event(id: "event-\(counter)", logicalId: logicalId, type: type, status: status, reason: reason,
                     time: start.addingTimeInterval(Double(counter)))
    }

    private func newStackId(_ name: String) -> String {
        counter += 1
        return "arn:aws:cloudformation:us-east-1:123456789012:stack/\(name)/\(counter)"
    }

    static func resources(_ template: String) -> [(String, String)] {
        guard let t = try? TemplateDocument.parse(template) else { return [] }
        return TemplateDocument.section(t, "Resources").map { ($0.0, $0.1["Type"]?.stringLiteral ?? "?") }
    }

    // MARK: XML

    private func stackXML(_ s: FakeStack) -> String {
        var x = "<member><StackId>\(s.id)</StackId><StackName>\(s.name)</StackName>"
            + "<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>\(s.status)</StackStatus>"
        if let r = s.reason { x += "<StackStatusReason>\(Self.escape(r))</StackStatusReason>" }
        x += "<EnableTerminationProtection>\(s.terminationProtection)</EnableTerminationProtection>"
        x += "<Parameters>" + s.parameters.sorted { $0.key < $1.key }.map {
            "<member><ParameterKey>\($0.key)</ParameterKey><ParameterValue>\(Self.escape($0.value))</ParameterValue></member>"
        }.joined() + "</Parameters>"
        x += "<Tags>" + s.tags.sorted { $0.key < $1.key }.map {
            "<member><Key>\($0.key)</Key><Value>\(Self.escape($0.value))</Value></member>"
        }.joined() + "</Tags>"
        x += "<Outputs>" + s.outputs.sorted { $0.key < $1.key }.map {
            "<member><OutputKey>\($0.key)</OutputKey><OutputValue>\(Self.escape($0.value))</OutputValue></member>"
        }.joined() + "</Outputs>"
        return x + "</member>"
    }

    private func eventXML(_ e: Event, _ s: FakeStack) -> String {
        let f = ISO8601DateFormatter()
        return "<member><StackId>\(s.id)</StackId><EventId>\(e.id)</EventId><StackName>\(s.name)</StackName>"
            + "<LogicalResourceId>\(e.logicalId)</LogicalResourceId>"
            + "<PhysicalResourceId>\(e.logicalId == s.name ? s.id : "\(s.name)-\(e.logicalId.lowercased())")</PhysicalResourceId>"
            + "<ResourceType>\(e.type)</ResourceType><Timestamp>\(f.string(from: e.time))</Timestamp>"
            + "<ResourceStatus>\(e.status)</ResourceStatus>"
            + (e.reason.map { "<ResourceStatusReason>\(Self.escape($0))</ResourceStatusReason>" } ?? "") + "</member>"
    }

    static let ns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

    static func ok(_ action: String, _ result: String) -> HTTPResponse {
        HTTPResponse(statusCode: 200, headers: ["Content-Type": "text/xml", "x-amzn-RequestId": "req-\(action)"], body: Data("""
            <\(action)Response xmlns="\(ns)"><\(action)Result>\(result)</\(action)Result>\
            <ResponseMetadata><RequestId>req-\(action)</RequestId></ResponseMetadata></\(action)Response>
            """.utf8))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: ["Content-Type": "text/xml"], body: Data("""
            <ErrorResponse xmlns="\(ns)"><Error><Type>Sender</Type><Code>\(code)</Code>\
            <Message>\(escape(message))</Message></Error><RequestId>req-error</RequestId></ErrorResponse>
            """.utf8))
    }

    static func missing(_ name: String) -> HTTPResponse {
        error(400, "ValidationError", "Stack with id \(name) does not exist")
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func form(_ request: HTTPRequest) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in PercentEncoding.percentDecode(s.replacingOccurrences(of: "+", with: " ")) }
            fields[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return fields
    }
}

extension ScriptedCloudFormation {
    /// A deploy context that talks to this stand-in: fixed credentials, us-east-1, recorded
    /// sleeps (nothing waits), the given console.
    func context(_ console: TestConsole, sleeps: Sleeps = Sleeps(), cwd: URL? = nil) -> DeployContext {
        DeployContext(
            environment: AWSEnvironment(variables: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
            ], homeDirectory: "/nonexistent-home"),
            transport: self, console: console, polling: sleeps.polling,
            docker: ProcessDockerRunner(environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock"]),
            retry: sleeps.retry, workingDirectory: cwd ?? FileManager.default.temporaryDirectory)
    }
}
