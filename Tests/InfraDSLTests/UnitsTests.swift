import InfraDSL
import InfraTesting
import XCTest

/// `TimeSpan` and `MemorySize`: what they render as, and the synthesis error (construct path +
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
