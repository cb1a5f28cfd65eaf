import Foundation
import InfraDSL

/// The ML inference application (seed 004): a React frontend where signed-in users submit data,
/// a container-image Lambda that returns the model's prediction and stores the submission in an
/// encrypted DynamoDB table, behind a REST API that only accepts Cognito tokens.
///
/// ```
///  browser ──► frontend: CloudFront + private S3 bucket   (HOSTING cloudfront, default)
///          │         or Amplify app + branch built from git (HOSTING amplify)
///          ├──► Cognito hosted UI (AUTH_DOMAIN_PREFIX) ─► user pool ─► ID token
///          └──► API Gateway REST  <API_METHOD> /<API_RESOURCE_PATH>  (Cognito authorizer, CORS)
///                        │ Lambda proxy
///                        ▼
///               Lambda (container image: scikit-learn model) ──PutItem──► DynamoDB (KMS)
/// ```
///
/// - **Authentication**: a user pool (email sign-in, strong passwords, optional TOTP MFA; only
///   administrators create users unless `SELF_SIGN_UP`; `USER_POOL_NAME`), an app client for a
///   single-page app (no secret, SRP sign-in, OAuth authorization code flow with `openid`,
///   `email`, `profile`; callback and sign-out URLs `CALLBACK_URLS` / `LOGOUT_URLS` plus the
///   frontend's own URL, which the stack adds) and the hosted UI domain `AUTH_DOMAIN_PREFIX`
///   (default `<stack name>-login-<account id>`: a prefix is unique in the region across all
///   accounts, so a fixed default would be taken by whoever deployed first).
///   The seed uses the hosted UI, so does this stack.
/// - **Data**: a table keyed by `TABLE_PARTITION_KEY` (string), on demand, point-in-time
///   recovery, retained on stack deletion, encrypted at rest with a customer managed KMS key
///   created here (`TABLE_ENCRYPTION` `customer-managed`: yearly rotation, key retained with
///   the data, alias `alias/<stackName>-submissions`) or with `aws/dynamodb` (`aws-managed`).
/// - **Inference**: a container-image Lambda (`INFERENCE_MEMORY_MB`, `INFERENCE_TIMEOUT_SECONDS`
///   default 29 s because API Gateway stops waiting then, `INFERENCE_ARCHITECTURE`, optional
///   `INFERENCE_RESERVED_CONCURRENCY`) whose role
///   may only write items to the table (and use its key) and write its own logs. Its
///   environment: `TABLE_NAME`, `TABLE_PARTITION_KEY`, `CORS_ORIGINS`. The image comes from, in order: a local
///   Docker build context `INFERENCE_IMAGE_DIRECTORY` (built and pushed by `infra deploy`; an
///   example is `functions/ml-inference/inference`), a full ECR image URI
///   `INFERENCE_IMAGE_URI`, an existing repository `INFERENCE_REPOSITORY_NAME`, or (default) a
///   repository the stack creates (name generated), at tag `INFERENCE_IMAGE_TAG` (immutable
///   tags unless the tag is `latest`, scanned on push, newest 10 kept, retained; its policy lets
///   Lambda pull, only for functions of this account and region). With a repository created
///   here, the function cannot be created before the image exists, so it is image-gated
///   (`InferenceImageReady`, see `ImageGate`): the first `infra deploy` creates everything but
///   the function and its API method (the API is deployed with its CORS preflight only) and
///   prints the push commands; after the push, `infra deploy` again creates the function, the
///   method and a new API deployment. An existing repository's policy must let `lambda.amazonaws.com`
///   pull (Lambda adds that itself when the deploying role may call `ecr:SetRepositoryPolicy`).
/// - **API**: a regional REST API, stage `API_STAGE_NAME`, throttled to `API_THROTTLE_RATE`
///   requests per second (bursts `API_THROTTLE_BURST`), X-Ray tracing (`API_TRACING`), access
///   logs with `API_ACCESS_LOGS` (the account's API Gateway CloudWatch role must exist;
///   `API_CLOUDWATCH_ROLE` creates it), one method `API_METHOD /API_RESOURCE_PATH` (default
///   `POST /predict`) authorized by the user pool's ID token in the `Authorization` header
///   (as in the seed). CORS: preflight answers and the 4XX/5XX gateway responses (so browsers
///   see authorizer rejections) allow `API_CORS_ORIGINS` (default `https://<SITE_DOMAIN>`,
///   otherwise `*`; tokens travel in a header, not cookies, so no credentials mode is needed);
///   the function must add the same headers to its own answers (`CORS_ORIGINS`).
/// - **Hosting** (`HOSTING`): the seed chose Amplify for its git-driven CI/CD. The default here
///   is `cloudfront` (`StaticSite`: a private, versioned bucket read only by its distribution
///   through Origin Access Control, HTTPS, security headers, SPA fallback; `SITE_DOMAIN` with
///   its us-east-1 `SITE_CERTIFICATE_ARN`, and `HOSTED_ZONE_ID`/`HOSTED_ZONE_NAME` for alias
///   records; S3 access logs kept `ACCESS_LOG_RETENTION_DAYS`) because it needs no long-lived
///   repository token, everything it serves is described by this template, and it deploys and
///   is testable without a git host. `amplify` creates an Amplify app for
///   `AMPLIFY_REPOSITORY_URL` and a production branch `AMPLIFY_BRANCH` (auto build, SPA
///   rewrite rule, build output `AMPLIFY_BUILD_OUTPUT_DIR`) whose build gets `REACT_APP_API_URL`,
///   `REACT_APP_REGION`, `REACT_APP_USER_POOL_ID`, `REACT_APP_USER_POOL_CLIENT_ID`,
///   `REACT_APP_AUTH_DOMAIN` and `REACT_APP_REDIRECT_URL`; the repository token is read by
///   CloudFormation from Secrets Manager (`AMPLIFY_ACCESS_TOKEN_SECRET`, optionally one JSON
///   field `AMPLIFY_ACCESS_TOKEN_SECRET_FIELD`) through a dynamic reference, so it never
///   appears in the template (GitHub URLs use `AccessToken`, other hosts `OauthToken`).
///
/// `LOG_RETENTION_DAYS` applies to the function's logs and the API's access logs.
///
/// Variants (config): `HOSTING` cloudfront/amplify; with or without `SITE_DOMAIN` and
/// `HOSTED_ZONE_ID`; the four image sources; `TABLE_ENCRYPTION`.
///
/// Kept by `infra destroy` (retained): the user pool (which also has Cognito's deletion
/// protection on: delete it by hand after turning that off), the submissions table and its KMS
/// key, the inference repository (with its images), the site and access-log buckets. Their names
/// are generated (the user pool's too unless `USER_POOL_NAME`), so a later deploy creates new
/// ones beside them; the new hosted UI prefix is the same (`<stack>-login-<account>`) and is
/// free again once the old stack's domain is deleted with it.
///
/// cfn-lint: no errors and no warnings on any variant.
///
/// checkov findings left on purpose: the function outside a VPC (it only calls DynamoDB), with
/// no reserved concurrency by default (see `INFERENCE_RESERVED_CONCURRENCY`), no DLQ (API
/// Gateway invokes it synchronously: the caller sees the error) and environment variables
/// without a customer key (no secrets in them); its log group with CloudWatch Logs' own
/// encryption; the API stage uncached (every prediction is for new input) and without access
/// logs by default (see `API_ACCESS_LOGS`); CloudFront without WAF or access logs (standard
/// logs need ACL-enabled buckets) and, without `SITE_DOMAIN`, the `*.cloudfront.net` certificate
/// whose minimum TLS version cannot be raised; the access-log bucket does not log itself.
public enum MLInferenceStack {
    public static let definitionName = "ml-inference"
    public static let summary = "Cognito, REST API with a Cognito authorizer, container-image Lambda inference, encrypted DynamoDB, React hosting (CloudFront or Amplify)"

    /// Builds the stack from a config file (`config/ml-inference.json`).
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        let settings = try Settings(config: config)
        return try build(app, stackName: config.stackName, settings: settings, account: config.account,
                         region: config.region, description: config.description, tags: config.tags,
                         terminationProtection: config.terminationProtection, file: config.file)
    }

    /// Builds the stack from typed settings (for other Swift packages: `import MLInference`).
    /// - Parameter file: names the source of the settings in error messages.
    @discardableResult
    public static func build(
        _ app: App, stackName: String, settings s: Settings, account: String? = nil, region: String? = nil,
        description: String? = nil, tags: [String: String] = [:], terminationProtection: Bool = false,
        file: String = "settings"
    ) throws -> Stack {
        try s.validate(file: file)
        if case .directory(let dir) = s.imageSource {
            var isDir: ObjCBool = false
            let dockerfile = (dir as NSString).appendingPathComponent("Dockerfile")
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue
                || !FileManager.default.fileExists(atPath: dockerfile) {
                throw ConfigError(file: file, key: "context.INFERENCE_IMAGE_DIRECTORY",
                                  "'\(dir)' is not a folder with a Dockerfile (relative paths are resolved against the working directory \(FileManager.default.currentDirectoryPath))")
            }
        }

        let stack = Stack(app, stackName, stackName: stackName, account: account, region: region,
                          description: description, tags: tags, terminationProtection: terminationProtection)
        // Each part creates its constructs in the order the template lists them.
        let auth = try authentication(stack, stackName: stackName, s, file: file)
        let table = submissionsTable(stack, stackName: stackName, s)
        let inference = inferenceFunction(stack, s, table: table)
        let apiUrl = api(stack, stackName: stackName, s, auth: auth, inference: inference.function)
        let frontendUrl: StringValue
        switch s.hosting {
        case .cloudfront: frontendUrl = cloudFrontFrontend(stack, stackName: stackName, s)
        case .amplify: frontendUrl = amplifyFrontend(stack, stackName: stackName, s, auth: auth, apiUrl: apiUrl)
        }
        auth.client.addCallbackUrl("\(frontendUrl)/")
        auth.client.addLogoutUrl("\(frontendUrl)/")
        outputs(stack, s, frontendUrl: frontendUrl, apiUrl: apiUrl, auth: auth, table: table, inference: inference)
        return stack
    }

    // MARK: - Parts

    /// The user pool, the frontend's client and the hosted UI's domain.
    private struct Authentication {
        let pool: UserPool
        let client: UserPoolClient
        let domainPrefix: StringValue
        let hostedUi: UserPoolDomain
    }

    private static func authentication(_ stack: Stack, stackName: String, _ s: Settings, file: String) throws -> Authentication {
        let pool = UserPool(stack, "UserPool", userPoolName: s.userPoolName, selfSignUp: s.selfSignUp)
        let client = pool.addClient("WebClient", clientName: "\(stackName)-web",
                                    oauth: .init(callbackUrls: s.callbackUrls, logoutUrls: s.logoutUrls))
        let authDomainPrefix = try s.authDomainPrefix.map { StringValue($0) }
            ?? defaultAuthDomainPrefix(stackName: stackName, file: file)
        let hostedUi = pool.addDomain("HostedUiDomain", cognitoDomainPrefix: authDomainPrefix)
        return Authentication(pool: pool, client: client, domainPrefix: authDomainPrefix, hostedUi: hostedUi)
    }

    /// The submissions table, encrypted with a KMS key of the stack unless `TABLE_ENCRYPTION` is `aws-managed`.
    private static func submissionsTable(_ stack: Stack, stackName: String, _ s: Settings) -> Table {
        var encryption = Table.Encryption.awsManaged
        if s.tableCustomerManagedKey {
            let key = KMS.Key(stack, "SubmissionsTableKey") {
                $0.description = StringValue("Encrypts the submissions table of \(stackName)")
                $0.enableKeyRotation = true
                $0.keyPolicy = [
                    "Version": "2012-10-17",
                    "Statement": [[
                        "Sid": "AccountAdministersTheKeyThroughIAM",
                        "Effect": "Allow",
                        "Principal": ["AWS": "arn:\(Pseudo.partition):iam::\(Pseudo.accountId):root"],
                        "Action": "kms:*",
                        "Resource": "*",
                    ]],
                ]
            }
            key.deletionPolicy = .retain
            key.updateReplacePolicy = .retain
            _ = KMS.Alias(stack, "SubmissionsTableKeyAlias") {
                $0.aliasName = StringValue("alias/\(stackName)-submissions")
                $0.targetKeyId = key.ref
            }
            encryption = .customerManaged(keyArn: key.attrArn)
        }
        return Table(stack, "SubmissionsTable", partitionKey: .init(s.tablePartitionKey, .string), encryption: encryption)
    }

    /// The container-image function and, with the default image source, the repository it runs from.
    private struct Inference {
        let function: Function
        let createdRepository: Repository?
    }

    private static func inferenceFunction(_ stack: Stack, _ s: Settings, table: Table) -> Inference {
        var createdRepository: Repository?
        let code: Function.Code
        switch s.imageSource {
        case .newRepository(let tag):
            let repository = Repository(stack, "InferenceRepository", maxImageCount: 10)
            repository.addToResourcePolicy(PolicyStatement(
                sid: "LambdaPullsForFunctionsOfThisAccount",
                actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                principals: ["Service": ["lambda.amazonaws.com"]],
                conditions: ["StringLike": [
                    "aws:sourceArn": "arn:\(Pseudo.partition):lambda:\(Pseudo.region):\(Pseudo.accountId):function:*",
                ]]))
            createdRepository = repository
            code = .containerImage(.fromRepository(repository, tag: tag, contextKeys: ["INFERENCE_IMAGE_TAG"]))
        case .existingRepository(let name, let tag):
            code = .containerImage(.fromRepository(Repository.imported(stack, "InferenceRepository", name: name), tag: tag,
                                                   contextKeys: ["INFERENCE_REPOSITORY_NAME", "INFERENCE_IMAGE_TAG"]))
        case .uri(let uri):
            code = .image(uri: StringValue(uri))
        case .directory(let dir):
            code = .imageDirectory(dir)
        }
        let inference = Function(
            stack, "InferenceFunction", code: code, description: "Runs the model on submitted data and stores the submission",
            memory: s.inferenceMemory, timeout: s.inferenceTimeout, architecture: s.inferenceArchitecture,
            environment: [
                "TABLE_NAME": table.tableName, "TABLE_PARTITION_KEY": StringValue(s.tablePartitionKey),
                "CORS_ORIGINS": StringValue(s.effectiveCorsOrigins.joined(separator: ",")),
            ],
            logRetention: s.logRetention, reservedConcurrency: s.inferenceReservedConcurrency)
        table.grantWriteData(inference)
        return Inference(function: inference, createdRepository: createdRepository)
    }

    /// The REST API with the Cognito authorizer; returns the URL of the inference method.
    private static func api(_ stack: Stack, stackName: String, _ s: Settings, auth: Authentication, inference: Function) -> StringValue {
        let api = RestApi(
            stack, "Api", description: "Predictions of \(stackName) for signed-in users", stageName: s.apiStageName,
            defaultCors: .init(allowOrigins: s.effectiveCorsOrigins),
            throttling: .init(rateLimit: Double(s.apiThrottleRate), burstLimit: s.apiThrottleBurst),
            tracing: s.apiTracing, accessLogging: s.apiAccessLogs, logRetention: s.logRetention,
            cloudWatchRole: s.apiCloudWatchRole)
        api.defaultAuthorizer = api.addCognitoAuthorizer("CognitoAuthorizer", userPools: [auth.pool])
        api.root.addResource(s.apiResourcePath).addMethod(s.apiMethod, integration: .lambdaProxy(inference))
        return api.urlForPath(s.apiResourcePath)
    }

    /// `HOSTING=cloudfront`: the React build on a private bucket behind CloudFront (access logs,
    /// optional custom domain and alias records); returns the frontend's URL.
    private static func cloudFrontFrontend(_ stack: Stack, stackName: String, _ s: Settings) -> StringValue {
        let accessLogs = s.accessLogRetention.map { retention in
            Bucket(stack, "AccessLogsBucket", versioned: true, lifecycleRules: [
                .init(id: "ExpireLogs", expiration: retention, noncurrentVersionExpiration: .days(1)),
            ])
        }
        let bucket = Bucket(stack, "SiteBucket", versioned: true, lifecycleRules: [
            .init(id: "ExpireNoncurrentVersions", noncurrentVersionExpiration: .days(30)),
        ], accessLogs: accessLogs.map { ($0, "site/") })
        let site = StaticSite(
            stack, "Site", bucket: bucket, domainNames: s.siteDomain.map { [$0] } ?? [],
            certificateArn: s.siteCertificateArn.map { StringValue($0) }, singlePageApp: true,
            comment: "\(stackName) frontend")
        if let zoneId = s.hostedZoneId, let zoneName = s.hostedZoneName, let domain = s.siteDomain {
            let zone = HostedZone.imported(stack, "HostedZone", hostedZoneId: StringValue(zoneId), zoneName: zoneName)
            _ = ARecord(stack, "SiteAliasRecord", zone: zone, recordName: domain, target: .alias(site))
            _ = AaaaRecord(stack, "SiteAliasRecordIPv6", zone: zone, recordName: domain, target: .alias(site))
        }
        _ = Output(stack, "SiteBucketName", value: bucket.bucketName, description: "Upload the React build here")
        _ = Output(stack, "DistributionId", value: site.distributionId, description: "Invalidate it after an upload")
        if let accessLogs { _ = Output(stack, "AccessLogsBucketName", value: accessLogs.bucketName) }
        return site.url
    }

    /// `HOSTING=amplify`: an Amplify app building the repository's branch, configured through
    /// environment variables; returns the branch's URL.
    private static func amplifyFrontend(_ stack: Stack, stackName: String, _ s: Settings, auth: Authentication,
                                        apiUrl: StringValue) -> StringValue {
        let url = s.amplifyRepositoryUrl!
        let secretField = s.amplifyAccessTokenSecretField.map { ":" + $0 } ?? ""
        let token = StringValue("{{resolve:secretsmanager:\(s.amplifyAccessTokenSecret!):SecretString\(secretField)}}")
        let amplifyApp = Amplify.App(stack, "FrontendApp") {
            $0.name = StringValue("\(stackName)-frontend")
            $0.description = StringValue("React frontend of \(stackName)")
            $0.repository = StringValue(url)
            if url.lowercased().contains("github.com") { $0.accessToken = token } else { $0.oauthToken = token }
            $0.platform = .web
            $0.buildSpec = StringValue(amplifyBuildSpec(outputDir: s.amplifyBuildOutputDir))
            $0.customRules = [.init {
                $0.source = "</^[^.]+$|\\.(?!(css|gif|ico|jpg|jpeg|js|json|map|png|svg|txt|ttf|webp|woff|woff2)$)([^.]+$)/>"
                $0.target = "/index.html"
                $0.status = "200"
            }]
        }
        let branchHost = String(s.amplifyBranch.map { $0 == "/" || $0 == "_" || $0 == "." ? "-" : $0 }).lowercased()
        let frontendUrl: StringValue = "https://\(branchHost).\(amplifyApp.attrDefaultDomain)"
        let variables: [(String, StringValue)] = [
            ("REACT_APP_API_URL", apiUrl),
            ("REACT_APP_AUTH_DOMAIN", "\(auth.domainPrefix).auth.\(Pseudo.region).amazoncognito.com"),
            ("REACT_APP_REDIRECT_URL", "\(frontendUrl)/"),
            ("REACT_APP_REGION", Pseudo.region),
            ("REACT_APP_USER_POOL_CLIENT_ID", auth.client.clientId),
            ("REACT_APP_USER_POOL_ID", auth.pool.userPoolId),
        ]
        _ = Amplify.Branch(stack, "FrontendBranch") {
            $0.appId = amplifyApp.attrAppId
            $0.branchName = StringValue(s.amplifyBranch)
            $0.description = "Production branch of the frontend"
            $0.enableAutoBuild = true
            $0.framework = "React"
            $0.stage = .production
            $0.environmentVariables = ListValue(variables.map { v in
                Amplify.Branch.EnvironmentVariable { $0.name = StringValue(v.0); $0.value = v.1 }
            })
        }
        _ = Output(stack, "AmplifyAppId", value: amplifyApp.attrAppId, description: "Builds start on pushes to the branch")
        return frontendUrl
    }

    /// The outputs the frontend's configuration needs.
    private static func outputs(_ stack: Stack, _ s: Settings, frontendUrl: StringValue, apiUrl: StringValue,
                                auth: Authentication, table: Table, inference: Inference) {
        _ = Output(stack, "FrontendUrl", value: frontendUrl)
        _ = Output(stack, "ApiUrl", value: apiUrl, description: "\(s.apiMethod) with the ID token in the Authorization header")
        _ = Output(stack, "Region", value: Pseudo.region)
        _ = Output(stack, "UserPoolId", value: auth.pool.userPoolId)
        _ = Output(stack, "UserPoolClientId", value: auth.client.clientId)
        _ = Output(stack, "HostedUiUrl", value: auth.hostedUi.baseUrl)
        _ = Output(stack, "TableName", value: table.tableName)
        _ = Output(stack, "InferenceFunctionName", value: inference.function.functionName, condition: inference.function.condition)
        if let repository = inference.createdRepository {
            _ = Output(stack, "InferenceRepositoryUri", value: repository.repositoryUri,
                       description: "Push the inference image here, tagged INFERENCE_IMAGE_TAG")
        }
    }

    /// `<stack name>-login-<account id>`: a Cognito prefix is unique in the region across
    /// accounts, so the default includes the account. The stack-name part is lower-cased, other
    /// characters become `-`, cut to fit 63 characters; it must not hold a word Cognito reserves.
    static func defaultAuthDomainPrefix(stackName: String, file: String) throws -> StringValue {
        var base = ""
        for ch in stackName.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { base.append(ch) } else if base.last.map({ $0 != "-" }) ?? false { base.append("-") }
        }
        base = String(base.prefix(63 - "-login-".count - 12))
        while base.hasSuffix("-") { base.removeLast() }
        for word in ["aws", "amazon", "cognito"] where base.contains(word) {
            throw ConfigError(file: file, key: "context.AUTH_DOMAIN_PREFIX",
                              "the default prefix (<stack name>-login-<account id>) would contain the reserved word '\(word)' of the stack name '\(stackName)': set AUTH_DOMAIN_PREFIX")
        }
        return "\(base.isEmpty ? "app" : base)-login-\(Pseudo.accountId)"
    }

    /// The Amplify build of a Create React App (or any `npm run build`) frontend.
    static func amplifyBuildSpec(outputDir: String) -> String {
        """
        version: 1
        frontend:
          phases:
            preBuild:
              commands:
                - npm ci
            build:
              commands:
                - npm run build
          artifacts:
            baseDirectory: \(outputDir)
            files:
              - '**/*'
          cache:
            paths:
              - node_modules/**/*

        """
    }
}
