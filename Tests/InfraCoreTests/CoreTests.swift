import Foundation
import InfraCore
import XCTest

final class LogicalIDTests: XCTestCase {
    func testTopLevelIdIsKeptReadable() {
        let app = App()
        let stack = Stack(app, "S")
        let w = Widget(stack, "Uploads-Bucket")
        XCTAssertEqual(w.logicalId, "UploadsBucket")
    }

    func testNestedPathGetsReadablePrefixAndStableHash() {
        let app = App()
        let stack = Stack(app, "S")
        let group = Construct(stack, "Api")
        let w = Widget(group, "Resource")
        let id = w.logicalId
        XCTAssertTrue(id.hasPrefix("Api"), id)
        XCTAssertEqual(id.count, 3 + 8)
        // Same path, same id, in another app.
        let app2 = App()
        let w2 = Widget(Construct(Stack(app2, "S"), "Api"), "Resource")
        XCTAssertEqual(w2.logicalId, id)
        // Paths that read the same differ by hash.
        let a = Widget(Construct(stack, "AB"), "C")
        let b = Widget(Construct(stack, "A"), "BC")
        XCTAssertNotEqual(a.logicalId, b.logicalId)
        XCTAssertTrue(a.logicalId.hasPrefix("ABC") && b.logicalId.hasPrefix("ABC"))
    }

    func testOverride() throws {
        let app = App()
        let stack = Stack(app, "S")
        let w = Widget(Construct(stack, "Deep"), "Thing") { $0.name = "x" }
        w.overrideLogicalId("LegacyName")
        let t = try template(app, "S")
        XCTAssertNotNil(t.at("Resources.LegacyName"))
    }

    func testDuplicateIdInScopeIsAnError() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Widget(stack, "Same") { $0.name = "a" }
        _ = Widget(stack, "Same") { $0.name = "b" }
        let d = diagnostics(app)
        XCTAssertTrue(d.contains { $0.contains("S: there is already a construct with id 'Same'") }, "\(d)")
    }

    func testDuplicateLogicalIdFromOverridesIsAnError() {
        let app = App()
        let stack = Stack(app, "S")
        Widget(stack, "A") { $0.name = "a" }.overrideLogicalId("X")
        Widget(stack, "B") { $0.name = "b" }.overrideLogicalId("X")
        XCTAssertTrue(diagnostics(app).contains { $0.contains("logical ID 'X' is already used by 'S/A'") })
    }
}

final class IntrinsicTests: XCTestCase {
    private func render(_ value: StringValue) throws -> Value {
        let app = App()
        let stack = Stack(app, "S")
        _ = Widget(stack, "W") { $0.name = value }
        return try template(app, "S").at("Resources.W.Properties.Name")!
    }

    func testRefAndGetAtt() throws {
        let app = App()
        let stack = Stack(app, "S")
        let a = Widget(stack, "A") { $0.name = "a" }
        _ = Widget(stack, "B") {
            $0.name = a.ref
            $0.items = [a.attrArn, "literal"]
        }
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Resources.B.Properties.Name"), ["Ref": "A"])
        XCTAssertEqual(t.at("Resources.B.Properties.Items"), [["Fn::GetAtt": ["A", "Arn"]], "literal"])
    }

    func testInterpolationBecomesJoin() throws {
        let app = App()
        let stack = Stack(app, "S")
        let a = Widget(stack, "A") { $0.name = "a" }
        _ = Widget(stack, "B") { $0.name = "\(a.attrArn)/*" }
        _ = Widget(stack, "C") { $0.name = "plain \("text") \(3)" }
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Resources.B.Properties.Name"), ["Fn::Join": ["", [["Fn::GetAtt": ["A", "Arn"]], "/*"]]])
        XCTAssertEqual(t.at("Resources.C.Properties.Name"), "plain text 3")
    }

    func testEveryIntrinsic() throws {
        XCTAssertEqual(try render(Fn.join(",", ["a", Pseudo.region])), ["Fn::Join": [",", ["a", ["Ref": "AWS::Region"]]]])
        XCTAssertEqual(try render(Fn.sub("${AWS::StackName}-x")), ["Fn::Sub": "${AWS::StackName}-x"])
        XCTAssertEqual(try render(Fn.sub("${A}-x", ["A": Pseudo.accountId])), ["Fn::Sub": ["${A}-x", ["A": ["Ref": "AWS::AccountId"]]]])
        XCTAssertEqual(try render(Fn.sub("arn:${AWS::Partition}:s3:::\(Pseudo.stackName)/*")),
                       ["Fn::Sub": ["arn:${AWS::Partition}:s3:::${T0}/*", ["T0": ["Ref": "AWS::StackName"]]]])
        XCTAssertEqual(try render(Fn.select(1, Fn.split(",", "a,b"))), ["Fn::Select": [1, ["Fn::Split": [",", "a,b"]]]])
        XCTAssertEqual(try render(Fn.select(0, Fn.getAZs())), ["Fn::Select": [0, ["Fn::GetAZs": ""]]])
        XCTAssertEqual(try render(Fn.importValue("shared-vpc")), ["Fn::ImportValue": "shared-vpc"])
        XCTAssertEqual(try render(Fn.base64("hello")), ["Fn::Base64": "hello"])
        XCTAssertEqual(try render(Fn.select(2, Fn.cidr("10.0.0.0/16", count: 4, cidrBits: 8))),
                       ["Fn::Select": [2, ["Fn::Cidr": ["10.0.0.0/16", 4, 8]]]])
        XCTAssertEqual(try render(Pseudo.urlSuffix), ["Ref": "AWS::URLSuffix"])
        XCTAssertEqual(try render(Fn.join(",", Pseudo.notificationARNs)), ["Fn::Join": [",", ["Ref": "AWS::NotificationARNs"]]])
        XCTAssertEqual(try render(Pseudo.partition), ["Ref": "AWS::Partition"])
    }

    func testConditionsIfAndFindInMap() throws {
        let app = App()
        let stack = Stack(app, "S")
        let env = Parameter(stack, "Env", default: "dev", allowedValues: ["dev", "prod"])
        let isProd = Condition(stack, "IsProd", Fn.equals(env.stringValue, StringValue("prod")))
        let notDev = Condition(stack, "Complex", Fn.and(isProd.asExpression, Fn.not(Fn.or(
            Fn.equals(Pseudo.region, StringValue("us-east-1")), Fn.equals(Pseudo.region, StringValue("eu-west-1"))))))
        let sizes = Mapping(stack, "Sizes", ["dev": ["Memory": 512], "prod": ["Memory": 2048]])
        let w = Widget(stack, "W") {
            $0.name = Fn.if(isProd, "big", "small")
            $0.size = NumberValue(token: sizes.find(env.stringValue, "Memory").token)
            $0.enabled = Fn.if(notDev, BoolValue(true))
        }
        w.condition = isProd
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Conditions.IsProd"), ["Fn::Equals": [["Ref": "Env"], "prod"]])
        XCTAssertEqual(t.at("Conditions.Complex"), ["Fn::And": [["Condition": "IsProd"], ["Fn::Not": [["Fn::Or": [
            ["Fn::Equals": [["Ref": "AWS::Region"], "us-east-1"]], ["Fn::Equals": [["Ref": "AWS::Region"], "eu-west-1"]]]]]]]])
        XCTAssertEqual(t.at("Resources.W.Condition"), "IsProd")
        XCTAssertEqual(t.at("Resources.W.Properties.Name"), ["Fn::If": ["IsProd", "big", "small"]])
        XCTAssertEqual(t.at("Resources.W.Properties.Enabled"), ["Fn::If": ["Complex", true, ["Ref": "AWS::NoValue"]]])
        XCTAssertEqual(t.at("Resources.W.Properties.Size"), ["Fn::FindInMap": ["Sizes", ["Ref": "Env"], "Memory"]])
        XCTAssertEqual(t.at("Mappings.Sizes.prod.Memory"), 2048)
        XCTAssertEqual(t.at("Parameters.Env"), ["Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]])
    }
}

final class TemplateTests: XCTestCase {
    func testSectionOrderAndResourceAttributes() throws {
        let app = App()
        let stack = Stack(app, "S", description: "demo")
        _ = Output(stack, "Out", value: "v")
        let a = Widget(stack, "A") { $0.name = "a" }
        let b = Widget(stack, "B") { $0.name = "b" }
        b.addDependency(a)
        b.deletionPolicy = .retain
        b.updateReplacePolicy = .snapshot
        b.metadata = [("Note", "hi")]
        _ = Condition(stack, "C", Fn.equals(Pseudo.region, StringValue("x")))
        _ = Mapping(stack, "M", ["k": ["v": 1]])
        _ = Parameter(stack, "P", type: .vpcId, description: "the VPC")
        _ = Parameter(stack, "Secret", type: .string, noEcho: true)
        stack.templateMetadata = [("Owner", "team")]
        let t = try template(app, "S")
        guard case .object(let sections) = t else { return XCTFail() }
        XCTAssertEqual(sections.map(\.0), ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Resources", "Outputs"])
        guard case .object(let entry)? = t.at("Resources.B") else { return XCTFail() }
        XCTAssertEqual(entry.map(\.0), ["Type", "DependsOn", "Properties", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"])
        XCTAssertEqual(t.at("Resources.B.DependsOn"), ["A"])
        XCTAssertEqual(t.at("Parameters.Secret.NoEcho"), true)
        XCTAssertEqual(t.at("Parameters.P.Type"), "AWS::EC2::VPC::Id")
    }

    func testEveryParameterTypeRenders() throws {
        let types: [ParameterType] = [.string, .number, .numberList, .commaDelimitedList, .availabilityZoneName, .imageId,
            .instanceId, .keyPairName, .securityGroupName, .securityGroupId, .subnetId, .volumeId, .vpcId, .hostedZoneId,
            .availabilityZoneNameList, .imageIdList, .instanceIdList, .securityGroupNameList, .securityGroupIdList,
            .subnetIdList, .volumeIdList, .vpcIdList, .hostedZoneIdList, .ssmParameterName, .ssmString, .ssmStringList,
            .ssmCommaDelimitedList, .ssmValue(.imageId)]
        let app = App()
        let stack = Stack(app, "S")
        for (i, t) in types.enumerated() { _ = Parameter(stack, "P\(i)", type: t) }
        _ = Widget(stack, "W") { $0.name = "w" }
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Parameters.P27.Type"), "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>")
        XCTAssertTrue(ParameterType.subnetIdList.isList)
        XCTAssertFalse(ParameterType.subnetId.isList)

        let bad = App()
        _ = Parameter(Stack(bad, "S"), "P", type: "Strnig")
        XCTAssertTrue(diagnostics(bad).contains { $0.contains("S/P: unknown parameter type 'Strnig'") })
    }

    func testTagsPropagateNearestWinsAndOwnTagsWin() throws {
        let app = App()
        let stack = Stack(app, "S", tags: ["team": "data", "env": "dev"])
        let group = Construct(stack, "G")
        group.tag("env", "prod")
        _ = Widget(group, "W") {
            $0.name = "w"
            $0.tags = [Tag("team", "ml")]
        }
        _ = Gadget(group, "G2") { $0.target = "x" }
        let t = try template(app, "S")
        let wid = stack.resources[0].logicalId
        let gid = stack.resources[1].logicalId
        XCTAssertEqual(t.at("Resources.\(wid).Properties.Tags"), [["Key": "env", "Value": "prod"], ["Key": "team", "Value": "ml"]])
        XCTAssertEqual(t.at("Resources.\(gid).Properties.Tags"), ["env": "prod", "team": "data"])
    }

    func testPropertyOverrides() throws {
        let app = App()
        let stack = Stack(app, "S")
        let w = Widget(stack, "W") { $0.name = "w"; $0.size = 3 }
        w.addPropertyOverride("Settings.Extra.Deep", "x")
        w.addPropertyDeletionOverride("Size")
        let t = try template(app, "S")
        XCTAssertEqual(t.at("Resources.W.Properties.Settings.Extra.Deep"), "x")
        XCTAssertNil(t.at("Resources.W.Properties.Size"))
    }
}

final class CrossStackTests: XCTestCase {
    func testReferenceAcrossStacksBecomesExportAndImport() throws {
        let app = App()
        let producer = Stack(app, "Network")
        let consumer = Stack(app, "Service")
        let shared = Widget(producer, "Shared") { $0.name = "shared" }
        _ = Widget(consumer, "User") {
            $0.name = shared.attrArn
            $0.items = [shared.ref]
        }
        let assembly = try app.synthesize()
        let net = assembly.stacks[0], svc = assembly.stacks[1]
        XCTAssertEqual(svc.dependencies, ["Network"])
        XCTAssertEqual(net.dependencies, [])
        XCTAssertEqual(svc.template.at("Resources.User.Properties.Name"), ["Fn::ImportValue": "Network:ExportsOutputFnGetAttSharedArn"])
        XCTAssertEqual(svc.template.at("Resources.User.Properties.Items.0"), ["Fn::ImportValue": "Network:ExportsOutputRefShared"])
        XCTAssertEqual(net.template.at("Outputs.ExportsOutputFnGetAttSharedArn"),
                       ["Value": ["Fn::GetAtt": ["Shared", "Arn"]], "Export": ["Name": "Network:ExportsOutputFnGetAttSharedArn"]])
        XCTAssertEqual(net.template.at("Outputs.ExportsOutputRefShared.Value"), ["Ref": "Shared"])
    }

    func testStackCycleIsAnError() {
        let app = App()
        let a = Stack(app, "A"), b = Stack(app, "B")
        let wa = Widget(a, "WA") { $0.name = "a" }
        let wb = Widget(b, "WB") { $0.name = wa.ref }
        wa.name = wb.ref
        XCTAssertTrue(diagnostics(app).contains { $0.contains("stack dependency cycle: A -> B -> A") || $0.contains("stack dependency cycle: B -> A -> B") })
    }

    func testTokenFromAnotherAppIsAnError() {
        let other = App()
        let foreign = Widget(Stack(other, "X"), "Foreign") { $0.name = "f" }
        let app = App()
        _ = Widget(Stack(app, "S"), "W") { $0.name = foreign.ref }
        XCTAssertTrue(diagnostics(app).contains { $0.contains("S/W: references 'X/Foreign', which belongs to another app") })
    }
}

final class ValidationTests: XCTestCase {
    func testMissingRequiredAndEnumAndNestedPathsAreReported() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Widget(Construct(stack, "Api"), "W") {
            $0.mode = "medium"
            $0.settings = .init { $0.limit = 1 }
        }
        let d = diagnostics(app)
        XCTAssertTrue(d.contains("S/Api/W (Name): missing required property 'Name'") || d.contains { $0.contains("missing required property 'Name'") && $0.hasPrefix("S/Api/W") }, "\(d)")
        XCTAssertTrue(d.contains { $0.hasPrefix("S/Api/W (Mode)") && $0.contains("'medium' is not an allowed value (allowed: fast, slow)") }, "\(d)")
        XCTAssertTrue(d.contains { $0.hasPrefix("S/Api/W (Settings)") && $0.contains("missing required property 'Key'") }, "\(d)")
    }

    func testTokensSkipEnumValidation() throws {
        let app = App()
        let stack = Stack(app, "S")
        let p = Parameter(stack, "Mode")
        _ = Widget(stack, "W") { $0.name = "w"; $0.mode = Widget.Mode(token: p.stringValue.token) }
        XCTAssertNoThrow(try app.synthesize())
    }

    func testResourceLimit() {
        let app = App()
        let stack = Stack(app, "Big")
        for i in 0...500 { _ = Widget(stack, "W\(i)") { $0.name = "x" } }
        XCTAssertTrue(diagnostics(app).contains { $0.contains("Big: the stack has 501 resources; CloudFormation allows 500") })
    }

    func testTemplateSizeLimit() {
        let app = App()
        let stack = Stack(app, "Huge")
        let blob = String(repeating: "x", count: 4000)
        for i in 0..<300 { _ = Widget(stack, "W\(i)") { $0.name = StringValue(blob) } }
        XCTAssertTrue(diagnostics(app).contains { $0.contains("Huge: the template is") && $0.contains("at most 1048576") })
    }

    func testReferenceCycleIsAnError() {
        let app = App()
        let stack = Stack(app, "S")
        let a = Widget(stack, "A")
        let b = Widget(stack, "B") { $0.name = a.attrArn }
        a.name = b.ref
        XCTAssertTrue(diagnostics(app).contains { $0.contains("dependency cycle: S/A -> S/B -> S/A") }, "\(diagnostics(app))")
    }

    func testDependsOnCycleIsAnError() {
        let app = App()
        let stack = Stack(app, "S")
        let a = Widget(stack, "A") { $0.name = "a" }
        let b = Widget(stack, "B") { $0.name = "b" }
        a.addDependency(b)
        b.addDependency(a)
        XCTAssertTrue(diagnostics(app).contains { $0.contains("dependency cycle") })
    }

    func testStackAndAppChecks() {
        let app = App()
        let s = Stack(app, "bad_name!", account: "12")
        _ = Widget(s, "W") { $0.name = "x" }
        _ = Stack(app, "Empty")
        let d = diagnostics(app)
        XCTAssertTrue(d.contains { $0.contains("stack name 'bad_name!' is invalid") })
        XCTAssertTrue(d.contains { $0.contains("'12' is not a 12-digit AWS account id") })
        XCTAssertTrue(d.contains { $0.contains("Empty: the stack has no resources") })
        XCTAssertTrue(diagnostics(App()).contains { $0.contains("the app has no stacks") })
    }
}
