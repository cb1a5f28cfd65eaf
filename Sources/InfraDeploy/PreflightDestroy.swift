import Foundation
import InfraAWS
import InfraCore

/// What `infra destroy` says before it calls DeleteStack: resources with deletion protection
/// (the delete would fail after minutes: refuse up front, with the commands that turn it off),
/// termination protection on the stack, and what DeletionPolicy Retain/Snapshot keeps.
struct DestroyPreflight {
    struct Protected: Equatable {
        var logicalId: String
        var type: String
        var physicalId: String?
        /// How the protection is set: `DeletionProtection`, `deletion_protection.enabled`, ...
        var setting: String
    }

    struct Result {
        var stack: AssemblyStack
        var deployed: InfraAWS.Stack
        var protected: [Protected] = []
        var retained: [Destroyer.Retained] = []
    }

    /// Checks every deployed stack of a destroy; prints what DeletionPolicy keeps; returns the
    /// refusal when anything is protected (nothing is deleted then).
    static func run(_ stacks: [AssemblyStack], clients: AWSClients, output: DeployOutput) async -> DeployError? {
        var results: [Result] = []
        for stack in stacks {
            do {
                try await clients.checkAccount(of: stack)
                let cfn = CloudFormationClient(client: clients.client(for: stack.region))
                guard let deployed = try await cfn.describeStack(stack.stackName),
                      deployed.status != .deleteInProgress else { continue }
                results.append(try await check(stack, deployed: deployed, cfn: cfn))
            } catch let e as DeployError {
                return e
            } catch {
                return DeployError(.other, "\(stack.stackName): could not check the stack before deleting it: "
                    + error.deployMessage)
            }
        }
        if let refusal = refusal(results) {
            return DeployError(.stackFailed, refusal + "\nnothing was deleted")
        }
        for r in results {
            for line in retainedNotice(r) { output.line(line) }
        }
        return nil
    }

    /// Reads the deployed template (GetTemplate) and resources of a deployed stack.
    static func check(_ stack: AssemblyStack, deployed: InfraAWS.Stack, cfn: CloudFormationClient) async throws -> Result {
        var result = Result(stack: stack, deployed: deployed)
        let body = try await cfn.getTemplate(stackName: deployed.stackId)
        guard let template = try? TemplateDocument.parse(body) else { return result }
        let live = (try? await cfn.listStackResources(deployed.stackId)) ?? []
        let parameters = Dictionary(deployed.parameters.map { ($0.key, $0.resolvedValue ?? $0.value ?? "") },
                                    uniquingKeysWith: { a, _ in a })
        let evaluator = ConditionEvaluator(template: template, parameters: parameters)
        for (id, r) in TemplateDocument.section(template, "Resources") {
            if let condition = r["Condition"]?.stringLiteral, evaluator.condition(condition) == false { continue }
            let physical = live.first { $0.logicalId == id }
            guard physical != nil || live.isEmpty else { continue }
            let type = r["Type"]?.stringLiteral ?? "?"
            let p = r["Properties"]
            var setting: String?
            switch type {
            case "AWS::RDS::DBCluster", "AWS::RDS::DBInstance":
                if evaluator.isTrue(p?["DeletionProtection"]) { setting = "DeletionProtection" }
            case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
                if evaluator.isTrue(p?["DeletionProtectionEnabled"]) { setting = "DeletionProtectionEnabled" }
            case "AWS::ElasticLoadBalancingV2::LoadBalancer":
                if case .array(let attributes)? = p?["LoadBalancerAttributes"],
                   attributes.contains(where: { $0["Key"]?.stringLiteral == "deletion_protection.enabled"
                       && evaluator.isTrue($0["Value"]) }) {
                    setting = "deletion_protection.enabled"
                }
            default: break
            }
            if let setting {
                result.protected.append(Protected(logicalId: id, type: type, physicalId: physical?.physicalId,
                                                  setting: setting))
            }
            if let policy = r["DeletionPolicy"]?.stringLiteral,
               ["Retain", "RetainExceptOnCreate", "Snapshot"].contains(policy) {
                result.retained.append(Destroyer.Retained(logicalId: id, type: type, physicalId: physical?.physicalId,
                                                          policy: policy))
            }
        }
        return result
    }

    /// The refusal: what is protected, the config key, the exact commands.
    static func refusal(_ results: [Result]) -> String? {
        var lines: [String] = []
        for r in results {
            let name = r.stack.stackName
            if r.deployed.terminationProtection {
                lines.append("\(name) has termination protection (CloudFormation refuses DeleteStack):")
                if r.stack.configFile != nil {
                    lines.append("  set \"terminationProtection\": false in \(r.stack.configFile!), then run")
                    lines.append("    infra deploy \(name)")
                } else {
                    lines.append("  turn it off: aws cloudformation update-termination-protection "
                        + "--no-enable-termination-protection --stack-name \(name)")
                }
                lines.append("    infra destroy \(name)")
            }
            guard !r.protected.isEmpty else { continue }
            lines.append("\(name) has resources with deletion protection (the delete would fail after minutes, "
                + "with the stack in DELETE_FAILED):")
            for p in r.protected {
                lines.append("  \(p.logicalId) (\(p.type)) \(p.physicalId ?? ""): \(p.setting) is on")
            }
            let keys = protectionKeys(r)
            let file = r.stack.configFile ?? "the stack's config"
            if !keys.isEmpty {
                lines.append("  turn it off through its config key (\(keys.joined(separator: ", ")) in \(file)), "
                    + "deploy that, then destroy:")
                lines.append("    infra deploy \(name) " + keys.map { "-c \($0)=false" }.joined(separator: " "))
                lines.append("    infra destroy \(name)")
                lines.append("  (or set \(keys.map { "\"\($0)\": false" }.joined(separator: ", ")) in \(file) to "
                    + "keep it off)")
            } else {
                lines.append("  no config key of \(name) holds the setting: turn it off in the stack's code (or the "
                    + "console), deploy, then run infra destroy \(name)")
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// The context keys that switch deletion protection on: `true` values whose names say
    /// protection, those naming the protected resource's kind first.
    static func protectionKeys(_ r: Result) -> [String] {
        let candidates = r.stack.context.keys.sorted().filter { key in
            let k = key.uppercased()
            return r.stack.context[key] == "true" && k.contains("PROTECTION") && !k.contains("TERMINATION")
        }
        guard candidates.count > 1 else { return candidates }
        var chosen: [String] = []
        for p in r.protected {
            let words: [String]
            switch p.type {
            case "AWS::RDS::DBCluster", "AWS::RDS::DBInstance": words = ["DB", "DATABASE", "RDS", "AURORA"]
            case "AWS::ElasticLoadBalancingV2::LoadBalancer": words = ["ALB", "LB", "LOAD_BALANCER"]
            default: words = ["TABLE", "DYNAMO"]
            }
            if let k = candidates.first(where: { key in words.contains { key.uppercased().contains($0) } }),
               !chosen.contains(k) {
                chosen.append(k)
            }
        }
        return chosen.isEmpty ? candidates : chosen
    }

    /// What DeletionPolicy keeps, said before deleting.
    static func retainedNotice(_ r: Result) -> [String] {
        let kept = r.retained.filter { $0.policy != "Snapshot" }
        var lines: [String] = []
        if !kept.isEmpty {
            lines.append("\(r.stack.stackName): these resources are kept (DeletionPolicy Retain): they stay in the "
                + "account after the delete")
            for k in kept { lines.append("    \(k.logicalId) (\(k.type)) \(k.physicalId ?? "")") }
            lines.append("  a later `infra deploy \(r.stack.stackName)` adopts those with fixed names (preflight "
                + "offers ImportExistingResources); or delete them by hand:")
            for k in kept {
                if let id = k.physicalId { lines.append("    " + Preflight.deleteCommand(type: k.type, name: id)) }
            }
        }
        for s in r.retained where s.policy == "Snapshot" {
            lines.append("\(r.stack.stackName): \(s.logicalId) (\(s.type)) is deleted after a final snapshot "
                + "(DeletionPolicy Snapshot); the snapshot stays")
        }
        return lines
    }
}

/// Evaluates literal template values and the conditions they depend on, with the deployed
/// stack's parameter values (nil: cannot tell).
struct ConditionEvaluator {
    let template: Value
    let parameters: [String: String]

    func scalar(_ v: Value?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case .int(let i)?: return String(i)
        case .object(let pairs)? where pairs.count == 1:
            let (name, arg) = pairs[0]
            if name == "Ref", let p = arg.stringLiteral {
                return parameters[p] ?? template["Parameters"]?[p]?["Default"].flatMap { scalar($0) }
            }
            if name == "Fn::If", case .array(let a) = arg, a.count == 3, let c = a[0].stringLiteral {
                switch condition(c) {
                case true?: return scalar(a[1])
                case false?: return scalar(a[2])
                case nil: return nil
                }
            }
            return nil
        default: return nil
        }
    }

    func isTrue(_ v: Value?) -> Bool { scalar(v)?.lowercased() == "true" }

    func condition(_ name: String) -> Bool? {
        evaluate(template["Conditions"]?[name], depth: 0)
    }

    private func evaluate(_ v: Value?, depth: Int) -> Bool? {
        guard depth < 20, case .object(let pairs)? = v, pairs.count == 1 else { return nil }
        let (name, arg) = pairs[0]
        switch name {
        case "Condition":
            return arg.stringLiteral.flatMap { evaluate(template["Conditions"]?[$0], depth: depth + 1) }
        case "Fn::Equals":
            guard case .array(let a) = arg, a.count == 2, let x = scalar(a[0]), let y = scalar(a[1]) else { return nil }
            return x == y
        case "Fn::Not":
            guard case .array(let a) = arg, a.count == 1 else { return nil }
            return evaluate(a[0], depth: depth + 1).map { !$0 }
        case "Fn::And", "Fn::Or":
            guard case .array(let a) = arg else { return nil }
            let values = a.map { evaluate($0, depth: depth + 1) }
            if values.contains(where: { $0 == nil }) { return nil }
            return name == "Fn::And" ? values.allSatisfy { $0 == true } : values.contains { $0 == true }
        default: return nil
        }
    }
}
