import Foundation
import InfraCLI
import InfraDSL
import MLInference
import XCTest

/// Golden templates of the ml-inference stack (config/ml-inference.json and its variants), the
/// security relationships that matter, and configuration errors.
final class MLInferenceSnapshotTests: XCTestCase {
    static let certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    static let amplify: [(String, String)] = [
        ("HOSTING", "amplify"), ("AMPLIFY_REPOSITORY_URL", "https://github.com/example/iris-frontend"),
        ("AMPLIFY_ACCESS_TOKEN_SECRET", "ml-inference/github"), ("AMPLIFY_ACCESS_TOKEN_SECRET_FIELD", "token"),
    ]
    static let imageUri: [(String, String)] = [
        ("INFERENCE_IMAGE_URI", "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-model:2021-03"), ("INFERENCE_IMAGE_TAG", "null"),
    ]

    func testGoldenTemplates() throws {
        try Snapshot.check(config: "ml-inference.json")
        try Snapshot.check(config: "ml-inference.json", variant: "amplify", overrides: Self.amplify)
        try Snapshot.check(config: "ml-inference.json", variant: "custom-domain", overrides: [
            ("SITE_DOMAIN", "iris.example.com"), ("SITE_CERTIFICATE_ARN", Self.certificate),
            ("HOSTED_ZONE_ID", "Z0123456789ABCDEFGHIJ"), ("HOSTED_ZONE_NAME", "example.com"),
            ("CALLBACK_URLS", "[]"), ("LOGOUT_URLS", "[]"),
        ])
        try Snapshot.check(config: "ml-inference.json", variant: "image-uri", overrides: Self.imageUri + [
            ("TABLE_ENCRYPTION", "aws-managed"), ("API_CORS_ORIGINS", "https://iris.example.com"), ("ACCESS_LOG_RETENTION_DAYS", "null"),
        ])
        try Snapshot.check(config: "ml-inference.json", variant: "image-directory", overrides: [
            ("INFERENCE_IMAGE_DIRECTORY", "functions/ml-inference/inference"), ("INFERENCE_IMAGE_TAG", "null"),
            ("INFERENCE_ARCHITECTURE", "arm64"), ("INFERENCE_MEMORY_MB", "3008"), ("INFERENCE_RESERVED_CONCURRENCY", "5"),
        ])
        try Snapshot.check(config: "ml-inference.json", variant: "existing-repository", overrides: [
            ("INFERENCE_REPOSITORY_NAME", "ml/iris"), ("INFERENCE_IMAGE_TAG", "2021-03"), ("SELF_SIGN_UP", "true"),
            ("API_METHOD", "ANY"), ("API_ACCESS_LOGS", "true"), ("API_CLOUDWATCH_ROLE", "true"),
        ])
    }

    // MARK: Security relationships

    func testTheApiMethodUsesTheCognitoAuthorizer() throws {
        for overrides in [[], Self.amplify, [("API_METHOD", "ANY")]] {
            let t = try MLTemplate.synthesize(overrides: overrides)
            let pool = try t.id(prefix: "UserPool", type: "AWS::Cognito::UserPool")
            let authorizer = try t.id(prefix: "ApiCognitoAuthorizer", type: "AWS::ApiGateway::Authorizer")
            let a = t.properties(authorizer)
            XCTAssertEqual(a["Type"] as? String, "COGNITO_USER_POOLS")
            XCTAssertEqual(a["IdentitySource"] as? String, "method.request.header.Authorization")
            XCTAssertEqual(MLTemplate.json(a["ProviderARNs"]), "[{\"Fn::GetAtt\":[\"\(pool)\",\"Arn\"]}]")
            let methods = t.ids(type: "AWS::ApiGateway::Method").map { t.properties($0) }
            let open = methods.filter { $0["HttpMethod"] as? String != "OPTIONS" }
            XCTAssertEqual(open.count, 1)
            for m in open {
                XCTAssertEqual(m["AuthorizationType"] as? String, "COGNITO_USER_POOLS")
                XCTAssertEqual(MLTemplate.refTarget(m["AuthorizerId"]), authorizer)
                XCTAssertTrue(MLTemplate.json(m["Integration"]).contains("AWS_PROXY"))
            }
            for m in methods where m["HttpMethod"] as? String == "OPTIONS" {
                XCTAssertTrue(MLTemplate.json(m["Integration"]).contains("MOCK"), "only CORS preflights are open")
            }
        }
    }

    func testTheFunctionMayOnlyWriteTheTableWithItsKey() throws {
        let t = try MLTemplate.synthesize()
        let table = try t.id(prefix: "SubmissionsTable", type: "AWS::DynamoDB::Table")
        let key = try t.id(prefix: "SubmissionsTableKey", type: "AWS::KMS::Key")
        let statements = t.statements(ofRole: try t.functionRole("InferenceFunction"))
        XCTAssertEqual(Set(statements.flatMap(\.actions)), [
            "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*",
            "logs:CreateLogStream", "logs:PutLogEvents",
        ])
        for s in statements {
            if s.actions.contains(where: { $0.hasPrefix("dynamodb:") }) { XCTAssertEqual(s.resourceTargets, [table]) }
            if s.actions.contains(where: { $0.hasPrefix("kms:") }) { XCTAssertEqual(s.resourceTargets, [key]) }
        }
        // The table is encrypted with that key, which rotates and is administered through IAM only.
        let sse = try XCTUnwrap(t.properties(table)["SSESpecification"] as? [String: Any])
        XCTAssertEqual(sse["SSEEnabled"] as? Bool, true)
        XCTAssertEqual(MLTemplate.getAttTarget(sse["KMSMasterKeyId"]), key)
        XCTAssertEqual(t.properties(key)["EnableKeyRotation"] as? Bool, true)
        let keyPolicy = MLTemplate.json(t.properties(key)["KeyPolicy"])
        XCTAssertTrue(keyPolicy.contains(":root"))
        XCTAssertFalse(keyPolicy.contains("\"Principal\":\"*\""))
        XCTAssertEqual(t.resources[key]?["DeletionPolicy"] as? String, "Retain")
        XCTAssertEqual(t.resources[table]?["DeletionPolicy"] as? String, "Retain")

        // With the AWS managed key there is no key of the stack and no KMS grant.
        let managed = try MLTemplate.synthesize(overrides: [("TABLE_ENCRYPTION", "aws-managed")])
        XCTAssertTrue(managed.ids(type: "AWS::KMS::Key").isEmpty)
        XCTAssertFalse(managed.statements(ofRole: try managed.functionRole("InferenceFunction")).flatMap(\.actions).contains { $0.hasPrefix("kms:") })
    }

    func testTheClientIsAPublicSpaClientRedirectingToTheFrontend() throws {
        let t = try MLTemplate.synthesize()
        let client = t.properties(try t.id(prefix: "UserPoolWebClient", type: "AWS::Cognito::UserPoolClient"))
        XCTAssertEqual(client["GenerateSecret"] as? Bool, false)
        XCTAssertEqual(client["AllowedOAuthFlows"] as? [String], ["code"])
        XCTAssertEqual(client["AllowedOAuthFlowsUserPoolClient"] as? Bool, true)
        let distribution = try t.id(prefix: "SiteDistribution", type: "AWS::CloudFront::Distribution")
        for key in ["CallbackURLs", "LogoutURLs"] {
            let urls = MLTemplate.json(client[key])
            XCTAssertTrue(urls.hasPrefix("[\"http://localhost:3000/\","), urls)
            XCTAssertTrue(urls.contains("\"Fn::GetAtt\":[\"\(distribution)\",\"DomainName\"]"), urls)
        }
        let domain = t.properties(try t.id(prefix: "UserPoolHostedUiDomain", type: "AWS::Cognito::UserPoolDomain"))
        // Unique per account: a prefix is unique in the region across all accounts.
        XCTAssertEqual(MLTemplate.json(domain["Domain"]), #"{"Fn::Join":["",["ml-inference-login-",{"Ref":"AWS::AccountId"}]]}"#)
        let fixed = try MLTemplate.synthesize(overrides: [("AUTH_DOMAIN_PREFIX", "iris-login")])
        let fixedDomain = fixed.properties(try fixed.id(prefix: "UserPoolHostedUiDomain", type: "AWS::Cognito::UserPoolDomain"))
        XCTAssertEqual(fixedDomain["Domain"] as? String, "iris-login")

        // A custom domain is a literal redirect; with Amplify, the branch URL.
        let custom = try MLTemplate.synthesize(overrides: [
            ("SITE_DOMAIN", "iris.example.com"), ("SITE_CERTIFICATE_ARN", Self.certificate), ("CALLBACK_URLS", "[]"),
        ])
        let customClient = custom.properties(try custom.id(prefix: "UserPoolWebClient", type: "AWS::Cognito::UserPoolClient"))
        XCTAssertEqual(customClient["CallbackURLs"] as? [String], ["https://iris.example.com/"])
        let amplify = try MLTemplate.synthesize(overrides: Self.amplify)
        let app = try amplify.id(prefix: "FrontendApp", type: "AWS::Amplify::App")
        let amplifyClient = amplify.properties(try amplify.id(prefix: "UserPoolWebClient", type: "AWS::Cognito::UserPoolClient"))
        XCTAssertTrue(MLTemplate.json(amplifyClient["CallbackURLs"]).contains("\"https://main.\",{\"Fn::GetAtt\":[\"\(app)\",\"DefaultDomain\"]},\"/\""))
    }

    func testTheAmplifyTokenComesFromSecretsManagerOnly() throws {
        let t = try MLTemplate.synthesize(overrides: Self.amplify)
        let app = t.properties(try t.id(prefix: "FrontendApp", type: "AWS::Amplify::App"))
        XCTAssertEqual(app["AccessToken"] as? String, "{{resolve:secretsmanager:ml-inference/github:SecretString:token}}")
        XCTAssertNil(app["OauthToken"])
        // No parameter but the image gate: the token is never a template value.
        XCTAssertEqual(MLTemplate.json(t.root["Parameters"]).contains("Token"), false)
        XCTAssertEqual(app["Repository"] as? String, "https://github.com/example/iris-frontend")
        let branch = t.properties(try t.id(prefix: "FrontendBranch", type: "AWS::Amplify::Branch"))
        XCTAssertEqual(branch["Stage"] as? String, "PRODUCTION")
        let variables = MLTemplate.json(branch["EnvironmentVariables"])
        for name in ["REACT_APP_API_URL", "REACT_APP_USER_POOL_ID", "REACT_APP_USER_POOL_CLIENT_ID", "REACT_APP_AUTH_DOMAIN"] {
            XCTAssertTrue(variables.contains(name), name)
        }
        // No CloudFront or bucket in the Amplify variant.
        XCTAssertTrue(t.ids(type: "AWS::CloudFront::Distribution").isEmpty)
        XCTAssertTrue(t.ids(type: "AWS::S3::Bucket").isEmpty)

        // Other git hosts take the token as OauthToken; a whole-string secret has no field.
        let gitlab = try MLTemplate.synthesize(overrides: [
            ("HOSTING", "amplify"), ("AMPLIFY_REPOSITORY_URL", "https://gitlab.com/example/iris-frontend"),
            ("AMPLIFY_ACCESS_TOKEN_SECRET", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gitlab-AbCdEf"),
        ])
        let gitlabApp = gitlab.properties(try gitlab.id(prefix: "FrontendApp", type: "AWS::Amplify::App"))
        XCTAssertEqual(gitlabApp["OauthToken"] as? String,
                       "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:gitlab-AbCdEf:SecretString}}")
        XCTAssertNil(gitlabApp["AccessToken"])
    }

    func testRepositoryPolicyAndSiteBucketAreLeastPrivilege() throws {
        let t = try MLTemplate.synthesize()
        let repo = t.properties(try t.id(prefix: "InferenceRepository", type: "AWS::ECR::Repository"))
        let policy = try XCTUnwrap(repo["RepositoryPolicyText"] as? [String: Any])
        let statements = t.statementsOf(policy)
        XCTAssertEqual(statements.count, 1)
        XCTAssertEqual(statements[0].raw["Principal"] as? [String: String], ["Service": "lambda.amazonaws.com"])
        XCTAssertEqual(Set(statements[0].actions), ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
        XCTAssertTrue(MLTemplate.json(statements[0].raw["Condition"]).contains(":function:*"))
        XCTAssertEqual(repo["ImageTagMutability"] as? String, "IMMUTABLE")

        let siteBucket = try t.id(prefix: "SiteBucket", type: "AWS::S3::Bucket")
        let block = try XCTUnwrap(t.properties(siteBucket)["PublicAccessBlockConfiguration"] as? [String: Bool])
        XCTAssertEqual(block.values.filter { $0 }.count, 4)
        let bucketPolicy = try XCTUnwrap(t.ids(type: "AWS::S3::BucketPolicy").first {
            MLTemplate.refTarget(t.properties($0)["Bucket"]) == siteBucket
        })
        let allows = t.statementsOf((t.properties(bucketPolicy)["PolicyDocument"] as? [String: Any]) ?? [:]).filter { $0.effect == "Allow" }
        XCTAssertEqual(allows.map { $0.raw["Principal"] as? [String: String] }, [["Service": "cloudfront.amazonaws.com"]])
        XCTAssertEqual(allows.first?.actions, ["s3:GetObject"])
    }

    func testImageSources() throws {
        // A local build context is a container-image asset in the manifest.
        let (assembly, _) = try MLTemplate.assembly(overrides: [
            ("INFERENCE_IMAGE_DIRECTORY", "functions/ml-inference/inference"), ("INFERENCE_IMAGE_TAG", "null"),
        ])
        XCTAssertEqual(assembly.assets.map(\.kind), [.containerImage])
        XCTAssertEqual(assembly.stacks[0].assets, assembly.assets.map(\.id))
        XCTAssertTrue(try JSONRenderer.render(encoding: assembly.manifest(format: .json)).contains(assembly.assets[0].id))
        let t = try MLTemplate.synthesize(overrides: Self.imageUri)
        let fn = t.properties(try t.id(prefix: "InferenceFunction", type: "AWS::Lambda::Function"))
        XCTAssertEqual(fn["PackageType"] as? String, "Image")
        XCTAssertEqual(MLTemplate.json(fn["Code"]), "{\"ImageUri\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-model:2021-03\"}")
        XCTAssertTrue(t.ids(type: "AWS::ECR::Repository").isEmpty)
        XCTAssertEqual(fn["Timeout"] as? Int, 29)
    }

    func testTypedSettingsBuildTheSameTemplateAsTheConfigFile() throws {
        let app = App()
        try MLInferenceStack.build(app, stackName: "ml-inference", settings: .init(), region: "us-east-1",
                                   description: "ML inference: Cognito hosted UI, REST API with a Cognito authorizer, container-image Lambda with an encrypted DynamoDB table, React frontend on CloudFront or Amplify",
                                   tags: ["project": "ml-inference"])
        let typed = try app.synthesize()
        let (fromConfig, config) = try MLTemplate.assembly()
        XCTAssertEqual(try typed.render(typed.stacks[0], format: .json), try fromConfig.render(fromConfig.stacks[0], format: .json))
        XCTAssertEqual(try MLInferenceStack.Settings(config: config), MLInferenceStack.Settings())
        // Typed settings are validated too.
        var bad = MLInferenceStack.Settings()
        bad.hosting = .amplify
        XCTAssertThrowsError(try MLInferenceStack.build(App(), stackName: "x", settings: bad)) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "context.AMPLIFY_REPOSITORY_URL")
        }
    }

    // MARK: Configuration errors

    func testBadConfigurationNamesFileAndKey() throws {
        func expectError(_ overrides: [(String, String)], key: String, contains text: String, line: UInt = #line) {
            XCTAssertThrowsError(try MLTemplate.synthesize(overrides: overrides), line: line) { error in
                guard let e = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)", line: line) }
                XCTAssertEqual(e.file, "config/ml-inference.json", line: line)
                XCTAssertEqual(e.key, key, line: line)
                XCTAssertTrue(e.message.contains(text), "\(e.message)", line: line)
            }
        }
        expectError([("HOSTNIG", "amplify")], key: "context.HOSTNIG", contains: "unknown key")
        expectError([("HOSTING", "s3")], key: "context.HOSTING", contains: "is not one of: cloudfront, amplify")
        expectError([("HOSTING", "amplify")], key: "context.AMPLIFY_REPOSITORY_URL", contains: "required with HOSTING amplify")
        expectError([("HOSTING", "amplify"), ("AMPLIFY_REPOSITORY_URL", "https://github.com/example/app")],
                    key: "context.AMPLIFY_ACCESS_TOKEN_SECRET", contains: "required with HOSTING amplify")
        expectError([("HOSTING", "amplify"), ("AMPLIFY_REPOSITORY_URL", "https://github.com/example/app"),
                     ("AMPLIFY_ACCESS_TOKEN_SECRET", "ghp_abcdefghijklmnopqrstuvwxyz0123456789")],
                    key: "context.AMPLIFY_ACCESS_TOKEN_SECRET", contains: "looks like a token itself")
        expectError([("HOSTING", "amplify"), ("AMPLIFY_REPOSITORY_URL", "https://user:pw@github.com/example/app"),
                     ("AMPLIFY_ACCESS_TOKEN_SECRET", "github")], key: "context.AMPLIFY_REPOSITORY_URL", contains: "must not embed credentials")
        expectError(Self.amplify + [("SITE_DOMAIN", "iris.example.com")], key: "context.SITE_DOMAIN", contains: "only used with HOSTING cloudfront")
        expectError([("AMPLIFY_BRANCH", "main"), ("AMPLIFY_REPOSITORY_URL", "https://github.com/example/app")],
                    key: "context.AMPLIFY_REPOSITORY_URL", contains: "only used with HOSTING amplify")
        expectError([("INFERENCE_IMAGE_URI", "iris:latest"), ("INFERENCE_IMAGE_TAG", "null")],
                    key: "context.INFERENCE_IMAGE_URI", contains: "not an ECR image URI")
        expectError([("INFERENCE_IMAGE_URI", "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:1")],
                    key: "context.INFERENCE_IMAGE_TAG", contains: "set it to null")
        expectError(Self.imageUri + [("INFERENCE_IMAGE_DIRECTORY", "functions/ml-inference/inference")],
                    key: "context.INFERENCE_IMAGE_DIRECTORY", contains: "not both")
        expectError([("INFERENCE_IMAGE_DIRECTORY", "functions/data-label/save"), ("INFERENCE_IMAGE_TAG", "null")],
                    key: "context.INFERENCE_IMAGE_DIRECTORY", contains: "not a folder with a Dockerfile")
        expectError([("INFERENCE_TIMEOUT_SECONDS", "0")], key: "context.INFERENCE_TIMEOUT_SECONDS", contains: "between 1 and 900")
        expectError([("INFERENCE_MEMORY_MB", "lots")], key: "context.INFERENCE_MEMORY_MB", contains: "must be an integer")
        expectError([("AUTH_DOMAIN_PREFIX", "my-aws-login")], key: "context.AUTH_DOMAIN_PREFIX", contains: "reserved word 'aws'")
        expectError([("CALLBACK_URLS", "http://iris.example.com/")], key: "context.CALLBACK_URLS", contains: "must be an https URL")
        expectError([("TABLE_ENCRYPTION", "none")], key: "context.TABLE_ENCRYPTION", contains: "is not one of")
        expectError([("API_METHOD", "post")], key: "context.API_METHOD", contains: "is not one of")
        expectError([("SITE_DOMAIN", "iris.example.com"), ("SITE_CERTIFICATE_ARN", "arn:aws:acm:eu-west-1:123456789012:certificate/x")],
                    key: "context.SITE_CERTIFICATE_ARN", contains: "us-east-1")
    }
}

/// A synthesized ml-inference template, parsed, with lookups for the assertions above.
private struct MLTemplate {
    let text: String
    let root: [String: Any]
    var resources: [String: [String: Any]] { (root["Resources"] as? [String: [String: Any]]) ?? [:] }

    static func config(overrides: [(String, String)] = []) throws -> StackConfig {
        let url = Snapshot.root.appendingPathComponent("config/ml-inference.json")
        var cfg = try StackConfig.parse(String(contentsOf: url, encoding: .utf8), file: "config/ml-inference.json")
        cfg.applyOverrides(overrides)
        return cfg
    }

    static func assembly(overrides: [(String, String)] = []) throws -> (CloudAssembly, StackConfig) {
        let cfg = try config(overrides: overrides)
        let app = App()
        try MLInferenceStack.build(app, config: cfg)
        return (try app.synthesize(), cfg)
    }

    static func synthesize(overrides: [(String, String)] = []) throws -> MLTemplate {
        let (assembly, _) = try assembly(overrides: overrides)
        let text = try assembly.render(assembly.stacks[0], format: .json)
        let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        return MLTemplate(text: text, root: root)
    }

    func ids(type: String) -> [String] {
        resources.filter { $0.value["Type"] as? String == type }.map(\.key).sorted()
    }

    func id(prefix: String, type: String) throws -> String {
        let found = ids(type: type).filter { $0.hasPrefix(prefix) }
        guard found.count == 1 else { throw MLError("expected one \(type) with prefix \(prefix), found \(found)") }
        return found[0]
    }

    func properties(_ id: String) -> [String: Any] { (resources[id]?["Properties"] as? [String: Any]) ?? [:] }

    func functionRole(_ name: String) throws -> String {
        let fn = try id(prefix: name, type: "AWS::Lambda::Function")
        guard let role = Self.getAttTarget(properties(fn)["Role"]) else { throw MLError("\(fn) has no role") }
        return role
    }

    struct Statement {
        let raw: [String: Any]
        var effect: String { raw["Effect"] as? String ?? "" }
        var actions: [String] { (raw["Action"] as? [String]) ?? [(raw["Action"] as? String)].compactMap { $0 } }
        var resources: [Any] { (raw["Resource"] as? [Any]) ?? [raw["Resource"]].compactMap { $0 } }
        var resourceTargets: [String] {
            Array(Set(resources.compactMap { MLTemplate.getAttTarget($0) ?? MLTemplate.firstGetAtt(in: $0) })).sorted()
        }
    }

    func statementsOf(_ document: [String: Any]) -> [Statement] {
        ((document["Statement"] as? [[String: Any]]) ?? []).map(Statement.init)
    }

    func statements(ofRole role: String) -> [Statement] {
        let policies = (properties(role)["Policies"] as? [[String: Any]]) ?? []
        return policies.flatMap { statementsOf(($0["PolicyDocument"] as? [String: Any]) ?? [:]) }
    }

    static func getAttTarget(_ value: Any?) -> String? {
        ((value as? [String: Any])?["Fn::GetAtt"] as? [Any])?.first as? String
    }

    static func refTarget(_ value: Any?) -> String? { (value as? [String: Any])?["Ref"] as? String }

    static func firstGetAtt(in value: Any) -> String? {
        if let t = getAttTarget(value) { return t }
        if let d = value as? [String: Any] { for v in d.values { if let t = firstGetAtt(in: v) { return t } } }
        if let a = value as? [Any] { for v in a { if let t = firstGetAtt(in: v) { return t } } }
        return nil
    }

    static func json(_ value: Any?) -> String {
        guard let value else { return "" }
        if let s = value as? String { return s }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }
}

private struct MLError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
