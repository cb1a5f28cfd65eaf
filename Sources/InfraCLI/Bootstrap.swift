import Foundation
import InfraDeploy
import InfraDSL

/// The toolkit stack `infra bootstrap` deploys, built with the typed L1 resources: the asset
/// bucket (encrypted, public access blocked, TLS only, superseded versions and staged templates
/// expired by lifecycle) and the image repository, plus the outputs the deployer reads.
public enum ToolkitTemplate {
    /// Days after which superseded object versions, staged templates and untagged images expire.
    public static let expiryDays = 30

    /// The template as JSON.
    public static func render(stackName: String = Toolkit.defaultStackName) throws -> String {
        let app = App()
        let stack = Stack(app, stackName, description: "infra toolkit (infra bootstrap): asset bucket and image "
            + "repository, version \(Toolkit.currentVersion)")

        let bucket = S3.Bucket(stack, "AssetBucket") {
            // the name the constructs reference: infra-assets-<account>-<region>
            $0.bucketName = Fn.sub("infra-assets-${AWS::AccountId}-${AWS::Region}", [:])
            $0.bucketEncryption = .init {
                $0.serverSideEncryptionConfiguration = [.init {
                    $0.serverSideEncryptionByDefault = .init { $0.sseAlgorithm = "AES256" }
                }]
            }
            $0.publicAccessBlockConfiguration = .init {
                $0.blockPublicAcls = true
                $0.blockPublicPolicy = true
                $0.ignorePublicAcls = true
                $0.restrictPublicBuckets = true
            }
            // Asset keys are content hashes, so an asset is never overwritten; versioning keeps
            // what a rollback may need to read again when an object is replaced by hand.
            $0.versioningConfiguration = .init { $0.status = "Enabled" }
            $0.lifecycleConfiguration = .init {
                $0.rules = [
                    .init {
                        $0.id = "ExpireSupersededVersions"
                        $0.status = "Enabled"
                        $0.noncurrentVersionExpiration = .init { $0.noncurrentDays = NumberValue(expiryDays) }
                        $0.abortIncompleteMultipartUpload = .init { $0.daysAfterInitiation = 1 }
                    },
                    .init {
                        // large templates are read only while their change set is created
                        $0.id = "ExpireStagedTemplates"
                        $0.status = "Enabled"
                        $0.prefix = StringValue(Toolkit.templatePrefix)
                        $0.expirationInDays = NumberValue(expiryDays)
                    },
                ]
            }
        }
        _ = S3.BucketPolicy(stack, "AssetBucketPolicy") {
            $0.bucket = bucket.ref
            $0.policyDocument = [
                "Version": "2012-10-17",
                "Statement": [[
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket.attrArn.value, "\(bucket.attrArn)/*"],
                    "Condition": ["Bool": ["aws:SecureTransport": "false"]],
                ]],
            ]
        }
        let repository = ECR.Repository(stack, "ImageRepository") {
            $0.repositoryName = StringValue(Toolkit.repositoryName)
            // tags are content hashes: an image under a tag never changes
            $0.imageTagMutability = "IMMUTABLE"
            $0.imageScanningConfiguration = .init { $0.scanOnPush = true }
            // Lambda pulls container-image functions itself: only functions of this account and region.
            $0.repositoryPolicyText = [
                "Version": "2012-10-17",
                "Statement": [[
                    "Sid": "LambdaImagePull",
                    "Effect": "Allow",
                    "Principal": ["Service": "lambda.amazonaws.com"],
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    "Condition": ["StringLike": [
                        "aws:sourceArn": "arn:\(Pseudo.partition):lambda:\(Pseudo.region):\(Pseudo.accountId):function:*",
                    ]],
                ]],
            ]
            $0.lifecyclePolicy = .init {
                $0.lifecyclePolicyText = StringValue("""
                    {"rules":[{"rulePriority":1,"description":"Expire untagged images",\
                    "selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days",\
                    "countNumber":\(expiryDays)},"action":{"type":"expire"}}]}
                    """)
            }
        }

        _ = Output(stack, Toolkit.OutputKey.bucketName, value: bucket.ref, description: "The asset bucket")
        _ = Output(stack, Toolkit.OutputKey.repositoryName, value: repository.ref,
                   description: "The image repository of container image assets")
        _ = Output(stack, Toolkit.OutputKey.version, value: StringValue(String(Toolkit.currentVersion)),
                   description: "The toolkit version, checked by infra deploy")

        let assembly = try app.synthesize()
        return JSONRenderer.render(assembly.stacks[0].template)
    }
}
