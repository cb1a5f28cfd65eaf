import InfraDSL
import XCTest

/// Imported resources where the APIs take a reference protocol: they synthesize to the names
/// and ARNs given, and create nothing of their own (what they cannot do is a compile error:
/// `CompileFailTests`).
final class ImportsTests: XCTestCase {
    func testImportedServiceDependenciesCreateNothingAndAreUsedAsGiven() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc.imported(stack, "Vpc", vpcId: "vpc-0abc", publicSubnetIds: ["subnet-a", "subnet-b"],
                               privateSubnetIds: ["subnet-c", "subnet-d"])
        let cluster = Cluster.imported(stack, "Cluster", clusterName: "apps", vpc: vpc)
        let zone = HostedZone.imported(stack, "Zone", hostedZoneId: "Z0123456789ABC", zoneName: "example.org")
        let arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666"
        let web = ApplicationLoadBalancedFargateService(
            stack, "Web", cluster: cluster, image: .fromRegistry("nginx:1.27"),
            certificate: .certificate(Certificate.imported(stack, "Cert", arn: StringValue(arn))), domainName: "www", hostedZone: zone)
        let t = try NetT.template(app)
        for type in ["AWS::ECS::Cluster", "AWS::EC2::VPC", "AWS::Route53::HostedZone", "AWS::CertificateManager::Certificate"] {
            XCTAssertEqual(NetT.resources(t, type).count, 0, type)
        }
        XCTAssertEqual(NetT.only(t, "AWS::ECS::Service")["Cluster"], "apps")
        let https = NetT.properties(t, "AWS::ElasticLoadBalancingV2::Listener").first { $0["Protocol"] == "HTTPS" }
        XCTAssertEqual(https?["Certificates"], [["CertificateArn": .string(arn)]])
        XCTAssertEqual(NetT.only(t, "AWS::Route53::RecordSet")["HostedZoneId"], "Z0123456789ABC")
        XCTAssertEqual(web.certificate?.certificateArn.literal, arn)
        XCTAssertNotNil(web.container)
    }

    func testImportedFunctionAsSubscriberAndNotificationTarget() throws {
        let app = App()
        let stack = Stack(app, "S")
        let fnArn = "arn:aws:lambda:eu-west-1:123456789012:function:resize"
        let fn = Function.imported(stack, "Resize", arn: StringValue(fnArn))
        let topic = Topic.imported(stack, "Alerts", arn: "arn:aws:sns:eu-west-1:123456789012:alerts")
        topic.addSubscription(function: fn)
        Bucket(stack, "Uploads", bucketName: "uploads-bucket-example").addEventNotification(function: fn, suffix: ".jpg")
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.resources(t, "AWS::SNS::Topic").count, 0)
        XCTAssertEqual(NetT.resources(t, "AWS::Lambda::Function").count, 0)
        let sub = NetT.only(t, "AWS::SNS::Subscription")
        XCTAssertEqual(sub["TopicArn"], "arn:aws:sns:eu-west-1:123456789012:alerts")
        XCTAssertEqual(sub["Endpoint"], .string(fnArn))
        let principals = NetT.properties(t, "AWS::Lambda::Permission").compactMap { $0["Principal"]?.stringLiteral }
        XCTAssertEqual(Set(principals), ["sns.amazonaws.com", "s3.amazonaws.com"])
        let lambdaConfigs = NetT.only(t, "AWS::S3::Bucket")["NotificationConfiguration"]?["LambdaConfigurations"]
        XCTAssertEqual(lambdaConfigs, [["Event": "s3:ObjectCreated:*", "Filter": ["S3Key": ["Rules": [["Name": "suffix", "Value": ".jpg"]]]],
                                        "Function": .string(fnArn)]])
    }

    func testImportedFifoTopicRefusesAFunctionAtItsPath() {
        let app = App()
        let stack = Stack(app, "S")
        let topic = Topic.imported(stack, "Orders", arn: "arn:aws:sns:eu-west-1:123456789012:orders.fifo")
        XCTAssertTrue(topic.isFifo)
        topic.addSubscription(function: Function.imported(stack, "F", arn: "arn:aws:lambda:eu-west-1:123456789012:function:f"))
        NetT.assertError(app, "S/Orders: a FIFO topic cannot deliver to a Lambda function (S/F)")
    }
}
