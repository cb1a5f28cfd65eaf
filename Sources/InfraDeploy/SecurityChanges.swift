import Foundation
import InfraCore

/// The IAM and security-group changes between two templates, as `cdk diff` shows them: policy
/// statements (identity policies, trust policies, resource policies, Lambda permissions,
/// managed policies) and security-group rules, added or removed.
public struct SecurityChanges: Sendable, Equatable {
    /// One policy statement (or a statement-like grant such as a managed policy attachment).
    public struct Statement: Sendable, Hashable {
        /// The logical id of the resource holding it, and what kind of policy it is.
        public var resource: String
        public var effect: String
        public var actions: String
        public var principals: String
        public var resources: String
        public var condition: String
    }

    /// One security-group rule.
    public struct Rule: Sendable, Hashable {
        public var group: String
        public var direction: String
        public var ports: String
        public var peer: String
    }

    public var addedStatements: [Statement] = []
    public var removedStatements: [Statement] = []
    public var addedRules: [Rule] = []
    public var removedRules: [Rule] = []

    public var isEmpty: Bool {
        addedStatements.isEmpty && removedStatements.isEmpty && addedRules.isEmpty && removedRules.isEmpty
    }

    /// True when access widens: a statement that allows more is added, a deny is removed, or a
    /// security-group rule is added.
    public var isBroadening: Bool {
        addedStatements.contains { $0.effect != "Deny" } || removedStatements.contains { $0.effect == "Deny" }
            || !addedRules.isEmpty
    }

    public init() {}

    /// Compares the security-relevant parts of two templates (`old` nil: not deployed).
    public static func compare(old: Value?, new: Value?) -> SecurityChanges {
        let (oldStatements, oldRules) = extract(old)
        let (newStatements, newRules) = extract(new)
        var c = SecurityChanges()
        c.addedStatements = newStatements.filter { !oldStatements.contains($0) }
        c.removedStatements = oldStatements.filter { !newStatements.contains($0) }
        c.addedRules = newRules.filter { !oldRules.contains($0) }
        c.removedRules = oldRules.filter { !newRules.contains($0) }
        return c
    }

    // MARK: Extraction

    static func extract(_ template: Value?) -> ([Statement], [Rule]) {
        var statements: [Statement] = []
        var rules: [Rule] = []
        for (id, resource) in TemplateDocument.section(template, "Resources") {
            let type = resource["Type"]?.stringLiteral ?? ""
            let props = resource["Properties"] ?? .object([])
            func document(_ doc: Value?, _ label: String, defaultResource: String? = nil) {
                statements += Self.statements(of: doc, holder: "\(id) (\(label))", defaultResource: defaultResource)
            }
            func managed(_ arns: Value?) {
                guard case .array(let items)? = arns else {
                    if let arns { statements.append(Statement(resource: "\(id) (managed policies)", effect: "Allow",
                                                              actions: "(managed policy)", principals: "",
                                                              resources: TemplateDocument.show(arns), condition: "")) }
                    return
                }
                for arn in items {
                    statements.append(Statement(resource: "\(id) (managed policy)", effect: "Allow",
                                                actions: "(managed policy)", principals: "",
                                                resources: text(arn), condition: ""))
                }
            }
            switch type {
            case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
                if type == "AWS::IAM::Role" { document(props["AssumeRolePolicyDocument"], "trust policy") }
                if case .array(let policies)? = props["Policies"] {
                    for p in policies {
                        document(p["PolicyDocument"], "policy \(p["PolicyName"].map(text) ?? "?")")
                    }
                }
                managed(props["ManagedPolicyArns"])
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
                var attached: [String] = []
                for key in ["Roles", "Users", "Groups"] {
                    if case .array(let items)? = props[key] { attached += items.map(text) }
                }
                let label = attached.isEmpty ? "policy" : "policy on " + attached.joined(separator: ", ")
                document(props["PolicyDocument"], label)
            case "AWS::S3::BucketPolicy":
                document(props["PolicyDocument"], "bucket policy", defaultResource: props["Bucket"].map(text))
            case "AWS::SQS::QueuePolicy":
                document(props["PolicyDocument"], "queue policy")
            case "AWS::SNS::TopicPolicy":
                document(props["PolicyDocument"], "topic policy")
            case "AWS::KMS::Key":
                document(props["KeyPolicy"], "key policy")
            case "AWS::ECR::Repository":
                document(props["RepositoryPolicyText"], "repository policy")
            case "AWS::SecretsManager::ResourcePolicy":
                document(props["ResourcePolicy"], "secret policy")
            case "AWS::Lambda::Permission":
                statements.append(Statement(
                    resource: "\(id) (Lambda permission)", effect: "Allow",
                    actions: props["Action"].map(text) ?? "", principals: props["Principal"].map(text) ?? "",
                    resources: props["FunctionName"].map(text) ?? "",
                    condition: [("SourceArn", props["SourceArn"]), ("SourceAccount", props["SourceAccount"])]
                        .compactMap { k, v in v.map { "\(k): \(text($0))" } }.joined(separator: ", ")))
            case "AWS::EC2::SecurityGroup":
                for (key, direction) in [("SecurityGroupIngress", "in"), ("SecurityGroupEgress", "out")] {
                    if case .array(let items)? = props[key] {
                        rules += items.map { rule($0, group: id, direction: direction) }
                    }
                }
            case "AWS::EC2::SecurityGroupIngress":
                rules.append(rule(props, group: props["GroupId"].map(text) ?? props["GroupName"].map(text) ?? id,
                                  direction: "in"))
            case "AWS::EC2::SecurityGroupEgress":
                rules.append(rule(props, group: props["GroupId"].map(text) ?? id, direction: "out"))
            default:
                break
            }
        }
        return (statements, rules)
    }

    static func statements(of document: Value?, holder: String, defaultResource: String?) -> [Statement] {
        guard let document else { return [] }
        var doc = document
        if case .string(let json) = document, let parsed = try? JSONParser.parse(json) { doc = parsed }
        let list: [Value]
        switch doc["Statement"] {
        case .array(let items)?: list = items
        case .object?: list = [doc["Statement"]!]
        default:
            return [Statement(resource: holder, effect: "?", actions: TemplateDocument.show(document), principals: "",
                              resources: "", condition: "")]
        }
        return list.map { s in
            let actions = field(s, "Action", not: "NotAction")
            let principals = principal(s)
            var resources = field(s, "Resource", not: "NotResource")
            if resources.isEmpty, let defaultResource { resources = defaultResource }
            return Statement(resource: holder, effect: s["Effect"].map(text) ?? "?", actions: actions,
                             principals: principals, resources: resources,
                             condition: s["Condition"].map { TemplateDocument.show($0, limit: 200) } ?? "")
        }
    }

    private static func field(_ s: Value, _ key: String, not notKey: String) -> String {
        if let v = s[key] { return list(v).joined(separator: ", ") }
        if let v = s[notKey] { return "NOT " + list(v).joined(separator: ", ") }
        return ""
    }

    private static func principal(_ s: Value) -> String {
        let negate = s["Principal"] == nil && s["NotPrincipal"] != nil
        guard let p = s["Principal"] ?? s["NotPrincipal"] else { return "" }
        var parts: [String] = []
        if case .object(let pairs) = p, TemplateDocument.tokenText(p) == nil {
            for (kind, value) in pairs {
                parts += list(value).map { "\(kind):\($0)" }
            }
        } else {
            parts = list(p)
        }
        return (negate ? "NOT " : "") + parts.sorted().joined(separator: ", ")
    }

    private static func list(_ v: Value) -> [String] {
        if case .array(let items) = v { return items.map(text).sorted() }
        return [text(v)]
    }

    /// A value as text: literals bare, tokens as `${X.Attr}`.
    static func text(_ v: Value) -> String {
        if let s = v.stringLiteral { return s }
        let shown = TemplateDocument.show(v, limit: 200)
        if shown.hasPrefix("\""), shown.hasSuffix("\""), shown.count >= 2 { return String(shown.dropFirst().dropLast()) }
        return shown
    }

    private static func rule(_ r: Value, group: String, direction: String) -> Rule {
        let proto = r["IpProtocol"].map(text) ?? "?"
        var ports: String
        switch proto {
        case "-1", "all": ports = "all traffic"
        default:
            let from = r["FromPort"].map(text), to = r["ToPort"].map(text)
            let range = from == to ? (from ?? "") : "\(from ?? "?")-\(to ?? "?")"
            ports = "\(proto.uppercased()) \(range)".trimmingCharacters(in: .whitespaces)
        }
        let peerKeys = ["CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourceSecurityGroupName",
                        "DestinationSecurityGroupId", "SourcePrefixListId", "DestinationPrefixListId"]
        let peer = peerKeys.compactMap { k in r[k].map(text) }.joined(separator: ", ")
        if case .object(let pairs) = r, pairs.isEmpty { ports = "?" }
        return Rule(group: group, direction: direction, ports: ports, peer: peer.isEmpty ? "?" : peer)
    }

    // MARK: Rendering

    /// The tables (`+` added, `-` removed), or nothing when there are no changes.
    public func render(color: Bool = false) -> [String] {
        var out: [String] = []
        if !addedStatements.isEmpty || !removedStatements.isEmpty {
            out.append("IAM statement changes")
            let rows = addedStatements.map { ("+", $0) } + removedStatements.map { ("-", $0) }
            out += TextTable.render(
                header: ["", "Resource", "Effect", "Action", "Principal", "Resource ARN", "Condition"],
                rows: rows.map { sign, s in [sign, s.resource, s.effect, s.actions, s.principals, s.resources, s.condition] },
                color: color)
        }
        if !addedRules.isEmpty || !removedRules.isEmpty {
            out.append("Security group changes")
            let rows = addedRules.map { ("+", $0) } + removedRules.map { ("-", $0) }
            out += TextTable.render(
                header: ["", "Group", "Dir", "Protocol / ports", "Peer"],
                rows: rows.map { sign, r in [sign, r.group, r.direction, r.ports, r.peer] },
                color: color)
        }
        return out
    }
}

/// A plain text table with `|` separators; cells longer than `maxWidth` are cut.
enum TextTable {
    static func render(header: [String], rows: [[String]], maxWidth: Int = 48, color: Bool = false) -> [String] {
        // drop columns that are empty in every row
        let keep = header.indices.filter { i in i == 0 || rows.contains { !$0[i].isEmpty } }
        let head = keep.map { header[$0] }
        let body = rows.map { row in keep.map { i -> String in
            let cell = row[i].replacingOccurrences(of: "\n", with: " ")
            return cell.count > maxWidth ? String(cell.prefix(maxWidth - 1)) + "…" : cell
        } }
        var widths = head.map(\.count)
        for row in body { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: " | ") + " |"
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        var out = [rule, line(head), rule]
        for row in body {
            let text = line(row)
            out.append(color ? (row.first == "+" ? ANSI.yellow(text, true) : ANSI.green(text, true)) : text)
        }
        out.append(rule)
        return out
    }
}
