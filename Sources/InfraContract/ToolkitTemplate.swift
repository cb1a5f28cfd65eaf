/// The toolkit stack's template (`infra bootstrap` deploys it; see `Toolkit` for its names):
/// the asset bucket (encrypted, public access blocked, TLS only, superseded versions and staged
/// templates expired by lifecycle), its policy, and the image repository (immutable tags, which
/// are content hashes; scanned on push; pulled by Lambda functions of the same account and region;
/// untagged images expired), plus the outputs the deployer reads.
///
/// Written as the JSON CloudFormation receives, with the names filled in from `Toolkit`, so
/// this file is the toolkit's whole definition; `Tests/Snapshots/golden/InfraToolkit.template.json`
/// holds the expected bytes and `scripts/test` lints them with cfn-lint.
public enum ToolkitTemplate {
    /// Days after which superseded object versions, staged templates and untagged images expire.
    public static let expiryDays = 30

    /// The template (JSON, ending in a newline). The same for every toolkit stack name.
    public static let json: String = #"""
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Description": "infra toolkit (infra bootstrap): asset bucket and image repository, version \#(Toolkit.currentVersion)",
          "Resources": {
            "AssetBucket": {
              "Type": "AWS::S3::Bucket",
              "Properties": {
                "BucketEncryption": {
                  "ServerSideEncryptionConfiguration": [
                    {
                      "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "AES256"
                      }
                    }
                  ]
                },
                "BucketName": {
                  "Fn::Sub": "\#(Toolkit.bucketNamePattern)"
                },
                "LifecycleConfiguration": {
                  "Rules": [
                    {
                      "AbortIncompleteMultipartUpload": {
                        "DaysAfterInitiation": 1
                      },
                      "Id": "ExpireSupersededVersions",
                      "NoncurrentVersionExpiration": {
                        "NoncurrentDays": \#(expiryDays)
                      },
                      "Status": "Enabled"
                    },
                    {
                      "ExpirationInDays": \#(expiryDays),
                      "Id": "ExpireStagedTemplates",
                      "Prefix": "\#(Toolkit.templatePrefix)",
                      "Status": "Enabled"
                    }
                  ]
                },
                "PublicAccessBlockConfiguration": {
                  "BlockPublicAcls": true,
                  "BlockPublicPolicy": true,
                  "IgnorePublicAcls": true,
                  "RestrictPublicBuckets": true
                },
                "VersioningConfiguration": {
                  "Status": "Enabled"
                }
              }
            },
            "AssetBucketPolicy": {
              "Type": "AWS::S3::BucketPolicy",
              "Properties": {
                "Bucket": {
                  "Ref": "AssetBucket"
                },
                "PolicyDocument": {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "DenyInsecureTransport",
                      "Effect": "Deny",
                      "Principal": "*",
                      "Action": "s3:*",
                      "Resource": [
                        {
                          "Fn::GetAtt": [
                            "AssetBucket",
                            "Arn"
                          ]
                        },
                        {
                          "Fn::Join": [
                            "",
                            [
                              {
                                "Fn::GetAtt": [
                                  "AssetBucket",
                                  "Arn"
                                ]
                              },
                              "/*"
                            ]
                          ]
                        }
                      ],
                      "Condition": {
                        "Bool": {
                          "aws:SecureTransport": "false"
                        }
                      }
                    }
                  ]
                }
              }
            },
            "ImageRepository": {
              "Type": "AWS::ECR::Repository",
              "Properties": {
                "ImageScanningConfiguration": {
                  "ScanOnPush": true
                },
                "ImageTagMutability": "IMMUTABLE",
                "LifecyclePolicy": {
                  "LifecyclePolicyText": "{\"rules\":[{\"rulePriority\":1,\"description\":\"Expire untagged images\",\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":\#(expiryDays)},\"action\":{\"type\":\"expire\"}}]}"
                },
                "RepositoryName": "\#(Toolkit.repositoryName)",
                "RepositoryPolicyText": {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "LambdaImagePull",
                      "Effect": "Allow",
                      "Principal": {
                        "Service": "lambda.amazonaws.com"
                      },
                      "Action": [
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer"
                      ],
                      "Condition": {
                        "StringLike": {
                          "aws:sourceArn": {
                            "Fn::Join": [
                              "",
                              [
                                "arn:",
                                {
                                  "Ref": "AWS::Partition"
                                },
                                ":lambda:",
                                {
                                  "Ref": "AWS::Region"
                                },
                                ":",
                                {
                                  "Ref": "AWS::AccountId"
                                },
                                ":function:*"
                              ]
                            ]
                          }
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "Outputs": {
            "\#(Toolkit.OutputKey.bucketName)": {
              "Description": "The asset bucket",
              "Value": {
                "Ref": "AssetBucket"
              }
            },
            "\#(Toolkit.OutputKey.repositoryName)": {
              "Description": "The image repository of container image assets",
              "Value": {
                "Ref": "ImageRepository"
              }
            },
            "\#(Toolkit.OutputKey.version)": {
              "Description": "The toolkit version, checked by infra deploy",
              "Value": "\#(Toolkit.currentVersion)"
            }
          }
        }

        """#
}
