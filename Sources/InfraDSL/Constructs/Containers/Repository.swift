import InfraCore
import InfraResources

/// An ECR repository for container images.
///
/// Defaults:
/// - name: explicit and lower-case, `<stack name>-<path below the stack>` (e.g. `coral-frontend`),
///   so it is readable and valid for ECR (and moto, which rejects generated upper-case names);
/// - images scanned on push;
/// - immutable tags (a pushed tag never changes: deployments are reproducible; pass
///   `tagMutability: .mutable` for workflows that push `latest`);
/// - encrypted with KMS under the AWS managed key `aws/ecr` (`.aes256` or `.kms(keyArn:)` to change);
/// - no lifecycle rule (`maxImageCount: n` keeps the newest n images);
/// - retained when the stack is deleted (`removalPolicy: .delete` deletes it with its images).
///
/// An existing repository is imported with `Repository.fromName(...)`.
public final class Repository: Construct {
    public enum TagMutability: String, Sendable { case mutable = "MUTABLE", immutable = "IMMUTABLE" }

    public enum Encryption: Sendable {
        /// SSE-S3 style AES-256 managed by ECR.
        case aes256
        /// KMS: the AWS managed key `aws/ecr` when `keyArn` is nil, else that customer key.
        case kms(keyArn: String?)
    }

    /// The CloudFormation resource (`<path>/Resource`), nil for an imported repository.
    public private(set) var resource: ECR.Repository?
    private let maxImageCount: Int?

    /// The repository name (a literal: the explicit or derived name).
    public private(set) var name: String = ""

    /// - Parameters:
    ///   - repositoryName: the name (default: derived from the stack name and the path, lower-case).
    ///   - scanOnPush: scan images on push (default true).
    ///   - tagMutability: default `.immutable`.
    ///   - encryption: default `.kms(keyArn: nil)` (AWS managed key).
    ///   - maxImageCount: keep only the newest n images (default nil: keep all).
    ///   - removalPolicy: what happens on stack deletion (default `.retain`; `.delete` also
    ///     empties the repository so deletion succeeds).
    public init(
        _ scope: Construct, _ id: String, repositoryName: String? = nil, scanOnPush: Bool = true,
        tagMutability: TagMutability = .immutable, encryption: Encryption = .kms(keyArn: nil),
        maxImageCount: Int? = nil, removalPolicy: DeletionPolicy = .retain
    ) {
        self.maxImageCount = maxImageCount
        super.init(scope, id)
        let finalName = repositoryName ?? Self.derivedName(stackName: stack.stackName, path: pathComponents.dropFirst(stack.pathComponents.count))
        name = finalName
        let r = ECR.Repository(self, "Resource") {
            $0.repositoryName = StringValue(finalName)
            $0.imageScanningConfiguration = .init { $0.scanOnPush = BoolValue(scanOnPush) }
            $0.imageTagMutability = ECR.Repository.ImageTagMutability(tagMutability.rawValue)
            $0.encryptionConfiguration = .init {
                switch encryption {
                case .aes256:
                    $0.encryptionType = .aes256
                case .kms(let key):
                    $0.encryptionType = .kms
                    if let key { $0.kmsKey = StringValue(key) }
                }
            }
            if let n = maxImageCount {
                $0.lifecyclePolicy = .init {
                    $0.lifecyclePolicyText = StringValue(Self.lifecyclePolicy(keep: n))
                }
            }
        }
        r.deletionPolicy = removalPolicy
        r.updateReplacePolicy = removalPolicy
        if removalPolicy == .delete { r.emptyOnDelete = true }
        resource = r
    }

    private init(_ scope: Construct, _ id: String, existingName: String) {
        maxImageCount = nil
        super.init(scope, id)
        name = existingName
    }

    /// An existing repository (in the stack's account and region) by name.
    public static func fromName(_ scope: Construct, _ id: String, _ repositoryName: String) -> Repository {
        Repository(scope, id, existingName: repositoryName)
    }

    /// The repository name.
    public var repositoryName: StringValue {
        if let r = resource { return r.ref }
        return StringValue(name)
    }

    /// The repository ARN.
    public var arn: StringValue {
        if let r = resource { return r.attrArn }
        return Fn.sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/\(name)")
    }

    /// `<account>.dkr.ecr.<region>.<url suffix>/<name>`.
    public var repositoryUri: StringValue {
        if let r = resource { return r.attrRepositoryUri }
        return Fn.sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/\(name)")
    }

    /// The URI of an image tag: `<repositoryUri>:<tag>`.
    public func imageUri(tag: String) -> StringValue { "\(repositoryUri):\(tag)" }

    /// Lets `grantee` pull images (and get the registry token, which has no resource scope).
    public func grantPull(_ grantee: Grantable) {
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources: [arn]))
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["ecr:GetAuthorizationToken"], resources: ["*"]))
    }

    /// Adds a statement to the repository policy (`RepositoryPolicyText`, created on first use),
    /// e.g. to let Lambda pull the images of container image functions:
    /// `PolicyStatement(actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    /// principals: ["Service": ["lambda.amazonaws.com"]], conditions: [...aws:sourceArn...])`.
    /// A repository policy has no `Resource`: statements apply to the repository.
    public func addToResourcePolicy(_ statement: PolicyStatement) {
        guard let resource else {
            problems.append("cannot change the policy of an imported repository")
            return
        }
        var s = statement
        s.resources = []
        policy.add(s)
        if resource.repositoryPolicyText == nil {
            resource.repositoryPolicyText = .lazy(LazyValue { [unowned self] _ in self.policy.value })
        }
    }

    private var policy = PolicyDocument()
    private var problems: [String] = []

    /// Lets `grantee` pull and push images.
    public func grantPullPush(_ grantee: Grantable) {
        grantPull(grantee)
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
            resources: [arn]))
    }

    // MARK: - Names

    /// `<stack>-<path>` lower-cased, with anything ECR does not accept turned into `-`.
    static func derivedName(stackName: String, path: ArraySlice<String>) -> String {
        sanitize(([stackName] + path.filter { $0 != "Resource" && $0 != "Default" }).joined(separator: "-"))
    }

    static func sanitize(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                out.append(ch)
            } else if let last = out.last, last != "-" {
                out.append("-")
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(256))
    }

    /// ECR's rule: lower-case path components of letters and digits separated by `.`, `_` or `-`,
    /// joined by `/`, 2 to 256 characters.
    static func isValidName(_ name: String) -> Bool {
        guard (2...256).contains(name.count) else { return false }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = component.first, let last = component.last,
                  first.isASCII, first.isLowercase || first.isNumber,
                  last.isASCII, last.isLowercase || last.isNumber else { return false }
            var previousSeparator = false
            for ch in component {
                let separator = ch == "." || ch == "_" || ch == "-"
                guard ch.isASCII, separator || ch.isLowercase || ch.isNumber else { return false }
                if separator && previousSeparator && ch != "_" { return false }
                previousSeparator = separator
            }
        }
        return true
    }

    static func lifecyclePolicy(keep n: Int) -> String {
        #"{"rules":[{"rulePriority":1,"description":"Keep the newest \#(n) images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":\#(n)},"action":{"type":"expire"}}]}"#
    }

    public override func validate() -> [String] {
        var errors: [String] = []
        if !Self.isValidName(name) {
            errors.append("'\(name)' is not a valid repository name (lower-case letters, digits, '.', '_', '-' and '/', 2-256 characters)")
        }
        if let n = maxImageCount, n < 1 { errors.append("maxImageCount must be at least 1 (got \(n))") }
        errors += problems
        for statement in policy.statements where statement.principals.isEmpty {
            errors.append("a repository policy statement needs a principal")
        }
        return errors
    }
}
