import Foundation
@testable import InfraAWS
import InfraContract
import XCTest

/// CloudFormation behaviour moto cannot show (UpdateTerminationProtection, paged change sets and
/// events, "no changes"), played by a scripted transport with answers shaped like AWS's.
final class CloudFormationScriptedTests: XCTestCase {
    static let ns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

    static func response(_ action: String, _ result: String) -> HTTPResponse {
        .xml(200, """
            <\(action)Response xmlns="\(ns)">
              <\(action)Result>\(result)</\(action)Result>
              <ResponseMetadata><RequestId>7f59b5a6-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
            </\(action)Response>
            """)
    }

    func testRequestEncodingOfStackSettings() async throws {
        let transport = ScriptedTransport([Self.response("CreateChangeSet", """
            <Id>arn:aws:cloudformation:us-east-1:123456789012:changeSet/infra-1/1a2345b6-0000-0000-0000-000000000000</Id>
            <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/app/1a2345b6-0000-0000-0000-000000000001</StackId>
            """)])
        let cfn = CloudFormationClient(client: scriptedClient(transport))
        let result = try await cfn.createChangeSet(
            stackName: "app", changeSetName: "infra-1", type: .create,
            settings: StackSettings(template: .url("https://bkt.s3.us-east-1.amazonaws.com/t.json"),
                                    parameters: [StackParameter(key: "Env", value: "prod"), .usePrevious("Image")],
                                    tags: [Tag(key: "team", value: "a b")], capabilities: [.iam, .autoExpand],
                                    roleARN: "arn:aws:iam::123456789012:role/cfn"),
            description: "deploy", clientToken: "tok-1")
        XCTAssertTrue(result.changeSetId.hasSuffix("changeSet/infra-1/1a2345b6-0000-0000-0000-000000000000"))
        XCTAssertEqual(transport.requests[0].bodyText, [
            "Action=CreateChangeSet", "Version=2010-05-15", "StackName=app",
            "TemplateURL=https%3A%2F%2Fbkt.s3.us-east-1.amazonaws.com%2Ft.json",
            "Parameters.member.1.ParameterKey=Env", "Parameters.member.1.ParameterValue=prod",
            "Parameters.member.2.ParameterKey=Image", "Parameters.member.2.UsePreviousValue=true",
            "Capabilities.member.1=CAPABILITY_IAM", "Capabilities.member.2=CAPABILITY_AUTO_EXPAND",
            "RoleARN=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcfn",
            "Tags.member.1.Key=team", "Tags.member.1.Value=a+b",
            "ChangeSetName=infra-1", "ClientToken=tok-1", "Description=deploy", "ChangeSetType=CREATE",
        ].joined(separator: "&"))
    }

    func testUpdateTerminationProtection() async throws {
        let transport = ScriptedTransport([Self.response("UpdateTerminationProtection",
            "<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/app/abc</StackId>")])
        try await CloudFormationClient(client: scriptedClient(transport)).updateTerminationProtection(stackName: "app", enabled: true)
        XCTAssertEqual(transport.requests[0].bodyText,
                       "Action=UpdateTerminationProtection&Version=2010-05-15&EnableTerminationProtection=true&StackName=app")
    }

    func testDescribeChangeSetFollowsEveryPage() async throws {
        func change(_ id: String, _ action: String, replacement: String? = nil) -> String {
            """
            <member>
              <Type>Resource</Type>
              <ResourceChange>
                <Action>\(action)</Action>
                <LogicalResourceId>\(id)</LogicalResourceId>
                <PhysicalResourceId>phys-\(id)</PhysicalResourceId>
                <ResourceType>AWS::S3::Bucket</ResourceType>
                \(replacement.map { "<Replacement>\($0)</Replacement>" } ?? "")
                <Scope><member>Properties</member><member>Tags</member></Scope>
                <Details>
                  <member>
                    <Target><Attribute>Properties</Attribute><Name>BucketName</Name><RequiresRecreation>Always</RequiresRecreation></Target>
                    <Evaluation>Static</Evaluation>
                    <ChangeSource>DirectModification</ChangeSource>
                  </member>
                </Details>
              </ResourceChange>
            </member>
            """
        }
        let header = """
            <ChangeSetName>infra-1</ChangeSetName>
            <ChangeSetId>arn:aws:cloudformation:us-east-1:123456789012:changeSet/infra-1/abc</ChangeSetId>
            <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/app/def</StackId>
            <StackName>app</StackName>
            <Status>CREATE_COMPLETE</Status>
            <ExecutionStatus>AVAILABLE</ExecutionStatus>
            <CreationTime>2024-05-01T10:00:00.123Z</CreationTime>
            <Capabilities><member>CAPABILITY_IAM</member></Capabilities>
            <Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>prod</ParameterValue></member></Parameters>
            <Tags><member><Key>team</Key><Value>a</Value></member></Tags>
            """
        let transport = ScriptedTransport([
            Self.response("DescribeChangeSet", header + "<Changes>\(change("A", "Modify", replacement: "True"))</Changes><NextToken>page-2</NextToken>"),
            Self.response("DescribeChangeSet", header + "<Changes>\(change("B", "Add"))\(change("C", "Remove"))</Changes>"),
        ])
        let cs = try await CloudFormationClient(client: scriptedClient(transport)).describeChangeSet("infra-1", stackName: "app")
        XCTAssertEqual(cs.changes.map(\.logicalResourceId), ["A", "B", "C"])
        XCTAssertEqual(cs.changes.map(\.action), [.modify, .add, .remove])
        XCTAssertEqual(cs.changes[0].replacement, .always)
        XCTAssertEqual(cs.changes[0].scope, ["Properties", "Tags"])
        XCTAssertEqual(cs.changes[0].details, [ResourceChangeDetail(
            targetAttribute: "Properties", targetName: "BucketName", requiresRecreation: "Always",
            evaluation: "Static", changeSource: "DirectModification", causingEntity: nil)])
        XCTAssertEqual(cs.status, .createComplete)
        XCTAssertEqual(cs.executionStatus, .available)
        XCTAssertEqual(cs.capabilities, [.iam])
        XCTAssertEqual(cs.parameters, [StackParameter(key: "Env", value: "prod")])
        XCTAssertEqual(cs.creationTime, AWSDate.parseISO8601("2024-05-01T10:00:00.123Z"))
        XCTAssertEqual(transport.requests[1].formFields["NextToken"], "page-2")
        XCTAssertFalse(cs.hasNoChanges)
    }

    func testNoChangesChangeSet() async throws {
        let transport = ScriptedTransport([Self.response("DescribeChangeSet", """
            <ChangeSetName>infra-2</ChangeSetName><StackName>app</StackName>
            <Status>FAILED</Status><ExecutionStatus>UNAVAILABLE</ExecutionStatus>
            <StatusReason>The submitted information didn't contain changes. Submit different information to create a change set.</StatusReason>
            <Changes/>
            """)])
        let cs = try await CloudFormationClient(client: scriptedClient(transport)).describeChangeSet("infra-2", stackName: "app")
        XCTAssertTrue(cs.hasNoChanges)
        XCTAssertEqual(cs.changes, [])
    }

    func testStackEventsPagesAndStopAtTheLastSeenEvent() async throws {
        func event(_ id: String, _ status: String, reason: String? = nil) -> String {
            """
            <member>
              <EventId>\(id)</EventId>
              <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/app/def</StackId>
              <StackName>app</StackName>
              <LogicalResourceId>Bucket</LogicalResourceId>
              <PhysicalResourceId>app-bucket-1</PhysicalResourceId>
              <ResourceType>AWS::S3::Bucket</ResourceType>
              <Timestamp>2024-05-01T10:00:0\(id.count)Z</Timestamp>
              <ResourceStatus>\(status)</ResourceStatus>
              \(reason.map { "<ResourceStatusReason>\($0)</ResourceStatusReason>" } ?? "")
            </member>
            """
        }
        let transport = ScriptedTransport([
            Self.response("DescribeStackEvents", "<StackEvents>\(event("e5", "CREATE_FAILED", reason: "Bucket exists"))\(event("e4", "CREATE_IN_PROGRESS"))</StackEvents><NextToken>t2</NextToken>"),
            Self.response("DescribeStackEvents", "<StackEvents>\(event("e3", "CREATE_IN_PROGRESS"))\(event("e2", "CREATE_IN_PROGRESS"))</StackEvents><NextToken>t3</NextToken>"),
            Self.response("DescribeStackEvents", "<StackEvents>\(event("e1", "REVIEW_IN_PROGRESS"))</StackEvents>"),
        ])
        let cfn = CloudFormationClient(client: scriptedClient(transport))
        let recent = try await cfn.stackEvents(stackName: "app", stopAt: { $0.eventId == "e3" })
        XCTAssertEqual(recent.map(\.eventId), ["e5", "e4"])
        XCTAssertEqual(recent.first?.resourceStatusReason, "Bucket exists")
        XCTAssertEqual(transport.requests.count, 2)
        let page = try await cfn.describeStackEvents(stackName: "app", nextToken: "t3")
        XCTAssertEqual(page.events.map(\.eventId), ["e1"])
        XCTAssertNil(page.nextToken)
    }

    func testDescribeStacksDecodesEverythingAndMissingStacksAreNil() async throws {
        let transport = ScriptedTransport { request, _ in
            if request.formFields["StackName"] == "gone" {
                return .xml(400, """
                    <ErrorResponse xmlns="\(Self.ns)"><Error><Type>Sender</Type><Code>ValidationError</Code>
                    <Message>Stack with id gone does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>
                    """)
            }
            return Self.response("DescribeStacks", """
                <Stacks>
                  <member>
                    <StackName>app</StackName>
                    <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/app/def</StackId>
                    <Description>demo</Description>
                    <Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>prod</ParameterValue></member></Parameters>
                    <CreationTime>2024-05-01T10:00:00Z</CreationTime>
                    <StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>
                    <StackStatusReason>Resource creation cancelled</StackStatusReason>
                    <DisableRollback>false</DisableRollback>
                    <Outputs>
                      <member><OutputKey>Url</OutputKey><OutputValue>https://x</OutputValue><Description>d</Description><ExportName>app-url</ExportName></member>
                    </Outputs>
                    <Capabilities><member>CAPABILITY_NAMED_IAM</member></Capabilities>
                    <Tags><member><Key>team</Key><Value>a</Value></member></Tags>
                    <EnableTerminationProtection>true</EnableTerminationProtection>
                  </member>
                </Stacks>
                """)
        }
        let cfn = CloudFormationClient(client: scriptedClient(transport))
        let stack = try await cfn.describeStack("app")
        XCTAssertEqual(stack?.status, .updateRollbackComplete)
        XCTAssertEqual(stack?.status.isFailure, true)
        XCTAssertEqual(stack?.status.isInProgress, false)
        XCTAssertEqual(stack?.statusReason, "Resource creation cancelled")
        XCTAssertEqual(stack?.outputs, [StackOutput(key: "Url", value: "https://x", description: "d", exportName: "app-url")])
        XCTAssertEqual(stack?.outputValues, ["Url": "https://x"])
        XCTAssertEqual(stack?.terminationProtection, true)
        XCTAssertEqual(stack?.capabilities, [.namedIAM])
        let gone = try await cfn.describeStack("gone")
        XCTAssertNil(gone)
    }

    func testStackStatusHelpers() {
        XCTAssertTrue(StackStatus.createInProgress.isInProgress)
        XCTAssertTrue(StackStatus.updateCompleteCleanupInProgress.isInProgress)
        XCTAssertFalse(StackStatus.reviewInProgress.isInProgress)
        XCTAssertTrue(StackStatus.rollbackComplete.isFailure)
        XCTAssertTrue(StackStatus.deleteFailed.isFailure)
        XCTAssertTrue(StackStatus.updateComplete.isSuccess)
        XCTAssertFalse(StackStatus(rawValue: "SOMETHING_NEW").isSuccess)
        XCTAssertEqual(StackStatus(rawValue: "UPDATE_ROLLBACK_COMPLETE"), .updateRollbackComplete)
    }

    /// Every documented spelling reads back as its own case; an unknown one is kept as sent and
    /// classified by CloudFormation's naming rule, never mistaken for a known one.
    func testStatusEnumsRoundTripAndKeepUnknownValues() throws {
        func roundTrips<T: CloudFormationValue>(_: T.Type) {
            for value in T.known {
                XCTAssertEqual(T(rawValue: value.rawValue), value, "\(value)")
                XCTAssertNotNil(value.knownSpelling)
            }
            XCTAssertEqual(Set(T.known.map(\.rawValue)).count, T.known.count, "\(T.self): spellings are distinct")
        }
        roundTrips(StackStatus.self)
        roundTrips(ResourceStatus.self)
        roundTrips(ChangeSetStatus.self)
        roundTrips(ChangeSetExecutionStatus.self)
        roundTrips(ChangeAction.self)
        roundTrips(ChangeReplacement.self)
        XCTAssertEqual(ResourceStatus(rawValue: "DELETE_SKIPPED"), .deleteSkipped)
        XCTAssertEqual(ResourceStatus(rawValue: "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), .stack(.updateCompleteCleanupInProgress))
        XCTAssertEqual(ChangeReplacement(rawValue: "True"), .always)
        let future = ResourceStatus(rawValue: "PAUSE_IN_PROGRESS")
        XCTAssertEqual(future, .other("PAUSE_IN_PROGRESS"))
        XCTAssertEqual(future.rawValue, "PAUSE_IN_PROGRESS")
        XCTAssertTrue(future.isInProgress)
        XCTAssertTrue(ResourceStatus(rawValue: "PAUSE_FAILED").isFailed)
        XCTAssertEqual(ResourceStatus(rawValue: "SOMETHING").phase, .unknown)
        XCTAssertTrue(StackStatus(rawValue: "PAUSE_IN_PROGRESS").isInProgress)
        XCTAssertTrue(StackStatus(rawValue: "PAUSE_ROLLBACK_COMPLETE").isFailure)
        XCTAssertEqual(ChangeAction(rawValue: "SyncWithActual"), .other("SyncWithActual"))
        let decoded = try JSONDecoder().decode([StackStatus].self, from: Data(#"["CREATE_COMPLETE","NEW_ONE"]"#.utf8))
        XCTAssertEqual(decoded, [.createComplete, .other("NEW_ONE")])
        XCTAssertEqual(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self), #"["CREATE_COMPLETE","NEW_ONE"]"#)
    }
}
