import Foundation
import InfraDSL
import InfraTesting
import XCTest
import ZIPFoundation

final class FunctionsTests: XCTestCase {
    // MARK: Deterministic zip

    func testZipIsByteIdenticalTwiceAndSortedWithFixedMetadata() throws {
        let dir = try dtTempDir(self, files: ["b.py": "print('b')\n", "a/index.py": "def handler(e, c): pass\n", "run.sh": "#!/bin/sh\n"])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir + "/run.sh")
        let one = try DeterministicZip.archive(directory: dir)
        let two = try DeterministicZip.archive(directory: dir)
        XCTAssertEqual(one, two)

        let archive = try Archive(data: one, accessMode: .read)
        let entries = Array(archive)
        XCTAssertEqual(entries.map(\.path), ["a/index.py", "b.py", "run.sh"])
        for e in entries {
            XCTAssertEqual(e.fileAttributes[.modificationDate] as? Date, DeterministicZip.timestamp)
        }
        XCTAssertEqual((entries[2].fileAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o755)
        XCTAssertEqual((entries[1].fileAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o644)
        var content = Data()
        _ = try archive.extract(entries[0]) { content.append($0) }
        XCTAssertEqual(String(decoding: content, as: UTF8.self), "def handler(e, c): pass\n")
    }

    func testHashIgnoresTimestampsButNotContent() throws {
        let dir = try dtTempDir(self, files: ["index.py": "v1"])
        let h1 = try DeterministicZip.contentHash(directory: dir)
        let z1 = try DeterministicZip.archive(directory: dir)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: dir + "/index.py")
        XCTAssertEqual(try DeterministicZip.contentHash(directory: dir), h1)
        XCTAssertEqual(try DeterministicZip.archive(directory: dir), z1)
        try Data("v2".utf8).write(to: URL(fileURLWithPath: dir + "/index.py"))
        XCTAssertNotEqual(try DeterministicZip.contentHash(directory: dir), h1)
        // The same content elsewhere hashes the same.
        let other = try dtTempDir(self, files: ["index.py": "v1"])
        XCTAssertEqual(try DeterministicZip.contentHash(directory: other), h1)
    }

    func testEmptyOrMissingDirectoryIsAnError() throws {
        let empty = try dtTempDir(self)
        XCTAssertThrowsError(try DeterministicZip.archive(directory: empty))
        let app = App()
        _ = Function(Stack(app, "S"), "Fn", code: .directory(empty + "/missing"), handler: "index.handler", runtime: .python3_12)
        dtAssertError(app, path: "S/Fn", contains: "cannot package the code of the function")
    }

    // MARK: Function

    func testDirectoryCodeIsAnAssetInTheBootstrapBucket() throws {
        let dir = try dtTempDir(self, files: ["index.py": "def handler(e, c): return 1\n"])
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .directory(dir), handler: "index.handler", runtime: .python3_12)
        let assembly = try app.synthesize()
        let hash = try DeterministicZip.contentHash(directory: dir)
        XCTAssertEqual(fn.codeHash, hash)
        XCTAssertEqual(assembly.assets.count, 1)
        let asset = assembly.assets[0]
        XCTAssertEqual(asset.id, hash)
        XCTAssertEqual(asset.kind, .zip)
        XCTAssertEqual(asset.assemblyPath, "asset.\(hash).zip")
        XCTAssertEqual(asset.stagedData, try DeterministicZip.archive(directory: dir))
        XCTAssertEqual(assembly.stacks[0].assets, [hash])
        let manifest = assembly.manifest(format: .json)
        XCTAssertEqual(manifest.stacks, [.init(id: "S", stackName: "S", template: "S.template.json", assets: [hash])])
        XCTAssertEqual(manifest.assets, [.init(id: hash, type: .zip, path: "asset.\(hash).zip", source: asset.sourcePath)])
        let t = DTTemplate(value: assembly.stacks[0].template)
        XCTAssertEqual(t.props("AWS::Lambda::Function")["Code"], [
            "S3Bucket": ["Fn::Sub": "infra-assets-${AWS::AccountId}-${AWS::Region}"], "S3Key": .string("\(hash).zip"),
        ])
    }

    func testFunctionDefaultsAndLeastPrivilegeRole() throws {
        let app = App()
        let stack = Stack(app, "S")
        _ = Function(stack, "Fn", code: .inline("def handler(e, c): pass"), handler: "index.handler", runtime: .python3_12)
        let t = try DTTemplate(app)
        let fn = t.one("AWS::Lambda::Function")
        let logGroup = t.one("AWS::Logs::LogGroup")
        let role = t.one("AWS::IAM::Role")
        XCTAssertEqual(fn.body["Properties"], [
            "Architectures": ["x86_64"], "Code": ["ZipFile": "def handler(e, c): pass"], "Handler": "index.handler",
            "LoggingConfig": ["LogGroup": dtRef(logGroup.id)], "MemorySize": 128, "Role": dtGetAtt(role.id, "Arn"),
            "Runtime": "python3.12", "Timeout": 3,
        ])
        XCTAssertEqual(logGroup.body["Properties"], ["LogGroupName": "/aws/lambda/S/Fn", "RetentionInDays": 30])
        XCTAssertNil(role.body["Properties"]?["ManagedPolicyArns"])
        XCTAssertEqual(t.roleStatements("FnServiceRole"), [[
            "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": dtGetAtt(logGroup.id, "Arn"),
        ]])
        XCTAssertEqual(role.body["Properties"]?["AssumeRolePolicyDocument"]?["Statement"],
                       [["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": "sts:AssumeRole"]])
    }

    func testNamedFunctionLogGroupAndOptions() throws {
        let app = App()
        let stack = Stack(app, "S")
        let dlq = Queue(stack, "Dlq")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .nodejs20X, functionName: "preprocess",
                          memory: .mebibytes(1024), timeout: .seconds(60), architecture: .arm64, environment: ["MODE": "prod"],
                          logRetention: .days(7), reservedConcurrency: 5, tracing: .active, deadLetterQueue: dlq)
        fn.addEnvironment("TABLE", "jobs")
        let t = try DTTemplate(app)
        let p = t.props("AWS::Lambda::Function")
        XCTAssertEqual(p["FunctionName"], "preprocess")
        XCTAssertEqual(p["Architectures"], ["arm64"])
        XCTAssertEqual(p["Environment"], ["Variables": ["MODE": "prod", "TABLE": "jobs"]])
        XCTAssertEqual(p["ReservedConcurrentExecutions"], 5)
        XCTAssertEqual(p["TracingConfig"], ["Mode": "Active"])
        XCTAssertEqual(p["DeadLetterConfig"], ["TargetArn": dtGetAtt(t.one("AWS::SQS::Queue").id, "Arn")])
        XCTAssertEqual(t.props("AWS::Logs::LogGroup"), ["LogGroupName": "/aws/lambda/preprocess", "RetentionInDays": 7])
        let statements = t.roleStatements("FnServiceRole")
        XCTAssertTrue(statements.contains(["Effect": "Allow", "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Resource": "*"]))
        XCTAssertTrue(statements.contains(["Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dtGetAtt(t.one("AWS::SQS::Queue").id, "Arn")]))
    }

    func testFunctionInVpcHasSecurityGroupAndEniPermissions() throws {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12, vpc: DTStubVpc())
        XCTAssertEqual(fn.securityGroups.count, 1)
        let t = try DTTemplate(app)
        let sg = t.one("AWS::EC2::SecurityGroup")
        XCTAssertEqual(t.props("AWS::Lambda::Function")["VpcConfig"], [
            "SecurityGroupIds": [dtGetAtt(sg.id, "GroupId")], "SubnetIds": ["subnet-priv1", "subnet-priv2"],
        ])
        XCTAssertTrue(t.roleStatements("FnServiceRole").contains([
            "Effect": "Allow",
            "Action": ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                       "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"],
            "Resource": "*",
        ]))
    }

    func testSqsEventSourceGrantsConsume() throws {
        let app = App()
        let stack = Stack(app, "S")
        let queue = Queue(stack, "Jobs", visibilityTimeout: .seconds(60))
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12, timeout: .seconds(30))
        fn.addEventSource(queue: queue, batchSize: 5, reportBatchItemFailures: true)
        let t = try DTTemplate(app)
        let qId = t.one("AWS::SQS::Queue").id
        XCTAssertEqual(t.props("AWS::Lambda::EventSourceMapping"), [
            "BatchSize": 5, "EventSourceArn": dtGetAtt(qId, "Arn"), "FunctionName": dtRef(t.one("AWS::Lambda::Function").id),
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        ])
        XCTAssertTrue(t.roleStatements("FnServiceRole").contains([
            "Effect": "Allow",
            "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            "Resource": dtGetAtt(qId, "Arn"),
        ]))
    }

    func testEventSourceVisibilityTimeoutShorterThanFunctionTimeoutIsReported() {
        let app = App()
        let stack = Stack(app, "S")
        let queue = Queue(stack, "Jobs")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12, timeout: .seconds(60))
        fn.addEventSource(queue: queue, batchSize: 100)
        dtAssertError(app, path: "S/Fn", contains: "visibility timeout of queue S/Jobs (30 seconds) is shorter than the function timeout (1 minute)")
        dtAssertError(app, path: "S/Fn", contains: "needs a maxBatchingWindow above zero")
    }

    func testGrantInvokeAndImportedFunction() throws {
        let app = App()
        let stack = Stack(app, "S")
        let imported = Function.imported(stack, "Existing", arn: "arn:aws:lambda:eu-west-1:123456789012:function:resize")
        XCTAssertEqual(imported.functionName, "resize")
        let role = Role(stack, "Caller", assumedBy: "ecs-tasks.amazonaws.com")
        imported.grantInvoke(role)
        XCTAssertEqual(try DTTemplate(app).roleStatements("Caller"), [[
            "Effect": "Allow", "Action": "lambda:InvokeFunction",
            "Resource": ["arn:aws:lambda:eu-west-1:123456789012:function:resize", "arn:aws:lambda:eu-west-1:123456789012:function:resize:*"],
        ]])
    }

    func testContainerImageFunctions() throws {
        let context = try dtTempDir(self, files: ["Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\n", "app.py": "x"])
        let app = App()
        let stack = Stack(app, "S")
        _ = Function(stack, "Built", code: .imageDirectory(context), memory: .mebibytes(2048), timeout: .seconds(120), imageCommand: ["app.handler"])
        _ = Function(stack, "Pulled", code: .image(uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/inference:1"))
        let assembly = try app.synthesize()
        XCTAssertEqual(assembly.assets.count, 1)
        let asset = assembly.assets[0]
        XCTAssertEqual(asset.kind, .containerImage)
        XCTAssertEqual(asset.id, try Asset.hashDirectory(URL(fileURLWithPath: context).standardizedFileURL.path))
        XCTAssertEqual(asset.assemblyPath, "asset.\(asset.id)")
        XCTAssertNil(asset.stagedData)
        XCTAssertEqual(assembly.stacks[0].assets, [asset.id])
        let t = DTTemplate(value: assembly.stacks[0].template)
        let built = t.all("AWS::Lambda::Function").first { $0.id.hasPrefix("Built") }!.body["Properties"]!
        XCTAssertEqual(built["PackageType"], "Image")
        XCTAssertEqual(built["Code"], ["ImageUri": ["Fn::Sub": .string("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/infra-assets:\(asset.id)")]])
        XCTAssertEqual(built["ImageConfig"], ["Command": ["app.handler"]])
        XCTAssertNil(built["Handler"])
        XCTAssertNil(built["Runtime"])
        let pulled = t.all("AWS::Lambda::Function").first { $0.id.hasPrefix("Pulled") }!.body["Properties"]!
        XCTAssertEqual(pulled["Code"], ["ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/inference:1"])
    }

    func testFunctionValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Function(stack, "NoHandler", code: .inline("x"))
        _ = Function(stack, "Limits", code: .inline("x"), handler: "index.handler", runtime: .python3_12, memory: .mebibytes(64),
                     timeout: .seconds(901), environment: ["AWS_REGION": "x", "1BAD": "y"], logRetention: .days(10))
        _ = Function(stack, "Java", code: .inline("x"), handler: "a.B", runtime: .java21)
        _ = Function(stack, "Big", code: .inline(String(repeating: "x", count: Function.inlineCodeLimit + 1)),
                     handler: "index.handler", runtime: .python3_12)
        _ = Function(stack, "ImageWithRuntime", code: .image(uri: "repo:1"), handler: "x", runtime: .python3_12)
        let noVpc = Function(stack, "NoVpc", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        SecurityGroup.imported(stack, "Sg", groupId: "sg-1").connections(allowFrom: noVpc)
        dtAssertError(app, path: "S/NoHandler", contains: "needs a handler")
        dtAssertError(app, path: "S/NoHandler", contains: "needs a runtime")
        dtAssertError(app, path: "S/Limits", contains: "memory must be between 128 MiB and 10 GiB (got 64 MiB)")
        dtAssertError(app, path: "S/Limits", contains: "timeout must be between 1 second and 15 minutes (got 901 seconds)")
        dtAssertError(app, path: "S/Limits", contains: "environment variable 'AWS_REGION' is reserved")
        dtAssertError(app, path: "S/Limits", contains: "environment variable name '1BAD' is invalid")
        dtAssertError(app, path: "S/Limits", contains: "logRetention 10 days is not one CloudWatch Logs accepts")
        dtAssertError(app, path: "S/Java", contains: "inline code works only with Python and Node.js runtimes")
        dtAssertError(app, path: "S/Big", contains: "inline code is 4194305 bytes")
        dtAssertError(app, path: "S/ImageWithRuntime", contains: "do not pass them for a container image function")
        dtAssertError(app, path: "S/NoVpc", contains: "the function is not in a VPC")
    }
}

extension DTTemplate {
    init(value: Value) { self.template = Template(json: value) }
}

extension ImportedSecurityGroup {
    /// Allows traffic from `other` into an imported group (test helper).
    fileprivate func connections(allowFrom other: Connectable) {
        Connections(securityGroups: [self]).allow(from: other, port: .tcp(443))
    }
}
