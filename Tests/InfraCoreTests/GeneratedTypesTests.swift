import InfraContract
import InfraDSL
import XCTest

/// The shapes the generator emits, used as users use them (codegen/README.md): enumerations as
/// `SchemaEnum` subclasses, shared enumerations behind their old names, types without a
/// generated class as raw resources, and `ResourceSpecs` in InfraContract.
final class GeneratedTypesTests: XCTestCase {
    func testGeneratedEnumerationRendersAndReportsValuesOutsideTheSchema() throws {
        let app = App()
        let stack = Stack(app, "S")
        _ = S3.Bucket(stack, "Ok") {
            $0.bucketEncryption = .init {
                $0.serverSideEncryptionConfiguration = [.init {
                    $0.serverSideEncryptionByDefault = .init { $0.sseAlgorithm = .awsKms }
                }]
            }
        }
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Resources.Ok.Properties.BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm"), .string("aws:kms"))

        let bad = App()
        _ = S3.Bucket(Stack(bad, "S"), "Bad") {
            $0.bucketEncryption = .init {
                $0.serverSideEncryptionConfiguration = [.init {
                    $0.serverSideEncryptionByDefault = .init { $0.sseAlgorithm = "AES512" }
                }]
            }
        }
        // The subclass's allowedValues (dynamic dispatch through the base class's toValue).
        XCTAssertTrue(diagnostics(bad).contains {
            $0.hasPrefix("S/Bad") && $0.contains("'AES512' is not an allowed value (allowed: AES256, aws:kms, aws:kms:dsse)")
        })
        XCTAssertTrue(S3.Bucket.ServerSideEncryptionByDefault.SSEAlgorithm.aes256 == "AES256")
        XCTAssertFalse(S3.Bucket.ServerSideEncryptionByDefault.SSEAlgorithm.aes256 == .awsKms)
    }

    func testSharedEnumerationKeepsEveryNestedName() throws {
        // EC2's instance types are generated once; each use keeps its name as an alias.
        let size: EC2.LaunchTemplate.LaunchTemplateData.InstanceType = .t3Micro
        let same: EC2.Instance.InstanceType = size
        XCTAssertTrue(same == EC2.InstanceType("t3.micro"))
        let app = App()
        _ = EC2.LaunchTemplate(Stack(app, "S"), "Template") {
            $0.launchTemplateData = .init { $0.instanceType = .t3Micro }
        }
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Resources.Template.Properties.LaunchTemplateData.InstanceType"), .string("t3.micro"))
    }

    func testTypeWithoutAGeneratedClassIsARawResource() throws {
        // AWS::EC2::EC2Fleet is pinned but not in codegen/resources.txt.
        let app = App()
        let fleet = Resource(Stack(app, "S"), "Fleet", type: "AWS::EC2::EC2Fleet")
        fleet.addPropertyOverride("TargetCapacitySpecification.TotalTargetCapacity", .int(2))
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Resources.Fleet.Type"), .string("AWS::EC2::EC2Fleet"))
        XCTAssertEqual(t.at("Resources.Fleet.Properties.TargetCapacitySpecification.TotalTargetCapacity"), .int(2))
        // infra diff still knows its replacement rules.
        XCTAssertEqual(ResourceSpecs.spec("AWS::EC2::EC2Fleet")?.createOnlyProperties.contains("LaunchTemplateConfigs"), true)
        XCTAssertEqual(ResourceSpecs.resourceTypes.count, 344)
    }
}
