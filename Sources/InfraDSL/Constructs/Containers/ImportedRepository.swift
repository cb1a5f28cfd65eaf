import InfraCore

/// An existing repository (in the stack's account and region) by name
/// (`Repository.imported(...)`): creates nothing. Its images are not gated (see `ImageGate`):
/// the deployer only checks that the tag exists.
public final class ImportedRepository: Construct, RepositoryRef {
    /// The repository name as given.
    public let name: String

    init(_ scope: Construct, _ id: String, name: String) {
        self.name = name
        super.init(scope, id)
    }

    public var repositoryName: StringValue { StringValue(name) }

    public var arn: StringValue { Fn.sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/\(name)") }

    public var repositoryUri: StringValue { Fn.sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/\(name)") }

    public override func validate() -> [String] {
        Repository.isValidName(name) ? []
            : ["'\(name)' is not a valid repository name (lower-case letters, digits, '.', '_', '-' and '/', 2-256 characters)"]
    }
}

extension Repository {
    /// An existing repository (in the stack's account and region) by name.
    public static func imported(_ scope: Construct, _ id: String, name: String) -> ImportedRepository {
        ImportedRepository(scope, id, name: name)
    }
}
