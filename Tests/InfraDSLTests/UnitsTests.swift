import InfraDSL
import InfraTesting
import XCTest

/// `TimeSpan` and `DataSize` (alias `MemorySize`): what they render as, and the synthesis error (construct path +
/// property) for a value a CloudFormation property cannot express.
final class UnitsTests: XCTestCase {
    func testTimeSpanArithmeticAndDescription() {
        XCTAssertEqual(TimeSpan.minutes(5).seconds, 300)
        XCTAssertEqual(TimeSpan.hours(12).seconds, 43_200)
        XCTAssertEqual(TimeSpan.days(14).seconds, 1_209_600)
        XCTAssertEqual(TimeSpan.days(14).count(of: .days), 14)
        XCTAssertEqual(TimeSpan.seconds(90).count(of: .minutes), 1)
        XCTAssertFalse(TimeSpan.seconds(90).isWhole(.minutes))
        XCTAssertTrue(TimeSpan.seconds(120).isWhole(.minutes))
        XCTAssertEqual(TimeSpan.seconds(90).description, "90 seconds")
        XCTAssertEqual(TimeSpan.seconds(120).description, "2 minutes")
        XCTAssertEqual(TimeSpan.days(1).description, "1 day")
        XCTAssertEqual(TimeSpan.hours(36).description, "36 hours")
        XCTAssertEqual(TimeSpan.zero.description, "0 seconds")
        XCTAssertTrue(TimeSpan.minutes(1) < .seconds(61))
        XCTAssertEqual(TimeSpan.minutes(60), .hours(1))
    }

    func testSwiftDurationConvertsWhenWholeSeconds() {
        XCTAssertEqual(TimeSpan(exactly: .seconds(30)), .seconds(30))
        XCTAssertEqual(TimeSpan(exactly: .milliseconds(2000)), .seconds(2))
        XCTAssertNil(TimeSpan(exactly: .milliseconds(1500)))
        XCTAssertEqual(TimeSpan.minutes(2).duration, .seconds(120))
    }

    func testMemorySize() {
        XCTAssertEqual(MemorySize.gibibytes(6).mebibytes, 6144)
        XCTAssertEqual(MemorySize.mebibytes(6144).description, "6 GiB")
        XCTAssertEqual(MemorySize.mebibytes(1536).description, "1536 MiB")
        XCTAssertTrue(MemorySize.mebibytes(512) < .gibibytes(1))
        XCTAssertEqual(DataSize.gibibytes(50).count(of: .gibibytes), 50)
        XCTAssertTrue(DataSize.mebibytes(2048).isWhole(.gibibytes))
        XCTAssertFalse(DataSize.mebibytes(1536).isWhole(.gibibytes))
        XCTAssertEqual(DataSize.mebibytes(1536).problem("size", unit: .gibibytes),
                       "size 1536 MiB is not a whole number of GiB (CloudFormation takes size in GiB)")
        XCTAssertNil(DataSize.gibibytes(30).problem("size", unit: .gibibytes, in: .gibibytes(30)...(.gibibytes(40))))
    }

    func testStorageSizesRenderInWholeGiB() throws {
        let app = App()
        let stack = Stack(app, "S")
        _ = Cluster(stack, "Cluster", vpc: Vpc(stack, "Vpc", flowLogs: nil), ec2Capacity: Ec2CapacityOptions(rootVolumeSize: .gibibytes(40)))
        TaskDefinition(stack, "Task", ephemeralStorage: .mebibytes(51_200)).addContainer("app", image: .fromRegistry("nginx"))
        let t = try Template(app: app, stack: "S")
        t.hasResourceProperties("AWS::ECS::TaskDefinition", ["EphemeralStorage": ["SizeInGiB": 50]])
        t.hasResourceProperties("AWS::EC2::LaunchTemplate", ["LaunchTemplateData": ["BlockDeviceMappings": [["Ebs": ["VolumeSize": 40]]]]])
    }

    func testAStorageSizeThePropertyCannotExpressIsASynthesisErrorNamingPathAndProperty() {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        _ = Cluster(stack, "Fraction", vpc: vpc, ec2Capacity: Ec2CapacityOptions(rootVolumeSize: .mebibytes(40_000)))
        _ = Cluster(stack, "Huge", vpc: vpc, ec2Capacity: Ec2CapacityOptions(rootVolumeSize: .gibibytes(20_000)))
        _ = Cluster(stack, "Small", vpc: vpc, ec2Capacity: Ec2CapacityOptions(rootVolumeSize: .gibibytes(8)))
        TaskDefinition(stack, "Fargate20", ephemeralStorage: .gibibytes(20)).addContainer("app", image: .fromRegistry("nginx"))
        TaskDefinition(stack, "Fargate201", ephemeralStorage: .gibibytes(201)).addContainer("app", image: .fromRegistry("nginx"))
        TaskDefinition(stack, "FargateHalf", ephemeralStorage: .mebibytes(30_208)).addContainer("app", image: .fromRegistry("nginx"))
        TaskDefinition(stack, "Ec2", compatibility: .ec2, memory: .gibibytes(1), ephemeralStorage: .gibibytes(30))
            .addContainer("app", image: .fromRegistry("nginx"))
        dtAssertError(app, path: "S/Fraction", contains: "rootVolumeSize 40000 MiB is not a whole number of GiB (CloudFormation takes rootVolumeSize in GiB)")
        dtAssertError(app, path: "S/Huge", contains: "rootVolumeSize must be between 30 GiB and 16384 GiB (got 20000 GiB)")
        dtAssertError(app, path: "S/Small", contains: "rootVolumeSize 8 GiB: the ECS-optimized AMI needs a root volume of at least 30 GiB")
        dtAssertError(app, path: "S/Fargate20", contains: "ephemeralStorage must be between 21 GiB and 200 GiB (got 20 GiB)")
        dtAssertError(app, path: "S/Fargate201", contains: "ephemeralStorage must be between 21 GiB and 200 GiB (got 201 GiB)")
        dtAssertError(app, path: "S/FargateHalf", contains: "ephemeralStorage 30208 MiB is not a whole number of GiB")
        dtAssertError(app, path: "S/Ec2", contains: "ephemeralStorage applies to Fargate tasks only")
    }

    func testUnitFreeValuesRenderInThePropertysUnit() throws {
        let app = App()
        let stack = Stack(app, "S")
        let queue = Queue(stack, "Jobs", visibilityTimeout: .minutes(5), retentionPeriod: .days(4), deliveryDelay: .seconds(10))
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12,
                          memory: .gibibytes(2), timeout: .minutes(1), logRetention: .days(14))
        fn.addEventSource(queue: queue, maxBatchingWindow: .seconds(20))
        let pool = UserPool(stack, "Pool")
        _ = UserPoolClient(stack, "Client", userPool: pool, accessTokenValidity: .hours(2), refreshTokenValidity: .days(7))
        let t = try Template(app: app, stack: "S")
        t.hasResourceProperties("AWS::SQS::Queue", ["VisibilityTimeout": 300, "MessageRetentionPeriod": 345_600, "DelaySeconds": 10])
        t.hasResourceProperties("AWS::Lambda::Function", ["MemorySize": 2048, "Timeout": 60])
        t.hasResourceProperties("AWS::Logs::LogGroup", ["RetentionInDays": 14])
        t.hasResourceProperties("AWS::Lambda::EventSourceMapping", ["MaximumBatchingWindowInSeconds": 20])
        t.hasResourceProperties("AWS::Cognito::UserPoolClient", ["AccessTokenValidity": 120, "RefreshTokenValidity": 7])
    }

    func testASpanThePropertyCannotExpressIsASynthesisErrorNamingPathAndProperty() {
        let app = App()
        let stack = Stack(app, "S")
        let pool = UserPool(stack, "Pool")
        _ = UserPoolClient(stack, "Client", userPool: pool, accessTokenValidity: .seconds(90), refreshTokenValidity: .hours(36))
        _ = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12, logRetention: .hours(36))
        _ = Bucket(stack, "B", lifecycleRules: [.init(expiration: .hours(12))])
        _ = DatabaseCluster(stack, "Db", engine: .auroraPostgres(), vpc: DTStubVpc(), backupRetention: .hours(48))
        dtAssertError(app, path: "S/Client", contains: "accessTokenValidity 90 seconds is not a whole number of minutes (CloudFormation takes accessTokenValidity in minutes)")
        dtAssertError(app, path: "S/Client", contains: "refreshTokenValidity 36 hours is not a whole number of days")
        dtAssertError(app, path: "S/Fn", contains: "logRetention 36 hours is not one CloudWatch Logs accepts (days: 1, 3, 5, 7, 14, 30")
        dtAssertError(app, path: "S/B", contains: "lifecycle rule 0: expiration 12 hours is not a whole number of days")
        XCTAssertFalse(dtSynthesisErrors(app).contains { $0.hasPrefix("S/Db:") && $0.contains("backupRetention") },
                       "48 hours are 2 whole days")
    }

    func testMemoryOutsideWhatFargateOffersNamesTheTask() {
        let app = App()
        let stack = Stack(app, "S")
        TaskDefinition(stack, "Task", cpu: 256, memory: .gibibytes(4)).addContainer("app", image: .fromRegistry("nginx"))
        dtAssertError(app, path: "S/Task", contains: "Fargate does not offer 4096 MiB with 256 CPU units")
    }
}
