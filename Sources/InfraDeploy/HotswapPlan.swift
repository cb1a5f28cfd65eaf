import Foundation
import InfraAWS
import InfraCore

/// What `infra deploy --hotswap` can apply through the service APIs instead of CloudFormation,
/// found by comparing the deployed template (GetTemplate) with the new one. Every difference
/// must be hot-swappable; otherwise `blockers` says which resource and property needs a change set.
public struct HotswapPlan: Sendable {
    public enum Change: Sendable {
        /// A Lambda function's code and/or configuration.
        case function(logicalId: String, name: String, code: LambdaClient.Code?,
                      configuration: LambdaClient.ConfigurationUpdate, properties: [String])
        /// A task definition's containers (image, environment): a new revision from the deployed
        /// one, and the services that run it moved to it.
        case taskDefinition(logicalId: String, deployedArn: String, containers: [ContainerChange],
                            services: [ServiceRef], properties: [String])

        public var logicalId: String {
            switch self {
            case .function(let id, _, _, _, _), .taskDefinition(let id, _, _, _, _): return id
            }
        }
    }

    public struct ContainerChange: Sendable, Equatable {
        public var name: String
        public var image: String?
        /// `[(name, value)]` in template order; nil: unchanged.
        public var environment: [(String, String)]?

        public static func == (a: ContainerChange, b: ContainerChange) -> Bool {
            a.name == b.name && a.image == b.image && a.environment?.map(\.0) == b.environment?.map(\.0)
                && a.environment?.map(\.1) == b.environment?.map(\.1)
        }
    }

    public struct ServiceRef: Sendable, Equatable {
        public var logicalId: String
        public var cluster: String
        public var service: String
    }

    public var changes: [Change] = []
    /// Why the change cannot be hot-swapped: one line per resource/property.
    public var blockers: [String] = []
    /// The new definitions of the changed resources (rendered), for `Hotswapper`'s memo.
    public var definitions: [String: String] = [:]

    public var isEmpty: Bool { changes.isEmpty && blockers.isEmpty }
}

/// Builds a `HotswapPlan` (no AWS calls: the deployed template, resources and parameters are given).
public struct HotswapPlanner {
    /// Lambda function properties UpdateFunctionCode / UpdateFunctionConfiguration change in place.
    public static let functionProperties: Set<String> = ["Code", "Environment", "MemorySize", "Timeout",
                                                         "Description", "Handler", "Runtime"]
    /// Container fields of a task definition a new revision may change.
    public static let containerFields: Set<String> = ["Image", "Environment"]

    public let old: Value
    public let new: Value
    public let evaluator: HotswapEvaluator

    public init(old: Value, new: Value, evaluator: HotswapEvaluator) {
        self.old = old
        self.new = new
        self.evaluator = evaluator
    }

    public func plan() -> HotswapPlan {
        var plan = HotswapPlan()
        // sections other than Resources: a change there is CloudFormation's
        for section in ["AWSTemplateFormatVersion", "Description", "Transform", "Metadata", "Parameters", "Mappings",
                        "Conditions", "Rules", "Outputs"] where !TemplateDocument.equal(old[section], new[section]) {
            plan.blockers.append("\(section) changed: only CloudFormation applies it")
        }
        let a = TemplateDocument.section(old, "Resources"), b = TemplateDocument.section(new, "Resources")
        for (id, def) in a where !b.contains(where: { $0.0 == id }) {
            plan.blockers.append("\(id) (\(def["Type"]?.stringLiteral ?? "?")) is removed: deleting it needs CloudFormation")
        }
        for (id, def) in b {
            let type = def["Type"]?.stringLiteral ?? "?"
            guard let before = a.first(where: { $0.0 == id })?.1 else {
                plan.blockers.append("\(id) (\(type)) is new: creating it needs CloudFormation")
                continue
            }
            if TemplateDocument.equal(before, def) { continue }
            plan.definitions[id] = JSONRenderer.render(def, pretty: false)
            do {
                try classify(id, type: type, old: before, new: def, into: &plan)
            } catch let e as HotswapEvaluator.Unresolvable {
                plan.blockers.append("\(id) (\(type)): \(e.reason)")
            } catch {
                plan.blockers.append("\(id) (\(type)): \(error)")
            }
        }
        return plan
    }

    private func classify(_ id: String, type: String, old: Value, new: Value, into plan: inout HotswapPlan) throws {
        if old["Type"]?.stringLiteral != type {
            plan.blockers.append("\(id): its Type changed (a replacement)")
            return
        }
        var otherKeys = Set<String>()
        for case .object(let pairs) in [old, new] { for (k, _) in pairs { otherKeys.insert(k) } }
        for key in otherKeys.subtracting(["Type", "Properties", "Metadata"]).sorted()
        where !TemplateDocument.equal(old[key], new[key]) {
            plan.blockers.append("\(id) (\(type)): \(key) changed")
        }
        let changed = Self.changedKeys(old["Properties"], new["Properties"])
        switch type {
        case "AWS::Lambda::Function":
            let unsupported = changed.filter { !Self.functionProperties.contains($0) }
            for p in unsupported {
                plan.blockers.append("\(id) (\(type)): Properties.\(p) cannot be hot-swapped (no update API infra uses)")
            }
            guard unsupported.isEmpty, !changed.isEmpty else { return }
            plan.changes.append(try functionChange(id, old: old, new: new, changed: changed))
        case "AWS::ECS::TaskDefinition":
            guard changed == ["ContainerDefinitions"] else {
                for p in changed where p != "ContainerDefinitions" {
                    plan.blockers.append("\(id) (\(type)): Properties.\(p) cannot be hot-swapped (only container "
                        + "images and environments can)")
                }
                if changed.isEmpty { return }
                return
            }
            if let change = try taskDefinitionChange(id, old: old, new: new, blockers: &plan.blockers) {
                plan.changes.append(change)
            }
        default:
            if !changed.isEmpty {
                plan.blockers.append("\(id) (\(type)): Properties." + changed.joined(separator: ", Properties.")
                    + " changed; infra hot-swaps only Lambda functions and ECS task definitions")
            }
        }
    }

    static func changedKeys(_ a: Value?, _ b: Value?) -> [String] {
        var keys: [String] = []
        for case .object(let pairs)? in [a, b] { for (k, _) in pairs where !keys.contains(k) { keys.append(k) } }
        return keys.filter { !TemplateDocument.equal(a?[$0], b?[$0]) }
    }

    private func physical(_ id: String, _ type: String) throws -> String {
        guard let p = evaluator.resources[id]?.physicalId else {
            throw HotswapEvaluator.Unresolvable(reason: "not found among the deployed stack's resources")
        }
        return p
    }

    private func functionChange(_ id: String, old: Value, new: Value, changed: [String]) throws -> HotswapPlan.Change {
        let name = try physical(id, "AWS::Lambda::Function")
        let props = new["Properties"] ?? .object([])
        var code: LambdaClient.Code?
        if changed.contains("Code") {
            let oldCode = old["Properties"]?["Code"], newCode = props["Code"]
            let kind: (Value?) -> String = { c in
                c?["ImageUri"] != nil ? "image" : c?["ZipFile"] != nil ? "inline" : "s3"
            }
            guard kind(oldCode) == kind(newCode) else {
                throw HotswapEvaluator.Unresolvable(reason: "Properties.Code changes from \(kind(oldCode)) to "
                    + "\(kind(newCode)) code (the package type): a replacement")
            }
            let c = try evaluator.evaluate(newCode ?? .null)
            if let uri = c?["ImageUri"]?.stringLiteral {
                code = .image(uri: uri)
            } else if let bucket = c?["S3Bucket"]?.stringLiteral, let key = c?["S3Key"]?.stringLiteral {
                code = .s3(bucket: bucket, key: key, objectVersion: c?["S3ObjectVersion"]?.stringLiteral)
            } else {
                throw HotswapEvaluator.Unresolvable(reason: "Properties.Code: inline code (ZipFile) is not hot-swapped")
            }
        }
        var update = LambdaClient.ConfigurationUpdate()
        if changed.contains("Environment") {
            var vars: [String: String] = [:]
            if let e = try evaluator.evaluate(props["Environment"] ?? .object([])),
               case .object(let pairs)? = e["Variables"] {
                for (k, v) in pairs { vars[k] = try Self.scalar(v, "Environment.Variables.\(k)") }
            }
            update.environment = LambdaClient.ConfigurationUpdate(environment: vars).environment
        }
        func int(_ key: String, default value: Int) throws -> Int {
            guard let v = try evaluator.evaluate(props[key] ?? .null) else { return value }
            guard let i = Int(try Self.scalar(v, key)) else {
                throw HotswapEvaluator.Unresolvable(reason: "Properties.\(key) is not a number")
            }
            return i
        }
        if changed.contains("MemorySize") { update.memorySize = try int("MemorySize", default: 128) }
        if changed.contains("Timeout") { update.timeout = try int("Timeout", default: 3) }
        if changed.contains("Description") {
            update.description = try evaluator.evaluate(props["Description"] ?? .null).map { try Self.scalar($0, "Description") } ?? ""
        }
        for key in ["Handler", "Runtime"] where changed.contains(key) {
            guard let v = try evaluator.evaluate(props[key] ?? .null) else {
                throw HotswapEvaluator.Unresolvable(reason: "Properties.\(key) is removed")
            }
            if key == "Handler" { update.handler = try Self.scalar(v, key) } else { update.runtime = try Self.scalar(v, key) }
        }
        return .function(logicalId: id, name: name, code: code, configuration: update, properties: changed)
    }

    private func taskDefinitionChange(_ id: String, old: Value, new: Value, blockers: inout [String]) throws
        -> HotswapPlan.Change? {
        let type = "AWS::ECS::TaskDefinition"
        guard case .array(let before)? = old["Properties"]?["ContainerDefinitions"],
              case .array(let after)? = new["Properties"]?["ContainerDefinitions"] else {
            throw HotswapEvaluator.Unresolvable(reason: "Properties.ContainerDefinitions is not a list")
        }
        guard before.count == after.count,
              zip(before, after).allSatisfy({ TemplateDocument.equal($0["Name"], $1["Name"]) }) else {
            blockers.append("\(id) (\(type)): containers were added, removed or renamed")
            return nil
        }
        var containers: [HotswapPlan.ContainerChange] = []
        var properties: [String] = []
        var blocked = false
        for (x, y) in zip(before, after) {
            let name = try evaluator.evaluate(y["Name"] ?? .null).flatMap(\.stringLiteral) ?? "?"
            let fields = Self.changedKeys(x, y)
            if fields.isEmpty { continue }
            for f in fields where !Self.containerFields.contains(f) {
                blockers.append("\(id) (\(type)): container \(name): \(f) cannot be hot-swapped (only Image and Environment)")
                blocked = true
            }
            var change = HotswapPlan.ContainerChange(name: name)
            if fields.contains("Image") {
                change.image = try Self.scalar(try evaluator.evaluate(y["Image"] ?? .null) ?? .null, "Image")
                properties.append("container \(name) Image")
            }
            if fields.contains("Environment") {
                var env: [(String, String)] = []
                if case .array(let items)? = try evaluator.evaluate(y["Environment"] ?? .array([])) {
                    for item in items {
                        env.append((try Self.scalar(item["Name"] ?? .null, "Environment.Name"),
                                    try Self.scalar(item["Value"] ?? .string(""), "Environment.Value")))
                    }
                }
                change.environment = env
                properties.append("container \(name) Environment")
            }
            containers.append(change)
        }
        if blocked { return nil }
        // the services that run it; anything else that refers to it would keep the old revision
        var services: [HotswapPlan.ServiceRef] = []
        for (rid, def) in TemplateDocument.section(self.new, "Resources") where rid != id && Self.refers(def, to: id) {
            let rtype = def["Type"]?.stringLiteral ?? "?"
            guard rtype == "AWS::ECS::Service",
                  TemplateDocument.equal(def["Properties"]?["TaskDefinition"], .object([("Ref", .string(id))])) else {
                blockers.append("\(id) (\(type)): \(rid) (\(rtype)) refers to it and would keep the old revision")
                return nil
            }
            let arn = try physical(rid, rtype)
            var cluster = "default"
            if let c = def["Properties"]?["Cluster"], let v = try evaluator.evaluate(c)?.stringLiteral { cluster = v }
            services.append(.init(logicalId: rid, cluster: cluster, service: arn))
        }
        guard !services.isEmpty else {
            blockers.append("\(id) (\(type)): no service of the stack runs it")
            return nil
        }
        return .taskDefinition(logicalId: id, deployedArn: try physical(id, type), containers: containers,
                               services: services, properties: properties)
    }

    /// Whether a value holds `Ref` / `Fn::GetAtt` / `${id}` of a logical id.
    static func refers(_ v: Value, to id: String) -> Bool {
        switch v {
        case .object(let pairs):
            if pairs.count == 1 {
                let (k, arg) = pairs[0]
                if k == "Ref", arg.stringLiteral == id { return true }
                if k == "Fn::GetAtt", case .array(let parts) = arg, parts.first?.stringLiteral == id { return true }
                if k == "Fn::Sub" {
                    let text = arg.stringLiteral ?? { if case .array(let p) = arg { return p.first?.stringLiteral } else { return nil } }() ?? ""
                    if text.contains("${\(id)}") || text.contains("${\(id).") { return true }
                }
            }
            return pairs.contains { refers($0.1, to: id) }
        case .array(let items): return items.contains { refers($0, to: id) }
        default: return false
        }
    }

    static func scalar(_ v: Value, _ what: String) throws -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() ? String(Int(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        default: throw HotswapEvaluator.Unresolvable(reason: "\(what) is not a plain value after evaluation")
        }
    }
}

/// Evaluates template values the way CloudFormation would for the deployed stack: parameters
/// (deployed values), pseudo parameters, `Ref` of resources (physical ids), the `Fn::GetAtt`
/// attributes that follow from a physical id, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`,
/// `Fn::If`, `Fn::Base64`. Anything else is `Unresolvable` (the change then needs CloudFormation).
public struct HotswapEvaluator: @unchecked Sendable {
    public struct Unresolvable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public let template: Value
    public let parameters: [String: String]
    public let resources: [String: ResourceSummary]
    public let account: String
    public let region: String
    public let stackName: String
    public let stackId: String

    public init(template: Value, parameters: [String: String], resources: [ResourceSummary], account: String,
                region: String, stackName: String, stackId: String) {
        self.template = template
        self.parameters = parameters
        self.resources = Dictionary(resources.map { ($0.logicalId, $0) }, uniquingKeysWith: { a, _ in a })
        self.account = account
        self.region = region
        self.stackName = stackName
        self.stackId = stackId
    }

    var partition: Partition { Partition.of(region: region) }

    /// The value with every intrinsic resolved; nil for `AWS::NoValue`.
    public func evaluate(_ v: Value, depth: Int = 0) throws -> Value? {
        guard depth < 64 else { throw Unresolvable(reason: "the value nests too deep") }
        switch v {
        case .array(let items):
            return .array(try items.compactMap { try evaluate($0, depth: depth + 1) })
        case .object(let pairs):
            if pairs.count == 1, pairs[0].0 == "Ref" || pairs[0].0.hasPrefix("Fn::") || pairs[0].0 == "Condition" {
                return try intrinsic(pairs[0].0, pairs[0].1, depth: depth + 1)
            }
            var out: [(String, Value)] = []
            for (k, x) in pairs { if let y = try evaluate(x, depth: depth + 1) { out.append((k, y)) } }
            return .object(out)
        default:
            return v
        }
    }

    private func string(_ v: Value, depth: Int, _ what: String) throws -> String {
        guard let r = try evaluate(v, depth: depth) else { throw Unresolvable(reason: "\(what) is AWS::NoValue") }
        return try HotswapPlanner.scalar(r, what)
    }

    private func intrinsic(_ name: String, _ arg: Value, depth: Int) throws -> Value? {
        switch name {
        case "Ref":
            guard let target = arg.stringLiteral else { throw Unresolvable(reason: "Ref of a non-string") }
            if target == "AWS::NoValue" { return nil }
            return .string(try ref(target))
        case "Fn::GetAtt":
            var parts: [String] = []
            if case .array(let a) = arg { parts = try a.map { try string($0, depth: depth, "Fn::GetAtt") } }
            else if let s = arg.stringLiteral, let dot = s.firstIndex(of: ".") {
                parts = [String(s[..<dot]), String(s[s.index(after: dot)...])]
            }
            guard parts.count == 2 else { throw Unresolvable(reason: "malformed Fn::GetAtt") }
            return .string(try getAtt(parts[0], parts[1]))
        case "Fn::Join":
            guard case .array(let a) = arg, a.count == 2, let sep = a[0].stringLiteral,
                  case .array(let items)? = try evaluate(a[1], depth: depth) else {
                throw Unresolvable(reason: "malformed Fn::Join")
            }
            return .string(try items.map { try HotswapPlanner.scalar($0, "Fn::Join item") }.joined(separator: sep))
        case "Fn::Sub":
            var text: String
            var vars: [String: String] = [:]
            if let s = arg.stringLiteral { text = s }
            else if case .array(let a) = arg, a.count == 2, let s = a[0].stringLiteral, case .object(let m) = a[1] {
                text = s
                for (k, x) in m { vars[k] = try string(x, depth: depth, "Fn::Sub variable \(k)") }
            } else { throw Unresolvable(reason: "malformed Fn::Sub") }
            return .string(try substitute(&text, vars))
        case "Fn::Select":
            guard case .array(let a) = arg, a.count == 2,
                  let index = Int(try string(a[0], depth: depth, "Fn::Select index")),
                  case .array(let items)? = try evaluate(a[1], depth: depth), items.indices.contains(index) else {
                throw Unresolvable(reason: "malformed Fn::Select")
            }
            return items[index]
        case "Fn::Split":
            guard case .array(let a) = arg, a.count == 2, let sep = a[0].stringLiteral, !sep.isEmpty else {
                throw Unresolvable(reason: "malformed Fn::Split")
            }
            return .array(try string(a[1], depth: depth, "Fn::Split").components(separatedBy: sep).map(Value.string))
        case "Fn::If":
            guard case .array(let a) = arg, a.count == 3, let c = a[0].stringLiteral else {
                throw Unresolvable(reason: "malformed Fn::If")
            }
            return try evaluate(try condition(c, depth: depth) ? a[1] : a[2], depth: depth)
        case "Fn::Base64":
            return .string(Data(try string(arg, depth: depth, "Fn::Base64").utf8).base64EncodedString())
        default:
            throw Unresolvable(reason: "\(name) cannot be evaluated outside CloudFormation")
        }
    }

    func condition(_ name: String, depth: Int) throws -> Bool {
        guard let c = template["Conditions"]?[name] else { throw Unresolvable(reason: "no condition \(name)") }
        return try conditionValue(c, depth: depth + 1)
    }

    private func conditionValue(_ v: Value, depth: Int) throws -> Bool {
        guard depth < 64, case .object(let pairs) = v, pairs.count == 1 else {
            throw Unresolvable(reason: "a condition cannot be evaluated")
        }
        let (name, arg) = pairs[0]
        switch name {
        case "Condition":
            guard let c = arg.stringLiteral else { throw Unresolvable(reason: "malformed Condition") }
            return try condition(c, depth: depth)
        case "Fn::Equals":
            guard case .array(let a) = arg, a.count == 2 else { throw Unresolvable(reason: "malformed Fn::Equals") }
            return try string(a[0], depth: depth, "Fn::Equals") == string(a[1], depth: depth, "Fn::Equals")
        case "Fn::Not":
            guard case .array(let a) = arg, a.count == 1 else { throw Unresolvable(reason: "malformed Fn::Not") }
            return !(try conditionValue(a[0], depth: depth + 1))
        case "Fn::And", "Fn::Or":
            guard case .array(let a) = arg else { throw Unresolvable(reason: "malformed \(name)") }
            let values = try a.map { try conditionValue($0, depth: depth + 1) }
            return name == "Fn::And" ? values.allSatisfy { $0 } : values.contains(true)
        default:
            throw Unresolvable(reason: "\(name) in a condition cannot be evaluated")
        }
    }

    private func substitute(_ text: inout String, _ vars: [String: String]) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw Unresolvable(reason: "unterminated ${ in Fn::Sub")
            }
            let name = String(rest[open.upperBound..<close])
            if name.hasPrefix("!") {
                out += "${" + name.dropFirst() + "}"
            } else if let v = vars[name] {
                out += v
            } else if let dot = name.firstIndex(of: "."), !name.hasPrefix("AWS::") {
                out += try getAtt(String(name[..<dot]), String(name[name.index(after: dot)...]))
            } else {
                out += try ref(name)
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    func ref(_ target: String) throws -> String {
        switch target {
        case "AWS::AccountId": return account
        case "AWS::Region": return region
        case "AWS::Partition": return partition.id
        case "AWS::URLSuffix": return partition.dnsSuffix
        case "AWS::StackName": return stackName
        case "AWS::StackId": return stackId
        default: break
        }
        if let p = parameters[target] { return p }
        if let d = template["Parameters"]?[target] {
            if let v = d["Default"] { return try HotswapPlanner.scalar(v, "parameter \(target)") }
            throw Unresolvable(reason: "parameter \(target) has no deployed value")
        }
        guard let r = resources[target] else { throw Unresolvable(reason: "Ref \(target): not a deployed resource") }
        guard let p = r.physicalId else { throw Unresolvable(reason: "Ref \(target): no physical id") }
        return p
    }

    /// Attributes that follow from a physical id (as CloudFormation defines them).
    func getAtt(_ id: String, _ attribute: String) throws -> String {
        guard let r = resources[id], let p = r.physicalId else {
            throw Unresolvable(reason: "Fn::GetAtt \(id).\(attribute): not a deployed resource")
        }
        let part = partition.id, suffix = partition.dnsSuffix
        switch (r.type, attribute) {
        case ("AWS::Lambda::Function", "Arn"): return "arn:\(part):lambda:\(region):\(account):function:\(p)"
        case ("AWS::S3::Bucket", "Arn"): return "arn:\(part):s3:::\(p)"
        case ("AWS::S3::Bucket", "DomainName"): return "\(p).s3.\(suffix)"
        case ("AWS::S3::Bucket", "RegionalDomainName"): return "\(p).s3.\(region).\(suffix)"
        case ("AWS::SQS::Queue", "Arn"):
            return "arn:\(part):sqs:\(region):\(account):\(p.split(separator: "/").last.map(String.init) ?? p)"
        case ("AWS::SQS::Queue", "QueueName"): return p.split(separator: "/").last.map(String.init) ?? p
        case ("AWS::SQS::Queue", "QueueUrl"): return p
        case ("AWS::SNS::Topic", "TopicArn"): return p
        case ("AWS::SNS::Topic", "TopicName"): return p.split(separator: ":").last.map(String.init) ?? p
        case ("AWS::DynamoDB::Table", "Arn"): return "arn:\(part):dynamodb:\(region):\(account):table/\(p)"
        case ("AWS::ECR::Repository", "Arn"): return "arn:\(part):ecr:\(region):\(account):repository/\(p)"
        case ("AWS::ECR::Repository", "RepositoryUri"): return "\(account).dkr.ecr.\(region).\(suffix)/\(p)"
        case ("AWS::ECS::Cluster", "Arn"): return "arn:\(part):ecs:\(region):\(account):cluster/\(p)"
        case ("AWS::Logs::LogGroup", "Arn"): return "arn:\(part):logs:\(region):\(account):log-group:\(p):*"
        case ("AWS::IAM::Role", "Arn"):
            let path = template["Resources"]?[id]?["Properties"]?["Path"]?.stringLiteral ?? "/"
            return "arn:\(part):iam::\(account):role\(path)\(p)"
        default:
            throw Unresolvable(reason: "Fn::GetAtt \(id).\(attribute) (\(r.type)) cannot be computed outside CloudFormation")
        }
    }
}
