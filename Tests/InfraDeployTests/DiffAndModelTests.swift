import Foundation
@testable import InfraAWS
import InfraContract
import InfraCore
@testable import InfraDeploy
import XCTest

/// Pure logic, no server: template diff with replacements, security changes, YAML templates,
/// assembly reading and selection, parameters, failure reports.
final class DiffAndModelTests: XCTestCase {
    func parse(_ s: String) throws -> Value { try TemplateDocument.parse(s) }

    func testDiffMarksReplacementsFromCreateOnlyProperties() throws {
        let old = try parse(template("""
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsSupport": true}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 256, "Runtime": "python3.12",
              "Environment": {"Variables": {"A": "1", "B": {"Ref": "Vpc"}}}}},
            "Gone": {"Type": "AWS::SQS::Queue"}
            """, outputs: #""Url": {"Value": {"Ref": "Gone"}}"#))
        let new = try parse(template("""
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "MemorySize": 512,
              "Environment": {"Variables": {"B": {"Ref": "Vpc"}, "A": "2"}}}},
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16", "EnableDnsSupport": true}},
            "New": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"}
            """))
        let diff = TemplateDiff.compare(old: old, new: new)
        XCTAssertFalse(diff.isEmpty)
        let vpc = try XCTUnwrap(diff.resources.first { $0.logicalId == "Vpc" })
        XCTAssertEqual(vpc.replacement, .always)
        XCTAssertEqual(vpc.changes.map(\.path), ["Properties.CidrBlock"])
        let fn = try XCTUnwrap(diff.resources.first { $0.logicalId == "Fn" })
        XCTAssertEqual(fn.replacement, .never)
        XCTAssertEqual(fn.changes.map(\.path), ["Properties.MemorySize", "Properties.Environment.Variables.A"],
                       "key order does not matter; objects are compared key by key")
        XCTAssertEqual(diff.resources.first { $0.logicalId == "Gone" }?.kind, .removed)
        XCTAssertEqual(diff.resources.first { $0.logicalId == "New" }?.kind, .added)
        XCTAssertEqual(diff.others.map { "\($0.section).\($0.name)" }, ["Outputs.Url"])

        let text = diff.render().joined(separator: "\n")
        XCTAssertTrue(text.contains("[~] AWS::EC2::VPC Vpc (replaces the resource)"), text)
        XCTAssertTrue(text.contains("[~] Properties.CidrBlock (replacement): \"10.0.0.0/16\" → \"10.1.0.0/16\""), text)
        XCTAssertTrue(text.contains("[~] Properties.MemorySize: 256 → 512"), text)
        XCTAssertTrue(text.contains("[-] AWS::SQS::Queue Gone"), text)
        XCTAssertTrue(text.contains("[+] AWS::S3::Bucket New"), text)
        XCTAssertTrue(text.contains("Outputs\n[-] Url"), text)

        XCTAssertTrue(TemplateDiff.compare(old: new, new: new).isEmpty)
    }

    func testDiffOfNestedCreateOnlyPathsAndWildcards() throws {
        // Lambda VpcConfig is not create-only; an RDS DBInstance's DBInstanceIdentifier is; an
        // EC2 subnet's AvailabilityZone is.
        let old = try parse(template("""
            "S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24",
              "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "Tags": [{"Key": "a", "Value": "1"}]}}
            """))
        let new = try parse(template("""
            "S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24",
              "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}, "Tags": [{"Key": "a", "Value": "2"}]}}
            """))
        let s = try XCTUnwrap(TemplateDiff.compare(old: old, new: new).resources.first)
        let byPath = Dictionary(uniqueKeysWithValues: s.changes.map { ($0.path, $0.replacement) })
        XCTAssertEqual(byPath["Properties.AvailabilityZone"], .always)
        XCTAssertEqual(byPath["Properties.Tags"], .never)
        XCTAssertEqual(s.changes.first { $0.path == "Properties.AvailabilityZone" }?.new,
                       "{Fn::Select: [1, {Fn::GetAZs: \"\"}]}")
    }

    func testNotDeployedMeansEverythingAdded() throws {
        let new = try parse(ScriptedDeployTests.roleTemplate)
        let diff = TemplateDiff.compare(old: nil, new: new)
        XCTAssertEqual(diff.resources.map(\.kind), [.added, .added, .added])
        XCTAssertTrue(diff.security.isBroadening)
    }

    func testSecurityChanges() throws {
        let old = try parse(template("""
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
              {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
              "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": {"Fn::GetAtt": ["Q", "Arn"]}},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}}]}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x",
              "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}}
            """))
        let narrower = try parse(template("""
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
              {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
              "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": {"Fn::GetAtt": ["Q", "Arn"]}},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}}]}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x"}}
            """))
        let removedRule = SecurityChanges.compare(old: old, new: narrower)
        XCTAssertEqual(removedRule.removedRules.count, 1)
        XCTAssertFalse(removedRule.isBroadening, "removing a rule narrows access")

        let wider = try parse(template("""
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
              {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
              "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
              "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": {"Fn::GetAtt": ["Q", "Arn"]}}]}}]}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x",
              "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}},
            "Perm": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction",
              "FunctionName": {"Ref": "Fn"}, "Principal": "apigateway.amazonaws.com"}}
            """))
        let c = SecurityChanges.compare(old: old, new: wider)
        XCTAssertTrue(c.isBroadening)
        XCTAssertEqual(c.addedStatements.map(\.resource), ["Role (managed policy)", "Perm (Lambda permission)"])
        XCTAssertEqual(c.removedStatements.map(\.effect), ["Deny"], "a removed deny widens access")
        XCTAssertEqual(c.addedStatements.last?.resources, "${Fn}")
        let table = c.render().joined(separator: "\n")
        XCTAssertTrue(table.contains("| + | Role (managed policy)    | Allow  | (managed policy)"), table)
        XCTAssertTrue(table.contains("arn:aws:iam::aws:policy/AdministratorAccess"), table)
        XCTAssertTrue(table.contains("| - | Role (policy p)"), table)
    }

    func testYAMLTemplatesWithShortFormIntrinsics() throws {
        let yaml = """
            AWSTemplateFormatVersion: '2010-09-09'
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  VisibilityTimeout: 60
                  QueueName: !Sub '${AWS::StackName}-jobs'
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Role: !GetAtt Role.Arn
                  Environment:
                    Variables:
                      QUEUE: !Ref Queue
                      ON: 'true'
                      TEXT: |
                        line
                      LAST: x

            """
        let value = try parse(yaml)
        let json = try parse("""
            {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
              "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Environment": {"Variables": {"QUEUE": {"Ref": "Queue"}, "ON": "true", "TEXT": "line\\n", "LAST": "x"}}}},
              "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-jobs"},
                "VisibilityTimeout": 60}}}}
            """)
        XCTAssertTrue(TemplateDocument.equal(value, json), "\(TemplateDocument.show(value, limit: 2000))")
    }

    func testAssemblyReadingAndSelection() throws {
        let dir = TempDir()
        try writeAssembly(dir.url, stacks: [
            TestStack(name: "net", template: template(#""V": {"Type": "AWS::EC2::VPC"}"#)),
            TestStack(name: "app-api", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#), dependencies: ["net"],
                      tags: ["b": "2", "a": "1"], assets: ["abc"]),
            TestStack(name: "app-web", template: template(#""Q": {"Type": "AWS::SQS::Queue"}"#), dependencies: ["app-api"]),
        ], assets: [TestAsset(id: "abc", type: "zip", path: "asset.abc.zip", source: "/elsewhere/src")])
        try Data("zip".utf8).write(to: dir.url.appendingPathComponent("asset.abc.zip"))
        let a = try DeployAssembly.read(from: dir.url)
        XCTAssertEqual(a.stacks.map(\.stackName), ["net", "app-api", "app-web"])
        XCTAssertEqual(a.stack(named: "app-api")?.tags.map(\.key), ["a", "b"])
        XCTAssertEqual(a.asset("abc")?.path.path, dir.url.appendingPathComponent("asset.abc.zip").path)
        XCTAssertEqual(a.asset("abc")?.objectKey, "abc.zip")

        XCTAssertEqual(try a.select(["app-web"], all: false, upstream: true).map(\.stackName), ["net", "app-api", "app-web"])
        XCTAssertEqual(try a.select(["app-*"], all: false).map(\.stackName), ["app-api", "app-web"])
        XCTAssertEqual(try a.select(["net"], all: false, downstream: true).map(\.stackName), ["net", "app-api", "app-web"])
        XCTAssertThrowsError(try a.select([], all: false)) { e in
            XCTAssertTrue("\(e)".contains("name the ones to use, or pass --all (stacks: net, app-api, app-web)"), "\(e)")
        }
        XCTAssertThrowsError(try a.select(["nope"], all: false)) { e in
            XCTAssertTrue("\(e)".contains("no stack matches 'nope'"), "\(e)")
        }

        try "{}".write(to: dir.url.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DeployAssembly.read(from: dir.url)) { e in
            XCTAssertTrue("\(e)".hasSuffix("manifest.json: key 'version' is missing"), "\(e)")
        }
        XCTAssertThrowsError(try DeployAssembly.read(from: dir.url.appendingPathComponent("missing"))) { e in
            XCTAssertTrue("\(e)".contains("is not a cloud assembly: it has no manifest.json"), "\(e)")
        }
    }

    func testParameterOverrides() throws {
        XCTAssertEqual(try ParameterOverride.parse("app:Key=a=b:c"), ParameterOverride(stack: "app", key: "Key", value: "a=b:c"))
        XCTAssertEqual(try ParameterOverride.parse("Key="), ParameterOverride(stack: nil, key: "Key", value: ""))
        XCTAssertThrowsError(try ParameterOverride.parse("Key"))
        XCTAssertThrowsError(try ParameterOverride.parse(":Key=1"))
    }

    func testFailureReportSkipsCancellationsAndStackEvents() throws {
        func event(_ id: String, _ logical: String, _ type: String, _ status: String, _ reason: String?) throws -> StackEvent {
            let xml = """
                <member><EventId>\(id)</EventId><StackId>sid</StackId><StackName>app</StackName>\
                <LogicalResourceId>\(logical)</LogicalResourceId><ResourceType>\(type)</ResourceType>\
                <ResourceStatus>\(status)</ResourceStatus>\(reason.map { "<ResourceStatusReason>\($0)</ResourceStatusReason>" } ?? "")</member>
                """
            return try StackEvent(xml: XMLTree.parse(Data(xml.utf8)))
        }
        let events = [
            try event("1", "A", "AWS::SNS::Topic", "UPDATE_FAILED", "Resource update cancelled"),
            try event("2", "app", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS",
                      "The following resource(s) failed to update: [B]."),
            try event("3", "B", "AWS::Lambda::Function", "UPDATE_FAILED", "Memory size 20000 is invalid"),
            try event("4", "B", "AWS::Lambda::Function", "UPDATE_FAILED", "a second, later failure"),
        ]
        let report = FailureReport(events: events, stackName: "app", final: nil)
        XCTAssertEqual(report.firstCause?.logicalId, "B")
        XCTAssertEqual(report.firstCause?.reason, "Memory size 20000 is invalid")
        XCTAssertEqual(report.otherFailures.map(\.logicalId), ["A"])
        XCTAssertEqual(report.lines().last, "  final stack state: the stack no longer exists")
    }

    /// A status or change action CloudFormation adds later neither crashes nor is taken for
    /// another: failures, progress and change lines classify it by its name, and print it as sent.
    func testUnknownStatusesAndActionsAreKeptAndClassified() throws {
        func event(_ id: String, _ logical: String, _ status: String) -> StackEvent {
            StackEvent(eventId: id, stackId: "sid", stackName: "app", logicalResourceId: logical,
                       physicalResourceId: nil, resourceType: "AWS::SNS::Topic", timestamp: nil,
                       resourceStatus: ResourceStatus(rawValue: status), resourceStatusReason: "why \(id)",
                       clientRequestToken: nil)
        }
        let report = FailureReport(events: [event("1", "A", "PAUSE_IN_PROGRESS"), event("2", "A", "PAUSE_FAILED")],
                                   stackName: "app", final: nil)
        XCTAssertEqual(report.firstCause?.status, .other("PAUSE_FAILED"))
        XCTAssertEqual(report.lines().first, "  first cause: A (AWS::SNS::Topic) PAUSE_FAILED: why 2")

        var board = Board(stack: "app", operation: "updating", expected: 4)
        for e in [event("1", "A", "PAUSE_IN_PROGRESS"), event("2", "B", "DELETE_SKIPPED"),
                  event("3", "C", "WHATEVER"), event("4", "D", "CREATE_FAILED")] {
            board.apply(e)
        }
        XCTAssertEqual(board.inProgress.map(\.id), ["A"])
        XCTAssertEqual(board.done, 1)
        XCTAssertEqual(board.failed, 1)

        let change = ResourceChange(action: ChangeAction(rawValue: "SyncWithActual"), logicalResourceId: "A",
                                    physicalResourceId: nil, resourceType: "AWS::SNS::Topic",
                                    replacement: ChangeReplacement(rawValue: "Conditional"), scope: [], details: [])
        XCTAssertEqual(StackDeployer.changeLines([change]),
                       ["  * SyncWithActual A (AWS::SNS::Topic) - may replace the resource"])
    }

    func testOutputsFileIsWrittenAtomically() throws {
        let dir = TempDir()
        let file = dir.url.appendingPathComponent("nested/outputs.json")
        try OutputsFile.write(["b": ["Z": "1", "A": "x\"y"], "a": [:]], to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), """
            {
              "a": {},
              "b": {
                "A": "x\\"y",
                "Z": "1"
              }
            }

            """)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path),
                       ["outputs.json"])
    }
}
