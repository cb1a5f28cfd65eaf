import Foundation
import InfraAWS
import InfraCore

/// What preflight found about one stack.
public struct PreflightFinding: Sendable, Equatable {
    public enum Severity: String, Sendable {
        /// The deploy would fail in CloudFormation: stop before anything is created.
        case error
        /// Worth knowing; the deploy goes on.
        case warning
        /// Resources with fixed names exist outside any stack (a destroy retained them): the
        /// deploy adopts them with `ImportExistingResources` when allowed, and stops otherwise.
        case adoptable
    }

    public var severity: Severity
    /// What is wrong, naming the config file and key (or the template's resource) first.
    public var message: String
    /// What to do, one command or step per line.
    public var fix: [String]
    /// The config key to change, when a key holds the offending value.
    public var key: String?

    public init(_ severity: Severity, _ message: String, fix: [String] = [], key: String? = nil) {
        self.severity = severity
        self.message = message
        self.fix = fix
        self.key = key
    }

    public func lines(stack: String) -> [String] {
        let label: String
        switch severity {
        case .error: label = "error"
        case .warning: label = "warning"
        case .adoptable: label = "exists"
        }
        return ["  \(label): \(stack): \(message)"] + fix.map { "      \($0)" }
    }
}

/// A named resource of the template that already exists outside the stack and can be adopted.
public struct AdoptableResource: Sendable, Equatable {
    public var logicalId: String
    public var type: String
    public var name: String
}

/// An image of the image gate that is not in its repository yet.
public struct MissingImage: Sendable, Equatable {
    public var image: ImageReference
    /// The repository name, when known (the stack exists); else it is created by this deploy.
    public var repositoryName: String?
}

/// The result of preflight for one stack.
public struct PreflightReport: Sendable {
    public var stackName: String
    public var findings: [PreflightFinding] = []
    /// Values of the image gate parameters (`<Name>ImageReady`), except those given explicitly.
    public var imageParameters: [String: String] = [:]
    /// Gated images not pushed yet: phase 1 of 2 prints how to push them.
    public var missingImages: [MissingImage] = []
    public var adoptable: [AdoptableResource] = []
    /// Adoption agreed (asked, or --import-existing): the change set sets ImportExistingResources.
    public var importExisting = false

    public var errors: [PreflightFinding] { findings.filter { $0.severity == .error } }
}

/// Read-only checks before a change set: what CloudFormation would only report after minutes of
/// creating and rolling back (a missing image, a zone that does not hold the domain, a pending or
/// foreign-region certificate, a bucket name taken, a Cognito prefix taken, resources a destroy
/// retained, a stack in a failed state), each naming the config key and file to change.
public struct Preflight: Sendable {
    public let clients: AWSClients
    public let parameters: [ParameterOverride]

    public init(clients: AWSClients, parameters: [ParameterOverride] = []) {
        self.clients = clients
        self.parameters = parameters
    }

    // MARK: Example values (no AWS call)

    /// Refuses stacks whose config still holds example values (manifest "exampleKeys"), before
    /// any AWS call: a usage error (exit 2) naming the file, the key and the value.
    public static func refuseExamples(_ stacks: [AssemblyStack], command: String = "deploy") throws {
        var lines: [String] = []
        for stack in stacks {
            let file = stack.configFile ?? "the config of \(stack.stackName)"
            for key in stack.exampleKeys.sorted() {
                let value = stack.context[key].map { " (\($0))" } ?? ""
                lines.append("\(file): \(key) is an example value\(value); set it to \(Self.describe(key)) "
                    + "in \(file) (or pass -c \(key)=VALUE) before `infra \(command) \(stack.stackName)`")
            }
        }
        if !lines.isEmpty { throw DeployError(.usage, lines.joined(separator: "\n")) }
    }

    /// What a well-known key should hold, for messages.
    static func describe(_ key: String) -> String {
        let k = key.uppercased()
        if k.contains("HOSTED_ZONE_ID") || k.hasSuffix("ZONE_ID") { return "your hosted zone id (aws route53 list-hosted-zones)" }
        if k.hasSuffix("ZONE_NAME") { return "the domain of that hosted zone (its Name in aws route53 list-hosted-zones)" }
        if k.contains("EMAIL") { return "a real email address (it receives mail)" }
        if k.contains("CERTIFICATE") { return "the ARN of an ISSUED ACM certificate (aws acm list-certificates)" }
        if k.contains("DOMAIN") { return "your domain name" }
        if k.contains("ACCOUNT") { return "your account id" }
        if k.hasSuffix("VPC_ID") { return "your VPC id" }
        return "your value"
    }

    // MARK: The checks

    /// Runs every check on one stack. Throws only for AWS failures that are not findings (no
    /// access, network); those end the deploy like any other AWS error.
    public func check(_ stack: AssemblyStack) async throws -> PreflightReport {
        try await clients.checkAccount(of: stack)
        let client = clients.client(for: stack.region)
        let region = client.region
        let cfn = CloudFormationClient(client: client)
        let template = try stack.parsedTemplate()
        var report = PreflightReport(stackName: stack.stackName)
        let keys = KeyMapper(stack: stack)

        let existing = try await cfn.describeStack(stack.stackName)
        report.findings += stateFindings(stack, existing)
        let live: [ResourceSummary]
        if let existing, existing.status != .reviewInProgress, existing.status != .deleteComplete {
            live = try await cfn.listStackResources(existing.stackId)
        } else {
            live = []
        }
        let inStack = Set(live.compactMap(\.physicalId))
        let resources = TemplateDocument.section(template, "Resources")

        try await checkImages(stack, region: region, client: client, live: live, resources: resources, keys: keys,
                              into: &report)
        // a gate the template does not declare would make CloudFormation refuse the parameter
        let declared = Set(TemplateDocument.section(template, "Parameters").map(\.0))
        for key in report.imageParameters.keys where !declared.contains(key) {
            report.imageParameters[key] = nil
            report.missingImages.removeAll { $0.image.parameter == key }
            report.findings.append(PreflightFinding(.warning, "the manifest names the image gate \(key), which the "
                + "template does not declare; synthesize again with this infra"))
        }
        report.findings += try await checkHostedZones(resources, keys: keys)
        report.findings += try await checkCertificates(resources, region: region, keys: keys)
        try await checkNamedResources(resources, client: client, inStack: inStack, keys: keys, into: &report)
        report.findings += try await checkCognitoDomains(resources, client: client, inStack: inStack, keys: keys)
        return report
    }

    // MARK: Stack state

    func stateFindings(_ stack: AssemblyStack, _ existing: InfraAWS.Stack?) -> [PreflightFinding] {
        guard let s = existing else { return [] }
        let name = stack.stackName
        switch s.status {
        case .rollbackComplete, .rollbackFailed, .createFailed:
            return [PreflightFinding(.warning, "the stack is in \(s.status) (its first create failed"
                + (s.statusReason.map { ": \($0)" } ?? "") + "); the deploy deletes it and creates it again")]
        case .deleteFailed:
            return [PreflightFinding(.error, "the stack is in DELETE_FAILED (a delete stopped half way"
                + (s.statusReason.map { ": \($0)" } ?? "") + ")",
                fix: ["finish the delete: infra destroy \(name) (it names the resources that could not be deleted),",
                      "then deploy again: infra deploy \(name)"])]
        case .updateRollbackFailed:
            return [PreflightFinding(.error, "the stack is in UPDATE_ROLLBACK_FAILED (an update could not be undone"
                + (s.statusReason.map { ": \($0)" } ?? "") + ")",
                fix: ["continue the rollback: aws cloudformation continue-update-rollback --stack-name \(name) "
                      + "--region \(stack.region ?? "<region>")",
                      "(add --resources-to-skip for resources that cannot be rolled back), then: infra deploy \(name)"])]
        case _ where s.status.isInProgress:
            return [PreflightFinding(.warning, "an operation is in progress (\(s.status)); the deploy waits for it")]
        default:
            return []
        }
    }

    // MARK: Images

    func checkImages(_ stack: AssemblyStack, region: String, client: AWSClient, live: [ResourceSummary],
                     resources: [(String, Value)], keys: KeyMapper, into report: inout PreflightReport) async throws {
        guard !stack.images.isEmpty else { return }
        let ecr = ECRClient(client: client)
        let explicit = explicitParameters(stack)
        for image in stack.images {
            if let parameter = image.parameter {
                if explicit.contains(parameter) { continue }
                guard let logicalId = image.repositoryLogicalId else { continue }
                // the stack's repository; before the stack has one, a repository of the template's fixed
                // name that a destroy kept (adopted by this deploy) may hold the image already
                let fixedName = resources.first { $0.0 == logicalId }?.1["Properties"]?["RepositoryName"]?.stringLiteral
                let repository = live.first { $0.logicalId == logicalId }?.physicalId ?? fixedName
                var present = false
                if let repository {
                    do {
                        present = try await ecr.imageExists(repositoryName: repository, tag: image.tag)
                    } catch let e as AWSError where e.code == "RepositoryNotFoundException" {
                        present = false
                    }
                }
                report.imageParameters[parameter] = present ? "true" : "false"
                if !present {
                    report.missingImages.append(MissingImage(image: image, repositoryName: repository))
                }
            } else if let repository = image.repositoryName {
                let account = try await clients.account()
                let where_ = keys.keys(image.contextKeys, orValue: repository)
                do {
                    if try await ecr.imageExists(repositoryName: repository, tag: image.tag) { continue }
                    report.findings.append(PreflightFinding(
                        .error, "\(where_)the image \(repository):\(image.tag) used by \(image.path) is not in its "
                            + "repository (ECR DescribeImages: ImageNotFoundException)",
                        fix: ["push it, then deploy again:"] + PushCommands.lines(
                            account: account, region: region, repository: repository, tag: image.tag,
                            directory: image.directory) + ["or set \(keys.keyList(image.contextKeys)) to an image that exists"],
                        key: image.contextKeys.first))
                } catch let e as AWSError where e.code == "RepositoryNotFoundException" {
                    report.findings.append(PreflightFinding(
                        .error, "\(where_)the repository \(repository) used by \(image.path) does not exist in "
                            + "\(region) (ECR: RepositoryNotFoundException)",
                        fix: ["create it and push the image: aws ecr create-repository --repository-name \(repository) "
                              + "--region \(region)"] + PushCommands.lines(
                                account: account, region: region, repository: repository, tag: image.tag,
                                directory: image.directory)
                            + ["or set \(keys.keyList(image.contextKeys)) to a repository that exists"],
                        key: image.contextKeys.first))
                }
            }
        }
    }

    /// Parameters given on the command line for this stack (they win over the image gate).
    func explicitParameters(_ stack: AssemblyStack) -> Set<String> {
        Set(parameters.filter { $0.stack == nil || $0.stack == stack.stackName || $0.stack == stack.id }.map(\.key))
    }

    // MARK: Route 53

    func checkHostedZones(_ resources: [(String, Value)], keys: KeyMapper) async throws -> [PreflightFinding] {
        // zone id -> [(record name, logical id)]
        var uses: [String: [(name: String?, logicalId: String)]] = [:]
        var order: [String] = []
        func use(_ zone: Value?, _ name: Value?, _ id: String) {
            guard let zone = zone?.stringLiteral, !zone.isEmpty else { return }
            if uses[zone] == nil { order.append(zone) }
            uses[zone, default: []].append((name?.stringLiteral, id))
        }
        for (id, r) in resources {
            let p = r["Properties"]
            switch r["Type"]?.stringLiteral {
            case "AWS::Route53::RecordSet":
                use(p?["HostedZoneId"], p?["Name"], id)
            case "AWS::Route53::RecordSetGroup":
                if case .array(let sets)? = p?["RecordSets"] {
                    for set in sets { use(set["HostedZoneId"] ?? p?["HostedZoneId"], set["Name"], id) }
                }
            case "AWS::CertificateManager::Certificate":
                if case .array(let options)? = p?["DomainValidationOptions"] {
                    for o in options { use(o["HostedZoneId"], o["DomainName"], id) }
                }
            default: break
            }
        }
        guard !order.isEmpty else { return [] }
        let route53 = Route53Client(client: clients.base)
        var findings: [PreflightFinding] = []
        for zoneId in order {
            let users = uses[zoneId]!
            let where_ = keys.location(of: zoneId)
            let usedBy = Set(users.map(\.logicalId)).sorted().joined(separator: ", ")
            guard let zone = try await route53.getHostedZone(id: zoneId) else {
                findings.append(PreflightFinding(
                    .error, "\(where_)no hosted zone \(zoneId) in this account (Route 53 GetHostedZone: "
                        + "NoSuchHostedZone; used by \(usedBy))",
                    fix: ["set \(keys.keyName(zoneId) ?? "the hosted zone id") to the id of the zone that holds "
                          + (users.compactMap(\.name).first.map { Route53Client.HostedZone.normalized($0) } ?? "the domain")
                          + " (aws route53 list-hosted-zones-by-name)"],
                    key: keys.keyName(zoneId)))
                continue
            }
            for name in Set(users.compactMap(\.name)).sorted() where !zone.holds(name) {
                let nameWhere = keys.keyName(name).map { " (\(keys.file): \($0))" } ?? ""
                findings.append(PreflightFinding(
                    .error, "\(where_)the hosted zone \(zoneId) holds \(zone.name), not \(name)\(nameWhere) "
                        + "(used by \(usedBy)); Route 53 would refuse the record",
                    fix: ["set \(keys.keyName(zoneId) ?? "the hosted zone id") to the zone of "
                          + "\(Route53Client.HostedZone.normalized(name)), or \(keys.keyName(name) ?? "the domain") "
                          + "to a name inside \(Route53Client.HostedZone.normalized(zone.name))"],
                    key: keys.keyName(zoneId)))
            }
        }
        return findings
    }

    // MARK: ACM

    func checkCertificates(_ resources: [(String, Value)], region: String, keys: KeyMapper) async throws
        -> [PreflightFinding] {
        // arn -> (required region, users)
        var uses: [(arn: String, region: String, why: String, logicalId: String)] = []
        for (id, r) in resources {
            let type = r["Type"]?.stringLiteral ?? ""
            Self.walk(r["Properties"], path: []) { path, s in
                guard s.hasPrefix("arn:aws"), s.contains(":acm:"), s.contains(":certificate/") else { return }
                let global: Bool
                switch type {
                case "AWS::CloudFront::Distribution", "AWS::Cognito::UserPoolDomain": global = true
                case "AWS::ApiGateway::DomainName": global = path.last == "CertificateArn"  // edge-optimized
                default: global = false
                }
                uses.append((s, global ? "us-east-1" : region,
                             global ? "\(type) takes certificates from us-east-1 only" : "the stack's region is \(region)", id))
            }
        }
        var findings: [PreflightFinding] = []
        var seen = Set<String>()
        for use in uses where seen.insert(use.arn + " " + use.region).inserted {
            let where_ = keys.location(of: use.arn)
            let key = keys.keyName(use.arn)
            let set = "set \(key ?? "the certificate ARN") to"
            guard let arnRegion = ACMClient.region(ofArn: use.arn) else { continue }
            if arnRegion != use.region {
                findings.append(PreflightFinding(
                    .error, "\(where_)the certificate \(use.arn) is in \(arnRegion), but \(use.logicalId) needs one in "
                        + "\(use.region) (\(use.why))",
                    fix: ["\(set) an ISSUED certificate in \(use.region) (aws acm list-certificates --region \(use.region); "
                          + "request one with aws acm request-certificate --region \(use.region) ...)"], key: key))
                continue
            }
            let acm = ACMClient(client: clients.client(for: arnRegion))
            guard let certificate = try await acm.describeCertificate(arn: use.arn) else {
                findings.append(PreflightFinding(
                    .error, "\(where_)no certificate \(use.arn) in this account (ACM DescribeCertificate: "
                        + "ResourceNotFoundException; used by \(use.logicalId))",
                    fix: ["\(set) an ISSUED certificate in \(use.region) (aws acm list-certificates --region \(use.region))"],
                    key: key))
                continue
            }
            let status = certificate.status ?? "UNKNOWN"
            if status != "ISSUED" {
                let step = status == "PENDING_VALIDATION"
                    ? "finish its validation (add the CNAME record ACM lists: aws acm describe-certificate "
                        + "--certificate-arn \(use.arn) --region \(arnRegion)), or "
                    : ""
                findings.append(PreflightFinding(
                    .error, "\(where_)the certificate \(use.arn) (\(certificate.domainName ?? "?")) is \(status), "
                        + "not ISSUED (used by \(use.logicalId))",
                    fix: [step + "\(set) an ISSUED certificate"], key: key))
            }
        }
        return findings
    }

    /// Every literal string under a value, with the property path leading to it.
    static func walk(_ value: Value?, path: [String], _ visit: ([String], String) -> Void) {
        switch value {
        case .string(let s)?: visit(path, s)
        case .array(let items)?: for item in items { walk(item, path: path, visit) }
        case .object(let pairs)?: for (k, v) in pairs { walk(v, path: path + [k], visit) }
        default: break
        }
    }

    // MARK: Named resources (global bucket names, resources a destroy retained: buckets, ECR
    // repositories, log groups, DynamoDB tables with fixed names)

    func checkNamedResources(_ resources: [(String, Value)], client: AWSClient, inStack: Set<String>,
                             keys: KeyMapper, into report: inout PreflightReport) async throws {
        var ownBuckets: Set<String>?
        let s3 = S3Client(client: client)
        let ecr = ECRClient(client: client)
        let lookup = NamedResourceLookup(client: client)
        for (id, r) in resources {
            let type = r["Type"]?.stringLiteral ?? ""
            let p = r["Properties"]
            let policy = r["DeletionPolicy"]?.stringLiteral ?? "Delete"
            let canImport = policy == "Retain" || policy == "RetainExceptOnCreate"
            let name: String
            switch type {
            case "AWS::S3::Bucket":
                guard let n = p?["BucketName"]?.stringLiteral else { continue }
                name = n
            case "AWS::ECR::Repository":
                guard let n = p?["RepositoryName"]?.stringLiteral else { continue }
                name = n
            case "AWS::Logs::LogGroup":
                guard let n = p?["LogGroupName"]?.stringLiteral else { continue }
                name = n
            case "AWS::DynamoDB::Table":
                guard let n = p?["TableName"]?.stringLiteral else { continue }
                name = n
            default: continue
            }
            if inStack.contains(name) { continue }
            let where_ = keys.location(of: name)
            let key = keys.keyName(name) ?? keys.keyContaining(name)
            let rename = key.map { "or choose another name: set \($0) in \(keys.file)" }
                ?? "or give \(id) another name in the stack's code"
            var existsHere = false
            switch type {
            case "AWS::S3::Bucket":
                do {
                    guard try await s3.headBucket(name) != nil else { continue }
                } catch let e as AWSError where e.statusCode == 403 {
                    report.findings.append(PreflightFinding(
                        .error, "\(where_)the bucket name \(name) (\(id)) belongs to another AWS account "
                            + "(S3 HeadBucket: 403 Forbidden); bucket names are global",
                        fix: [key.map { "set \($0) in \(keys.file) to a name no one uses (e.g. with your account id in it)" }
                              ?? "give \(id) a name no one uses"], key: key))
                    continue
                }
                if ownBuckets == nil { ownBuckets = Set(try await s3.listBuckets()) }
                if !ownBuckets!.contains(name) {
                    report.findings.append(PreflightFinding(
                        .error, "\(where_)the bucket \(name) (\(id)) exists in another AWS account (S3 HeadBucket "
                            + "answers, ListBuckets of this account does not list it); bucket names are global",
                        fix: [key.map { "set \($0) in \(keys.file) to a name no one uses (e.g. with your account id in it)" }
                              ?? "give \(id) a name no one uses"], key: key))
                    continue
                }
                existsHere = true
            case "AWS::Logs::LogGroup":
                existsHere = try await lookup.logGroupExists(name)
            case "AWS::DynamoDB::Table":
                existsHere = try await lookup.tableExists(name)
            default:
                do {
                    existsHere = !(try await ecr.describeRepositories(names: [name]).isEmpty)
                } catch let e as AWSError where e.code == "RepositoryNotFoundException" {
                    existsHere = false
                }
            }
            guard existsHere else { continue }
            if canImport {
                report.adoptable.append(AdoptableResource(logicalId: id, type: type, name: name))
            } else {
                report.findings.append(PreflightFinding(
                    .error, "\(where_)\(type) \(name) (\(id)) already exists outside the stack, and its DeletionPolicy "
                        + "\(policy) does not let CloudFormation adopt it (ImportExistingResources needs Retain)",
                    fix: ["delete it (" + Self.deleteCommand(type: type, name: name) + ") " + rename], key: key))
            }
        }
        if !report.adoptable.isEmpty {
            report.findings.append(PreflightFinding(
                .adoptable, "\(report.adoptable.count) resource\(report.adoptable.count == 1 ? "" : "s") with fixed "
                    + "names exist outside the stack (kept by an earlier destroy?): "
                    + report.adoptable.map { "\($0.type) \($0.name) (\($0.logicalId))" }.joined(separator: ", "),
                fix: ["adopt them: the change set imports them (CloudFormation ImportExistingResources) instead of "
                      + "failing with \"already exists\"; their contents stay",
                      "or delete them first: " + report.adoptable.map { Self.deleteCommand(type: $0.type, name: $0.name) }
                        .joined(separator: "; ")]))
        }
    }

    static func deleteCommand(type: String, name: String) -> String {
        switch type {
        case "AWS::S3::Bucket": return "aws s3 rb s3://\(name) --force"
        case "AWS::ECR::Repository": return "aws ecr delete-repository --repository-name \(name) --force"
        case "AWS::Logs::LogGroup": return "aws logs delete-log-group --log-group-name \(name)"
        case "AWS::DynamoDB::Table": return "aws dynamodb delete-table --table-name \(name)"
        default: return "delete \(name)"
        }
    }

    // MARK: Cognito

    func checkCognitoDomains(_ resources: [(String, Value)], client: AWSClient, inStack: Set<String>,
                             keys: KeyMapper) async throws -> [PreflightFinding] {
        var findings: [PreflightFinding] = []
        let cognito = CognitoIdentityProviderClient(client: client)
        for (id, r) in resources where r["Type"]?.stringLiteral == "AWS::Cognito::UserPoolDomain" {
            guard let domain = r["Properties"]?["Domain"]?.stringLiteral, !inStack.contains(domain) else { continue }
            let isPrefix = r["Properties"]?["CustomDomainConfig"] == nil
            guard let holder = try await cognito.describeUserPoolDomain(domain) else { continue }
            let key = keys.keyName(domain) ?? keys.keyContaining(domain)
            findings.append(PreflightFinding(
                .error, "\(keys.location(of: domain))the Cognito \(isPrefix ? "domain prefix" : "domain") \(domain) "
                    + "(\(id)) is taken (user pool \(holder.userPoolId ?? "?")"
                    + (holder.awsAccountId.map { " of account \($0)" } ?? "") + "); prefixes are unique per region",
                fix: [key.map { "set \($0) in \(keys.file) to another prefix" } ?? "give \(id) another domain prefix"],
                key: key))
        }
        return findings
    }
}

/// Maps a template value back to the config key that set it (manifest "context" and "configFile").
struct KeyMapper: Sendable {
    let context: [String: String]
    let file: String
    let hasFile: Bool

    init(stack: AssemblyStack) {
        context = stack.context
        file = stack.configFile ?? "the stack's config"
        hasFile = stack.configFile != nil
    }

    /// The key whose value equals `value` (the first in key order when several do).
    func keyName(_ value: String) -> String? {
        context.keys.sorted().first { context[$0] == value }
    }

    /// A key whose value is part of `value` (a name built from a prefix key), when no key equals it.
    func keyContaining(_ value: String) -> String? {
        context.keys.sorted().filter { k in
            guard let v = context[k], v.count >= 3, v != "true", v != "false" else { return false }
            return value.contains(v)
        }.max { (context[$0]?.count ?? 0) < (context[$1]?.count ?? 0) }
    }

    /// `config/x.json: KEY = value: ` or "" when no key holds the value.
    func location(of value: String) -> String {
        if let key = keyName(value) { return "\(file): \(key) = \(value): " }
        if let key = keyContaining(value) { return "\(file): \(key) (\(context[key]!)) names \(value): " }
        return ""
    }

    /// For images: the first of the manifest's context keys, else the key holding the value.
    func keys(_ contextKeys: [String], orValue value: String) -> String {
        if !contextKeys.isEmpty { return "\(file): \(contextKeys.joined(separator: ", ")): " }
        return location(of: value)
    }

    func keyList(_ contextKeys: [String]) -> String {
        contextKeys.isEmpty ? "the image settings" : contextKeys.joined(separator: " / ") + " in \(file)"
    }
}

/// The commands that put an image into an ECR repository.
enum PushCommands {
    static func registry(account: String, region: String) -> String {
        let suffix = Partition.of(region: region).dnsSuffix
        return "\(account).dkr.ecr.\(region).\(suffix)"
    }

    static func lines(account: String, region: String, repository: String, tag: String, directory: String?) -> [String] {
        let registry = registry(account: account, region: region)
        let uri = "\(registry)/\(repository):\(tag)"
        return [
            "  aws ecr get-login-password --region \(region) | docker login --username AWS --password-stdin \(registry)",
            "  docker build -t \(uri) \(directory ?? "<folder of the image's Dockerfile>")",
            "  docker push \(uri)",
        ]
    }
}
