import Foundation
@testable import InfraAWS
import InfraCore
@testable import InfraDeploy
import XCTest

/// `HotswapPlanner` without AWS: which differences are hot-swappable, how values are evaluated,
/// and the reason given for each that is not.
final class HotswapPlanTests: XCTestCase {
    static let resources = [
        ResourceSummary(logicalId: "Fn", physicalId: "stack-Fn-ABC", type: "AWS::Lambda::Function", status: .createComplete),
        ResourceSummary(logicalId: "Role", physicalId: "stack-Role-XYZ", type: "AWS::IAM::Role", status: .createComplete),
        ResourceSummary(logicalId: "Jobs", physicalId: "https://sqs.eu-west-1.amazonaws.com/123456789012/stack-Jobs-1",
                        type: "AWS::SQS::Queue", status: .createComplete),
        ResourceSummary(logicalId: "Task", physicalId: "arn:aws:ecs:eu-west-1:123456789012:task-definition/t:1",
                        type: "AWS::ECS::TaskDefinition", status: .createComplete),
        ResourceSummary(logicalId: "Svc", physicalId: "arn:aws:ecs:eu-west-1:123456789012:service/c/s",
                        type: "AWS::ECS::Service", status: .createComplete),
        ResourceSummary(logicalId: "Cluster", physicalId: "c", type: "AWS::ECS::Cluster", status: .createComplete),
        ResourceSummary(logicalId: "Dist", physicalId: "E123", type: "AWS::CloudFront::Distribution", status: .createComplete),
    ]

    static func template(key: String = "a.zip", memory: Int = 128, role: String = "Role", env: String = #"{"Ref": "Jobs"}"#,
                         image: String = "nginx:1", cpu: String = "256", extra: String = "") -> Value {
        try! TemplateDocument.parse("""
            {"Resources": {
              "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Code": {"S3Bucket": {"Fn::Sub": "infra-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "\(key)"},
                "MemorySize": \(memory), "Role": {"Fn::GetAtt": ["\(role)", "Arn"]},
                "Environment": {"Variables": {"QUEUE": \(env), "ARN": {"Fn::GetAtt": ["Jobs", "Arn"]}}}}},
              "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
              "Jobs": {"Type": "AWS::SQS::Queue"},
              "Cluster": {"Type": "AWS::ECS::Cluster"},
              "Dist": {"Type": "AWS::CloudFront::Distribution"},
              "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Cpu": "\(cpu)", "ContainerDefinitions": [
                {"Name": "web", "Image": "\(image)", "Environment": [{"Name": "URL", "Value": {"Fn::Join": ["", ["https://", {"Ref": "Jobs"}]]}}]}]}},
              "Svc": {"Type": "AWS::ECS::Service", "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}}}
              \(extra)
            }}
            """)
    }

    func plan(_ old: Value, _ new: Value) -> HotswapPlan {
        let evaluator = HotswapEvaluator(template: new, parameters: [:], resources: Self.resources, account: "123456789012",
                                         region: "eu-west-1", stackName: "stack",
                                         stackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/stack/1")
        return HotswapPlanner(old: old, new: new, evaluator: evaluator).plan()
    }

    func testLambdaCodeAndMemoryAreHotswapped() throws {
        let p = plan(Self.template(), Self.template(key: "b.zip", memory: 256))
        XCTAssertEqual(p.blockers, [])
        guard case let .function(id, name, code, configuration, properties)? = p.changes.first else {
            return XCTFail("\(p.changes)")
        }
        XCTAssertEqual(id, "Fn")
        XCTAssertEqual(name, "stack-Fn-ABC")
        XCTAssertEqual(code, .s3(bucket: "infra-assets-123456789012-eu-west-1", key: "b.zip", objectVersion: nil))
        XCTAssertEqual(configuration.memorySize, 256)
        XCTAssertNil(configuration.environment)
        XCTAssertEqual(properties, ["Code", "MemorySize"])
    }

    func testEnvironmentIsEvaluated() throws {
        let p = plan(Self.template(env: #""x""#), Self.template())
        XCTAssertEqual(p.blockers, [])
        guard case let .function(_, _, _, configuration, _)? = p.changes.first else { return XCTFail() }
        XCTAssertEqual(configuration.environment?.variables, [
            "QUEUE": "https://sqs.eu-west-1.amazonaws.com/123456789012/stack-Jobs-1",
            "ARN": "arn:aws:sqs:eu-west-1:123456789012:stack-Jobs-1",
        ])
    }

    func testOtherPropertiesAndResourcesFallBackNamingThem() {
        XCTAssertEqual(plan(Self.template(), Self.template(role: "Jobs")).blockers,
                       ["Fn (AWS::Lambda::Function): Properties.Role cannot be hot-swapped (no update API infra uses)"])
        XCTAssertEqual(plan(Self.template(), Self.template(extra: #", "Q2": {"Type": "AWS::SQS::Queue"}"#)).blockers,
                       ["Q2 (AWS::SQS::Queue) is new: creating it needs CloudFormation"])
        XCTAssertEqual(plan(Self.template(), Self.template(cpu: "512")).blockers,
                       ["Task (AWS::ECS::TaskDefinition): Properties.Cpu cannot be hot-swapped (only container images and environments can)"])
    }

    func testTaskDefinitionImageFindsItsService() throws {
        let p = plan(Self.template(), Self.template(image: "nginx:2"))
        XCTAssertEqual(p.blockers, [])
        guard case let .taskDefinition(id, deployed, containers, services, _)? = p.changes.first else {
            return XCTFail("\(p.changes)")
        }
        XCTAssertEqual(id, "Task")
        XCTAssertEqual(deployed, "arn:aws:ecs:eu-west-1:123456789012:task-definition/t:1")
        XCTAssertEqual(containers, [HotswapPlan.ContainerChange(name: "web", image: "nginx:2", environment: nil)])
        XCTAssertEqual(services, [HotswapPlan.ServiceRef(logicalId: "Svc", cluster: "c",
                                                         service: "arn:aws:ecs:eu-west-1:123456789012:service/c/s")])
    }

    func testContainerImageFunctionAndPackageTypeChange() throws {
        func t(_ code: String) -> Value {
            try! TemplateDocument.parse("""
                {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": \(code)}}}}
                """)
        }
        let image = #"{"ImageUri": {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/infra-assets:B"}}"#
        let p = plan(t(#"{"ImageUri": "x:A"}"#), t(image))
        guard case let .function(_, _, code, _, _)? = p.changes.first else { return XCTFail("\(p)") }
        XCTAssertEqual(code, .image(uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/infra-assets:B"))
        XCTAssertEqual(plan(t(#"{"S3Bucket": "b", "S3Key": "k"}"#), t(image)).blockers,
                       ["Fn (AWS::Lambda::Function): Properties.Code changes from s3 to image code (the package type): a replacement"])
    }

    func testUnresolvableValuesFallBack() {
        let p = plan(Self.template(env: #""x""#), Self.template(env: #"{"Fn::GetAtt": ["Dist", "DomainName"]}"#))
        XCTAssertEqual(p.changes.count, 0)
        XCTAssertEqual(p.blockers, ["Fn (AWS::Lambda::Function): Fn::GetAtt Dist.DomainName (AWS::CloudFront::Distribution) "
            + "cannot be computed outside CloudFormation"])
    }

    func testWatchedPathsSeeChanges() throws {
        let dir = TempDir("infra-watch-paths")
        let file = try dir.write("a/app.py", "x = 1\n")
        let paths = WatchedPaths(roots: [dir.url])
        let before = paths.snapshot()
        XCTAssertEqual(before.count, 1)
        try "x = 22\n".write(to: file, atomically: false, encoding: .utf8)
        try dir.write("b.txt", "new")
        XCTAssertEqual(WatchedPaths.changes(before, paths.snapshot()).map { ($0 as NSString).lastPathComponent }, ["app.py", "b.txt"])
    }
}
