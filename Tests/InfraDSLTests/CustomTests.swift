import InfraDSL
import XCTest

final class CustomTests: XCTestCase {
    func testCustomResourceInitializesTheDatabase() throws {
        let code = try dtTempDir(self, files: ["index.js": "exports.handler = async () => {}\n"])
        let app = App()
        let stack = Stack(app, "S")
        let vpc = DTStubVpc()
        let db = DatabaseCluster(stack, "Db", engine: .auroraPostgres(), vpc: vpc, databaseName: "labeling")
        let initFn = Function(stack, "DbInit", code: .directory(code), handler: "index.handler", runtime: .nodejs20X,
                              timeout: .seconds(300), vpc: vpc)
        db.secret.grantRead(initFn)
        db.connections.allow(from: initFn, port: .tcp(db.port))
        let run = CustomResource(stack, "InitDatabase", resourceType: "DbInit", provider: initFn,
                                 properties: ["SecretArn": db.secret.secretArn.value, "DatabaseName": "labeling"])
        run.addDependency(db)
        let t = try DTTemplate(app)
        let cr = t.one("Custom::DbInit")
        let fnId = t.all("AWS::Lambda::Function").first { $0.id.hasPrefix("DbInit") }!.id
        XCTAssertEqual(cr.body["Properties"], [
            "ServiceToken": dtGetAtt(fnId, "Arn"), "DatabaseName": "labeling",
            "SecretArn": dtRef(t.one("AWS::SecretsManager::SecretTargetAttachment").id),
            "CodeHash": .string(try DeterministicZip.contentHash(directory: code)),
        ])
        // It waits for the whole database: cluster, instance and the ingress rule of the function.
        guard case .array(let deps)? = cr.body["DependsOn"] else { return XCTFail("no DependsOn") }
        for type in ["AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::EC2::SecurityGroupIngress"] {
            XCTAssertTrue(deps.contains(.string(t.one(type).id)), "does not wait for \(type)")
        }
        let ingress = t.props("AWS::EC2::SecurityGroupIngress")
        XCTAssertEqual(ingress["FromPort"], 5432)
        XCTAssertEqual(ingress["SourceSecurityGroupId"], dtGetAtt(t.all("AWS::EC2::SecurityGroup").first { $0.id.hasPrefix("DbInit") }!.id, "GroupId"))
    }

    func testCodeChangeChangesTheCodeHash() throws {
        func hash(_ source: String) throws -> Value? {
            let app = App()
            let stack = Stack(app, "S")
            let fn = Function(stack, "Fn", code: .inline(source), handler: "index.handler", runtime: .python3_12)
            _ = CustomResource(stack, "Run", resourceType: "Seed", provider: fn)
            return try DTTemplate(app).props("Custom::Seed")["CodeHash"]
        }
        XCTAssertEqual(try hash("a"), try hash("a"))
        XCTAssertNotEqual(try hash("a"), try hash("b"))

        let app = App()
        let stack = Stack(app, "S")
        let imported = Function.imported(stack, "Existing", arn: "arn:aws:lambda:eu-west-1:123456789012:function:seed")
        _ = CustomResource(stack, "Run", resourceType: "Seed", provider: imported, version: "3", removalPolicy: .retain)
        let cr = try DTTemplate(app).one("Custom::Seed")
        XCTAssertEqual(cr.body["Properties"], ["ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:seed", "CodeHash": "3"])
        XCTAssertEqual(cr.body["DeletionPolicy"], "Retain")
    }

    func testCustomResourceValidation() {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        _ = CustomResource(stack, "BadType", resourceType: "Db::Init", provider: fn)
        _ = CustomResource(stack, "Reserved", resourceType: "Seed", provider: fn, properties: ["ServiceToken": "x", "a.b": "y"])
        dtAssertError(app, path: "S/BadType", contains: "resourceType 'Db::Init' is invalid")
        dtAssertError(app, path: "S/Reserved", contains: "property 'ServiceToken' is set by the construct")
        dtAssertError(app, path: "S/Reserved", contains: "property name 'a.b' is invalid")
    }
}

/// Synthesizes the four architectures' serverless parts with every construct of the Data,
/// Messaging, Functions, API, Auth and Custom areas, and writes the templates to
/// /tmp/data-demo/*.json for `cfn-lint /tmp/data-demo/*.json`.
final class DataDemoTests: XCTestCase {
    func testDemoAppSynthesizesForLinting() throws {
        let code = try dtTempDir(self, files: ["index.py": "def handler(event, context):\n    return {}\n"])
        let image = try dtTempDir(self, files: ["Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\nCMD [\"app.handler\"]\n",
                                                 "app.py": "def handler(event, context):\n    return {}\n"])
        let vpc = DTStubVpc([
            .public: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
            .privateWithEgress: ["subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"],
            .isolated: ["subnet-0a1b2c3d4e5f60005", "subnet-0a1b2c3d4e5f60006"],
        ])
        let app = App()

        // 000: Aurora PostgreSQL initialized by a custom resource in the VPC.
        let labeling = Stack(app, "LabelingData")
        let pg = DatabaseCluster(labeling, "Database", engine: .auroraPostgres(), vpc: vpc, databaseName: "doccano",
                                 cloudwatchLogsExports: ["postgresql"])
        let dbInit = Function(labeling, "DbInitializer", code: .directory(code), handler: "index.handler", runtime: .python3_12,
                              timeout: .seconds(300), vpc: vpc)
        pg.secret.grantRead(dbInit)
        pg.connections.allow(from: dbInit, port: .tcp(pg.port))
        let initRun = CustomResource(labeling, "InitDatabase", resourceType: "DbInit", provider: dbInit,
                                     properties: ["SecretArn": pg.secret.secretArn.value, "DatabaseName": "doccano"])
        initRun.addDependency(pg)
        _ = Output(labeling, "DatabaseEndpoint", value: pg.clusterEndpoint.socketAddress)

        // 001: DynamoDB, SQS -> Lambda -> SNS -> (SQS, Lambda -> S3), SPA, API + Lambda.
        let dataLabel = Stack(app, "DataLabelServerless")
        let seen = Table(dataLabel, "SeenJobs", partitionKey: .init("id", .string), timeToLiveAttribute: "expires")
        let dlq = Queue(dataLabel, "RawJobsDLQ")
        let raw = Queue(dataLabel, "RawJobs", visibilityTimeout: .seconds(120), deadLetterQueue: .init(queue: dlq, maxReceiveCount: 5))
        let processed = Topic(dataLabel, "Processed")
        let preprocess = Function(dataLabel, "Preprocess", code: .directory(code), handler: "index.handler", runtime: .python3_12,
                                  timeout: .seconds(60), environment: ["TOPIC_ARN": processed.topicArn, "TABLE": seen.tableName])
        preprocess.addEventSource(queue: raw, batchSize: 10)
        processed.grantPublish(preprocess)
        seen.grantReadWriteData(preprocess)
        let toLabel = Queue(dataLabel, "ToLabel")
        processed.addSubscription(queue: toLabel, rawMessageDelivery: true)
        let archive = Bucket(dataLabel, "Archive", versioned: true, lifecycleRules: [.init(transitions: [(.glacierInstantRetrieval, .days(90))])])
        let archiver = Function(dataLabel, "Archiver", code: .directory(code), handler: "index.handler", runtime: .python3_12,
                                environment: ["BUCKET": archive.bucketName])
        archive.grantPut(archiver)
        processed.addSubscription(function: archiver)
        let site = StaticSite(dataLabel, "WebApp", singlePageApp: true)
        let backend = Function(dataLabel, "Backend", code: .directory(code), handler: "index.handler", runtime: .python3_12,
                               environment: ["QUEUE_URL": toLabel.queueUrl, "LABELS": archive.bucketName])
        toLabel.grantConsumeMessages(backend)
        archive.grantReadWrite(backend, objectsKeyPattern: "labels/*")
        let api = RestApi(dataLabel, "Api", defaultCors: .init(allowOrigins: ["https://app.example.com", "http://localhost:3000"]),
                          tracing: true, accessLogging: true)
        let jobs = api.root.addResource("jobs")
        jobs.addMethod("GET", integration: .lambdaProxy(backend))
        jobs.addResource("{id}").addMethod("POST", integration: .lambdaProxy(backend))
        api.root.addResource("health").addMethod("GET", integration: .mock())
        _ = Output(dataLabel, "SiteUrl", value: site.url)
        _ = Output(dataLabel, "ApiUrl", value: api.url)

        // 002: seven buckets, container-image functions triggered by uploads, Aurora MySQL.
        let coral = Stack(app, "CoralServerless")
        let names = ["images-raw", "images-treated", "images-reframed", "images-segmented", "images-masks", "model-reframing", "model-segmentation"]
        let buckets = names.map { Bucket(coral, LogicalID.sanitize($0.capitalized), removalPolicy: .retain) }
        let mysql = DatabaseCluster(coral, "Statistics", engine: .auroraMysql(), vpc: vpc, capacity: .provisioned(), databaseName: "coral")
        for (i, step) in ["Restoration", "Reframing", "Segmentation"].enumerated() {
            let fn = Function(coral, step, code: .imageDirectory(image), memory: .mebibytes(3008), timeout: .seconds(300),
                              environment: ["SOURCE": buckets[i].bucketName, "TARGET": buckets[i + 1].bucketName,
                                            "DB_SECRET": mysql.secret.secretArn], vpc: vpc)
            buckets[i].grantRead(fn)
            buckets[i + 1].grantPut(fn)
            mysql.secret.grantRead(fn)
            mysql.connections.allow(from: fn, port: .tcp(mysql.port))
            buckets[i].addEventNotification(.objectCreated, function: fn)
        }
        buckets[5].grantRead(coral.child("Reframing") as! Function)
        let named = Bucket(coral, "Uploads", bucketName: "coral-uploads-example-0001", removalPolicy: .retain)
        let intake = Function(coral, "Intake", code: .image(uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/intake:1"))
        named.grantRead(intake)
        named.addEventNotification(.objectCreated, function: intake, suffix: ".jpg")

        // 004: Cognito, encrypted DynamoDB, container-image inference behind a Cognito-authorized API.
        let ml = Stack(app, "InferenceApp")
        let users = UserPool(ml, "Users", selfSignUp: true)
        let web = users.addClient("Web", oauth: .init(callbackUrls: ["https://app.example.com/"], logoutUrls: ["https://app.example.com/"]))
        let domain = users.addDomain("Hosted", cognitoDomainPrefix: "inference-demo-login")
        let records = Table(ml, "Requests", partitionKey: .init("user", .string), sortKey: .init("at", .number))
        let inference = Function(ml, "Inference", code: .imageDirectory(image), memory: .mebibytes(2048), timeout: .seconds(30),
                                 environment: ["TABLE": records.tableName])
        records.grantWriteData(inference)
        let mlApi = RestApi(ml, "Api", defaultCors: .init(allowOrigins: ["https://app.example.com"], allowCredentials: true))
        mlApi.defaultAuthorizer = mlApi.addCognitoAuthorizer("Authorizer", userPools: [users])
        mlApi.root.addResource("predict").addMethod("POST", integration: .lambdaProxy(inference))
        let frontend = StaticSite(ml, "Frontend", singlePageApp: true)
        let apiKey = Secret(ml, "ThirdPartyKey", description: "Key of an external service")
        apiKey.grantRead(inference)
        _ = Output(ml, "ClientId", value: web.clientId)
        _ = Output(ml, "SignIn", value: domain.signInUrl(client: web, redirectUri: "https://app.example.com/"))
        _ = Output(ml, "FrontendUrl", value: frontend.url)

        let assembly = try app.synthesize()
        XCTAssertEqual(assembly.stacks.count, 4)
        let out = URL(fileURLWithPath: "/tmp/data-demo")
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let yaml = out.appendingPathComponent("yaml")
        try FileManager.default.createDirectory(at: yaml, withIntermediateDirectories: true)
        for s in assembly.stacks {
            try assembly.render(s, format: .json).write(to: out.appendingPathComponent("\(s.stackName).json"), atomically: true, encoding: .utf8)
            try assembly.render(s, format: .yaml).write(to: yaml.appendingPathComponent("\(s.stackName).yaml"), atomically: true, encoding: .utf8)
        }
    }
}
