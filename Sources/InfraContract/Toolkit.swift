import Foundation

/// The toolkit stack `infra bootstrap` deploys once per account and region: the asset bucket
/// and the image repository that the constructs' templates reference and the deployer publishes
/// assets to. Its outputs tell the deployer where to publish, and its `BootstrapVersion` output
/// whether it is recent enough. The template itself is `ToolkitTemplate`.
public enum Toolkit {
    /// The toolkit stack's name unless `--toolkit-stack-name` says otherwise.
    public static let defaultStackName = "InfraToolkit"
    /// The version `infra bootstrap` deploys now.
    public static let currentVersion = 1
    /// The oldest toolkit this deployer can use.
    public static let minimumVersion = 1

    /// The asset bucket's name as an `Fn::Sub` pattern: one bucket per account and region.
    public static let bucketNamePattern = "infra-assets-${AWS::AccountId}-${AWS::Region}"
    /// The image repository of container image assets (tags are the assets' content hashes).
    public static let repositoryName = "infra-assets"
    /// The key prefix of templates too large to pass inline, staged in the asset bucket.
    public static let templatePrefix = "templates/"

    /// The asset bucket's name in an account and region (`bucketNamePattern` filled in).
    public static func bucketName(account: String, region: String) -> String {
        bucketNamePattern
            .replacingOccurrences(of: "${AWS::AccountId}", with: account)
            .replacingOccurrences(of: "${AWS::Region}", with: region)
    }

    /// The asset bucket key of a zipped asset (the key the constructs reference).
    public static func zipObjectKey(_ assetId: String) -> String { "\(assetId).zip" }

    /// The toolkit stack's outputs, read by the deployer.
    public enum OutputKey {
        public static let bucketName = "BucketName"
        public static let repositoryName = "ImageRepositoryName"
        public static let version = "BootstrapVersion"
    }
}
