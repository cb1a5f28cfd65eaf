import InfraCore

/// An ECR repository images can come from: one this app creates (`Repository`) or an existing
/// one (`Repository.imported(...)`, an `ImportedRepository`). Its name, ARN and URI, the pull
/// and push grants and `ContainerImage.fromRepository` work on both; its policy, lifecycle
/// and tag mutability exist only on `Repository`.
public protocol RepositoryRef: Construct {
    /// The repository name.
    var repositoryName: StringValue { get }
    /// The repository ARN.
    var arn: StringValue { get }
    /// `<account>.dkr.ecr.<region>.<url suffix>/<name>`.
    var repositoryUri: StringValue { get }
}

extension RepositoryRef {
    /// The URI of an image tag: `<repositoryUri>:<tag>`.
    public func imageUri(tag: String) -> StringValue { "\(repositoryUri):\(tag)" }

    /// Lets `grantee` pull images (and get the registry token, which has no resource scope).
    public func grantPull(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "pull")
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources: [arn]))
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["ecr:GetAuthorizationToken"], resources: ["*"]))
    }

    /// Lets `grantee` pull and push images.
    public func grantPullPush(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "push")
        grantPull(grantee)
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
            resources: [arn]))
    }
}
