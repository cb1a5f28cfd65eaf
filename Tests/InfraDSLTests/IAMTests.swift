import InfraDSL
import XCTest

final class IAMTests: XCTestCase {
    func testGrantsMergeIntoOneSortedInlinePolicy() throws {
        let app = App()
        let stack = Stack(app, "S")
        let role = Role(stack, "Worker", assumedBy: "lambda.amazonaws.com")
        role.addToPrincipalPolicy(PolicyStatement(actions: ["sqs:SendMessage"], resources: ["arn:q"]))
        role.addToPrincipalPolicy(PolicyStatement(actions: ["sqs:GetQueueUrl", "sqs:SendMessage"], resources: ["arn:q"]))
        role.addToPrincipalPolicy(PolicyStatement(actions: ["s3:GetObject"], resources: ["arn:b/*"]))
        role.addManagedPolicy("service-role/AWSLambdaBasicExecutionRole")
        let t = try app.synthesize().stacks[0].template
        guard case .object(let resources)? = t["Resources"], let (_, r) = resources.first else { return XCTFail() }
        let policies = r["Properties"]?["Policies"]
        XCTAssertEqual(policies, [[
            "PolicyDocument": ["Version": "2012-10-17", "Statement": [
                ["Effect": "Allow", "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"], "Resource": "arn:q"],
                ["Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:b/*"],
            ]],
            "PolicyName": "default",
        ]])
        XCTAssertEqual(r["Properties"]?["AssumeRolePolicyDocument"]?["Statement"],
                       [["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": "sts:AssumeRole"]])
        XCTAssertEqual(r["Properties"]?["ManagedPolicyArns"],
                       [["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]]])
    }

    func testRoleWithoutGrantsHasNoInlinePolicy() throws {
        let app = App()
        _ = Role(Stack(app, "S"), "Idle", assumedBy: "ecs-tasks.amazonaws.com")
        let t = try app.synthesize().stacks[0].template
        guard case .object(let resources)? = t["Resources"], let (_, r) = resources.first else { return XCTFail() }
        XCTAssertNil(r["Properties"]?["Policies"])
    }
}
