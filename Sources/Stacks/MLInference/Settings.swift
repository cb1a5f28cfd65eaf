import Foundation
import InfraDSL

extension MLInferenceStack {
    /// How the React frontend is hosted.
    public enum Hosting: String, Sendable, CaseIterable {
        /// A private S3 bucket behind CloudFront (`StaticSite`): you upload the build.
        case cloudfront
        /// An Amplify app and branch that build the frontend from its git repository.
        case amplify
    }

    /// Where the inference function's container image comes from.
    public enum ImageSource: Sendable, Equatable {
        /// An ECR repository the stack creates (`<stackName>-inferencerepository`), at a tag.
        case newRepository(tag: String)
        /// An existing ECR repository of the account and region, by name, at a tag.
        case existingRepository(name: String, tag: String)
        /// A full image URI (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or `@sha256:`).
        case uri(String)
        /// A local Docker build context (a folder with a `Dockerfile`), built and pushed by
        /// `infra deploy` to the bootstrap repository.
        case directory(String)
    }

    /// Every setting of the ml-inference stack, with the seed's choices as defaults: each context
    /// key declared once (`infra context ml-inference` lists them). Build it in Swift or read it
    /// from a config file's `context` (`Settings(config:)`). `validate(file:)` reports every
    /// problem; both `build` functions call it.
    public struct Settings: Sendable, Equatable {
        // MARK: Hosting

        /// `HOSTING`: `cloudfront` (default) or `amplify`.
        public var hosting: Hosting
        /// `SITE_DOMAIN`: a custom domain of the CloudFront-hosted frontend (default nil).
        public var siteDomain: String?
        /// `SITE_CERTIFICATE_ARN`: an ACM certificate in us-east-1 for `SITE_DOMAIN`.
        public var siteCertificateArn: String?
        /// `HOSTED_ZONE_ID` / `HOSTED_ZONE_NAME`: a Route 53 zone for `SITE_DOMAIN`'s alias records.
        public var hostedZoneId: String?
        public var hostedZoneName: String?
        /// `ACCESS_LOG_RETENTION_DAYS`: with `cloudfront`, S3 server access logs of the site
        /// bucket go to a log bucket that keeps them this long (default 90 days; null: none).
        public var accessLogRetention: TimeSpan?
        /// `AMPLIFY_REPOSITORY_URL`: the frontend's git repository (required with `amplify`).
        public var amplifyRepositoryUrl: String?
        /// `AMPLIFY_BRANCH`: the branch Amplify builds and serves (default `main`).
        public var amplifyBranch: String
        /// `AMPLIFY_ACCESS_TOKEN_SECRET`: the name or ARN of the Secrets Manager secret holding
        /// the repository access token (required with `amplify`). The template holds only a
        /// `{{resolve:secretsmanager:...}}` dynamic reference, never the token.
        public var amplifyAccessTokenSecret: String?
        /// `AMPLIFY_ACCESS_TOKEN_SECRET_FIELD`: the JSON field of that secret holding the token
        /// (default nil: the whole secret string is the token).
        public var amplifyAccessTokenSecretField: String?
        /// `AMPLIFY_BUILD_OUTPUT_DIR`: the folder `npm run build` writes (default `build`,
        /// Create React App's).
        public var amplifyBuildOutputDir: String

        // MARK: Authentication

        /// `USER_POOL_NAME`: default nil (generated).
        public var userPoolName: String?
        /// `SELF_SIGN_UP`: users may sign themselves up (default false: an administrator
        /// creates them, as the seed wants to control who has access).
        public var selfSignUp: Bool
        /// `AUTH_DOMAIN_PREFIX`: the hosted UI's prefix,
        /// `https://<prefix>.auth.<region>.amazoncognito.com`, which must be unique in the region
        /// across all accounts (default nil: `<stack name>-login-<account id>`, unique per account).
        public var authDomainPrefix: String?
        /// `CALLBACK_URLS`: where the hosted UI may redirect after sign-in, besides the frontend
        /// URL the stack adds itself (default `http://localhost:3000/`, the React dev server).
        public var callbackUrls: [String]
        /// `LOGOUT_URLS`: where it may redirect after sign-out, besides the frontend URL
        /// (default `http://localhost:3000/`).
        public var logoutUrls: [String]

        // MARK: Data

        /// `TABLE_PARTITION_KEY`: the string key of the table of submitted data (default `id`).
        public var tablePartitionKey: String
        /// `TABLE_ENCRYPTION`: `customer-managed` (default: a KMS key of the stack, rotated
        /// yearly and retained) or `aws-managed` (`aws/dynamodb`).
        public var tableCustomerManagedKey: Bool

        // MARK: Inference

        /// `INFERENCE_IMAGE_URI` / `INFERENCE_IMAGE_DIRECTORY` / `INFERENCE_REPOSITORY_NAME` +
        /// `INFERENCE_IMAGE_TAG`: at most one of the first two; default a new repository at
        /// tag `v1`.
        public var imageSource: ImageSource
        /// `INFERENCE_MEMORY_MB`: default 2048 MiB (scikit-learn and pandas load in well under it).
        public var inferenceMemory: MemorySize
        /// `INFERENCE_TIMEOUT_SECONDS`: default 29 seconds (API Gateway stops waiting after 29 s).
        public var inferenceTimeout: TimeSpan
        /// `INFERENCE_ARCHITECTURE`: `x86_64` (default) or `arm64`, the image's platform.
        public var inferenceArchitecture: Function.Architecture
        /// `INFERENCE_RESERVED_CONCURRENCY`: caps (and reserves) concurrent inferences (default
        /// nil: none, because a reservation fails in accounts with the default low quota).
        public var inferenceReservedConcurrency: Int?

        // MARK: API

        /// `API_RESOURCE_PATH`: default `predict`.
        public var apiResourcePath: String
        /// `API_METHOD`: default `POST`.
        public var apiMethod: String
        /// `API_STAGE_NAME`: default `prod`.
        public var apiStageName: String
        /// `API_CORS_ORIGINS`: origins allowed to call the API (default nil: `https://<SITE_DOMAIN>`
        /// with a custom domain, otherwise `*`, which is safe here: the API takes a bearer token
        /// in the Authorization header, never cookies).
        public var apiCorsOrigins: [String]?
        /// `API_THROTTLE_RATE` / `API_THROTTLE_BURST`: stage throttling (default 10 / 20).
        public var apiThrottleRate: Int
        public var apiThrottleBurst: Int
        /// `API_TRACING`: X-Ray tracing of the stage (default true).
        public var apiTracing: Bool
        /// `API_ACCESS_LOGS`: JSON access logs of the stage (default false: API Gateway needs the
        /// account's CloudWatch Logs role, set once per account and region).
        public var apiAccessLogs: Bool
        /// `API_CLOUDWATCH_ROLE`: create that account-wide role here (default false).
        public var apiCloudWatchRole: Bool

        /// `LOG_RETENTION_DAYS`: of the function's (and the API's) logs (default 30 days).
        public var logRetention: TimeSpan

        public init(
            hosting: Hosting = .cloudfront, siteDomain: String? = nil, siteCertificateArn: String? = nil,
            hostedZoneId: String? = nil, hostedZoneName: String? = nil, accessLogRetention: TimeSpan? = .days(90),
            amplifyRepositoryUrl: String? = nil, amplifyBranch: String = "main", amplifyAccessTokenSecret: String? = nil,
            amplifyAccessTokenSecretField: String? = nil, amplifyBuildOutputDir: String = "build",
            userPoolName: String? = nil, selfSignUp: Bool = false, authDomainPrefix: String? = nil,
            callbackUrls: [String] = ["http://localhost:3000/"], logoutUrls: [String] = ["http://localhost:3000/"],
            tablePartitionKey: String = "id", tableCustomerManagedKey: Bool = true,
            imageSource: ImageSource = .newRepository(tag: "v1"), inferenceMemory: MemorySize = .mebibytes(2048),
            inferenceTimeout: TimeSpan = .seconds(29), inferenceArchitecture: Function.Architecture = .x86_64,
            inferenceReservedConcurrency: Int? = nil,
            apiResourcePath: String = "predict", apiMethod: String = "POST", apiStageName: String = "prod",
            apiCorsOrigins: [String]? = nil, apiThrottleRate: Int = 10, apiThrottleBurst: Int = 20,
            apiTracing: Bool = true, apiAccessLogs: Bool = false, apiCloudWatchRole: Bool = false,
            logRetention: TimeSpan = .days(30)
        ) {
            self.hosting = hosting
            self.siteDomain = siteDomain
            self.siteCertificateArn = siteCertificateArn
            self.hostedZoneId = hostedZoneId
            self.hostedZoneName = hostedZoneName
            self.accessLogRetention = accessLogRetention
            self.amplifyRepositoryUrl = amplifyRepositoryUrl
            self.amplifyBranch = amplifyBranch
            self.amplifyAccessTokenSecret = amplifyAccessTokenSecret
            self.amplifyAccessTokenSecretField = amplifyAccessTokenSecretField
            self.amplifyBuildOutputDir = amplifyBuildOutputDir
            self.userPoolName = userPoolName
            self.selfSignUp = selfSignUp
            self.authDomainPrefix = authDomainPrefix
            self.callbackUrls = callbackUrls
            self.logoutUrls = logoutUrls
            self.tablePartitionKey = tablePartitionKey
            self.tableCustomerManagedKey = tableCustomerManagedKey
            self.imageSource = imageSource
            self.inferenceMemory = inferenceMemory
            self.inferenceTimeout = inferenceTimeout
            self.inferenceArchitecture = inferenceArchitecture
            self.inferenceReservedConcurrency = inferenceReservedConcurrency
            self.apiResourcePath = apiResourcePath
            self.apiMethod = apiMethod
            self.apiStageName = apiStageName
            self.apiCorsOrigins = apiCorsOrigins
            self.apiThrottleRate = apiThrottleRate
            self.apiThrottleBurst = apiThrottleBurst
            self.apiTracing = apiTracing
            self.apiAccessLogs = apiAccessLogs
            self.apiCloudWatchRole = apiCloudWatchRole
            self.logRetention = logRetention
        }

        // MARK: Declarations (one per context key; the rules between keys are in `validate`)

        static func oneOf(_ allowed: [String]) -> @Sendable (String) -> String? {
            { allowed.contains($0) ? nil : "'\($0)' is not one of: \(allowed.joined(separator: ", "))" }
        }
        public static let hostingKey = Setting<String>("HOSTING", default: "cloudfront", "cloudfront (a private bucket behind CloudFront) or amplify (built from git)",
                                                       check: oneOf(Hosting.allCases.map(\.rawValue)))
        public static let siteDomainKey = Setting<String?>("SITE_DOMAIN", default: nil, "a custom domain of the CloudFront-hosted frontend")
        public static let siteCertificateArnKey = Setting<String?>("SITE_CERTIFICATE_ARN", default: nil, "an ACM certificate in us-east-1 for SITE_DOMAIN")
        public static let hostedZoneIdKey = Setting<String?>("HOSTED_ZONE_ID", default: nil, "a Route 53 zone for SITE_DOMAIN's alias records")
        public static let hostedZoneNameKey = Setting<String?>("HOSTED_ZONE_NAME", default: nil, "the zone's domain name (required with HOSTED_ZONE_ID)")
        public static let accessLogRetentionDaysKey = Setting<Int?>(
            "ACCESS_LOG_RETENTION_DAYS", default: 90, "with cloudfront: days the log bucket keeps the site bucket's access logs (null: none)")
        public static let amplifyRepositoryUrlKey = Setting<String?>("AMPLIFY_REPOSITORY_URL", default: nil, "the frontend's git repository (required with amplify)")
        public static let amplifyBranchKey = Setting<String>("AMPLIFY_BRANCH", default: "main", "the branch Amplify builds and serves")
        public static let amplifyAccessTokenSecretKey = Setting<String?>(
            "AMPLIFY_ACCESS_TOKEN_SECRET", default: nil, "name or ARN of the Secrets Manager secret holding the repository token (required with amplify)")
        public static let amplifyAccessTokenSecretFieldKey = Setting<String?>(
            "AMPLIFY_ACCESS_TOKEN_SECRET_FIELD", default: nil, "the JSON field of that secret holding the token (null: the whole secret)")
        public static let amplifyBuildOutputDirKey = Setting<String>("AMPLIFY_BUILD_OUTPUT_DIR", default: "build", "the folder npm run build writes")
        public static let userPoolNameKey = Setting<String?>("USER_POOL_NAME", default: nil, "the user pool's name (null: generated)")
        public static let selfSignUpKey = Setting<Bool>("SELF_SIGN_UP", default: false, "users may sign themselves up")
        public static let authDomainPrefixKey = Setting<String?>(
            "AUTH_DOMAIN_PREFIX", default: nil, "the hosted UI's prefix, unique in the region (null: <stack name>-login-<account id>)")
        public static let callbackUrlsKey = Setting<[String]>("CALLBACK_URLS", default: ["http://localhost:3000/"], "where the hosted UI may redirect after sign-in")
        public static let logoutUrlsKey = Setting<[String]>("LOGOUT_URLS", default: ["http://localhost:3000/"], "where it may redirect after sign-out")
        public static let tablePartitionKeyKey = Setting<String>("TABLE_PARTITION_KEY", default: "id", "the string key of the table of submitted data")
        public static let tableEncryptionKey = Setting<String>(
            "TABLE_ENCRYPTION", default: "customer-managed", "customer-managed (a KMS key of the stack) or aws-managed",
            check: oneOf(["customer-managed", "aws-managed"]))
        public static let inferenceImageUriKey = Setting<String?>("INFERENCE_IMAGE_URI", default: nil, "a full ECR image URI to run")
        public static let inferenceImageDirectoryKey = Setting<String?>("INFERENCE_IMAGE_DIRECTORY", default: nil, "a Docker build context infra deploy builds and pushes")
        public static let inferenceRepositoryNameKey = Setting<String?>("INFERENCE_REPOSITORY_NAME", default: nil, "an existing ECR repository (null: the stack creates one)")
        public static let inferenceImageTagKey = Setting<String?>("INFERENCE_IMAGE_TAG", default: nil, "the tag of the repository's image (null: v1)")
        public static let inferenceMemoryMBKey = Setting<Int>("INFERENCE_MEMORY_MB", default: 2048, "memory of the inference function, MB")
        public static let inferenceTimeoutSecondsKey = Setting<Int>("INFERENCE_TIMEOUT_SECONDS", default: 29, "timeout of the inference function (API Gateway waits 29 s)")
        public static let inferenceArchitectureKey = Setting<String>("INFERENCE_ARCHITECTURE", default: "x86_64", "x86_64 or arm64, the image's platform",
                                                                     check: oneOf(["x86_64", "arm64"]))
        public static let inferenceReservedConcurrencyKey = Setting<Int?>(
            "INFERENCE_RESERVED_CONCURRENCY", default: nil, "caps (and reserves) concurrent inferences (null: none)")
        public static let apiResourcePathKey = Setting<String>("API_RESOURCE_PATH", default: "predict", "the API's path")
        public static let apiMethodKey = Setting<String>("API_METHOD", default: "POST", "the API's method",
                                                         check: oneOf(["GET", "POST", "PUT", "PATCH", "DELETE", "ANY"]))
        public static let apiStageNameKey = Setting<String>("API_STAGE_NAME", default: "prod", "the API stage")
        public static let apiCorsOriginsKey = Setting<[String]?>(
            "API_CORS_ORIGINS", default: nil, "origins allowed to call the API (null: https://SITE_DOMAIN with a custom domain, otherwise *)")
        public static let apiThrottleRateKey = Setting<Int>("API_THROTTLE_RATE", default: 10, "steady requests per second of the stage")
        public static let apiThrottleBurstKey = Setting<Int>("API_THROTTLE_BURST", default: 20, "burst of the stage")
        public static let apiTracingKey = Setting<Bool>("API_TRACING", default: true, "X-Ray tracing of the stage")
        public static let apiAccessLogsKey = Setting<Bool>("API_ACCESS_LOGS", default: false, "JSON access logs of the stage (needs the account's CloudWatch Logs role)")
        public static let apiCloudWatchRoleKey = Setting<Bool>("API_CLOUDWATCH_ROLE", default: false, "create the account-wide API Gateway logging role here")
        public static let logRetentionDaysKey = Setting<Int>("LOG_RETENTION_DAYS", default: 30, "retention of the function's (and the API's) logs, days")

        public static let schema = SettingsSchema(MLInferenceStack.definitionName, [
            hostingKey.any, siteDomainKey.any, siteCertificateArnKey.any, hostedZoneIdKey.any, hostedZoneNameKey.any,
            accessLogRetentionDaysKey.any, amplifyRepositoryUrlKey.any, amplifyBranchKey.any, amplifyAccessTokenSecretKey.any,
            amplifyAccessTokenSecretFieldKey.any, amplifyBuildOutputDirKey.any, userPoolNameKey.any, selfSignUpKey.any,
            authDomainPrefixKey.any, callbackUrlsKey.any, logoutUrlsKey.any, tablePartitionKeyKey.any, tableEncryptionKey.any,
            inferenceImageUriKey.any, inferenceImageDirectoryKey.any, inferenceRepositoryNameKey.any, inferenceImageTagKey.any,
            inferenceMemoryMBKey.any, inferenceTimeoutSecondsKey.any, inferenceArchitectureKey.any, inferenceReservedConcurrencyKey.any,
            apiResourcePathKey.any, apiMethodKey.any, apiStageNameKey.any, apiCorsOriginsKey.any, apiThrottleRateKey.any,
            apiThrottleBurstKey.any, apiTracingKey.any, apiAccessLogsKey.any, apiCloudWatchRoleKey.any, logRetentionDaysKey.any,
        ])
        /// The context keys this stack reads; any other key in a config file is an error.
        public static let keys = schema.keys

        /// Reads the settings from a config file's `context` and validates them; every problem
        /// is reported together, each naming the file and the key.
        public init(config: StackConfig) throws {
            let r = SettingsReader(config, Self.schema)
            let uri = r[Self.inferenceImageUriKey], dir = r[Self.inferenceImageDirectoryKey]
            let repo = r[Self.inferenceRepositoryNameKey], tag = r[Self.inferenceImageTagKey]
            var image = ImageSource.newRepository(tag: tag ?? "v1")
            switch (uri, dir) {
            case (let u?, nil):
                if repo != nil { r.fail("INFERENCE_REPOSITORY_NAME", "not used with INFERENCE_IMAGE_URI (the URI names the repository): set it to null") }
                if tag != nil { r.fail("INFERENCE_IMAGE_TAG", "not used with INFERENCE_IMAGE_URI (the URI names the tag): set it to null") }
                image = .uri(u)
            case (nil, let d?):
                if repo != nil { r.fail("INFERENCE_REPOSITORY_NAME", "not used with INFERENCE_IMAGE_DIRECTORY (the image goes to the bootstrap repository): set it to null") }
                if tag != nil { r.fail("INFERENCE_IMAGE_TAG", "not used with INFERENCE_IMAGE_DIRECTORY (the tag is the content hash): set it to null") }
                image = .directory(d)
            case (nil, nil):
                if let repo { image = .existingRepository(name: repo, tag: tag ?? "v1") }
            case (.some, .some):
                r.fail("INFERENCE_IMAGE_DIRECTORY", "set INFERENCE_IMAGE_URI or INFERENCE_IMAGE_DIRECTORY, not both")
            }
            self.init(
                hosting: Hosting(rawValue: r[Self.hostingKey])!, siteDomain: r[Self.siteDomainKey],
                siteCertificateArn: r[Self.siteCertificateArnKey], hostedZoneId: r[Self.hostedZoneIdKey],
                hostedZoneName: r[Self.hostedZoneNameKey], accessLogRetention: r[Self.accessLogRetentionDaysKey].map(TimeSpan.days),
                amplifyRepositoryUrl: r[Self.amplifyRepositoryUrlKey], amplifyBranch: r[Self.amplifyBranchKey],
                amplifyAccessTokenSecret: r[Self.amplifyAccessTokenSecretKey],
                amplifyAccessTokenSecretField: r[Self.amplifyAccessTokenSecretFieldKey],
                amplifyBuildOutputDir: r[Self.amplifyBuildOutputDirKey], userPoolName: r[Self.userPoolNameKey],
                selfSignUp: r[Self.selfSignUpKey], authDomainPrefix: r[Self.authDomainPrefixKey],
                callbackUrls: r[Self.callbackUrlsKey], logoutUrls: r[Self.logoutUrlsKey],
                tablePartitionKey: r[Self.tablePartitionKeyKey], tableCustomerManagedKey: r[Self.tableEncryptionKey] == "customer-managed",
                imageSource: image, inferenceMemory: .mebibytes(r[Self.inferenceMemoryMBKey]),
                inferenceTimeout: .seconds(r[Self.inferenceTimeoutSecondsKey]),
                inferenceArchitecture: Function.Architecture(rawValue: r[Self.inferenceArchitectureKey])!,
                inferenceReservedConcurrency: r[Self.inferenceReservedConcurrencyKey],
                apiResourcePath: r[Self.apiResourcePathKey], apiMethod: r[Self.apiMethodKey], apiStageName: r[Self.apiStageNameKey],
                apiCorsOrigins: r[Self.apiCorsOriginsKey], apiThrottleRate: r[Self.apiThrottleRateKey],
                apiThrottleBurst: r[Self.apiThrottleBurstKey], apiTracing: r[Self.apiTracingKey],
                apiAccessLogs: r[Self.apiAccessLogsKey], apiCloudWatchRole: r[Self.apiCloudWatchRoleKey],
                logRetention: .days(r[Self.logRetentionDaysKey]))
            do {
                try validate(file: config.file)
            } catch let e as ConfigError {
                for one in e.all { r.fail(String((one.key ?? "").dropFirst("context.".count)), one.message) }
            }
            try r.finish()
        }

        /// The CORS origins the API and the function allow.
        public var effectiveCorsOrigins: [String] {
            if let apiCorsOrigins { return apiCorsOrigins }
            if hosting == .cloudfront, let siteDomain { return ["https://\(siteDomain)"] }
            return ["*"]
        }

        /// Checks the settings; the error names `file` and every offending key (`context.KEY`).
        public func validate(file: String = "settings") throws {
            var found: [ConfigError] = []
            func fail(_ key: String, _ message: String) {
                found.append(ConfigError(file: file, key: "context.\(key)", message))
            }
            func range(_ value: Int, _ r: ClosedRange<Int>, _ key: String) {
                if let problem = Validate.rangeProblem(value, r) { fail(key, problem) }
            }
            func checkTag(_ tag: String) {
                if !Validate.isImageTag(tag) { fail("INFERENCE_IMAGE_TAG", "'\(tag)' is not an image tag (\(Validate.imageTagRule))") }
            }

            switch hosting {
            case .cloudfront:
                for (k, v) in [("AMPLIFY_REPOSITORY_URL", amplifyRepositoryUrl), ("AMPLIFY_ACCESS_TOKEN_SECRET", amplifyAccessTokenSecret),
                               ("AMPLIFY_ACCESS_TOKEN_SECRET_FIELD", amplifyAccessTokenSecretField)] where v != nil {
                    fail(k, "only used with HOSTING amplify")
                }
                if let domain = siteDomain, !Validate.isDomainName(domain, underscore: false) {
                    fail("SITE_DOMAIN", "'\(domain)' is not a domain name such as app.example.com")
                }
                if let cert = siteCertificateArn, siteDomain != nil, let problem = Validate.cloudFrontCertificateProblem(cert) {
                    fail("SITE_CERTIFICATE_ARN", problem)
                }
                if let zoneId = hostedZoneId, !Validate.isHostedZoneId(zoneId) {
                    fail("HOSTED_ZONE_ID", "'\(zoneId)' is not a hosted zone id (upper-case letters and digits)")
                }
                if let problem = Validate.siteDomainProblems(domain: siteDomain, certificateArn: siteCertificateArn, hostedZoneId: hostedZoneId,
                                                             hostedZoneName: hostedZoneName).first {
                    fail(problem.key, problem.message)
                }
            case .amplify:
                for (k, v) in [("SITE_DOMAIN", siteDomain), ("SITE_CERTIFICATE_ARN", siteCertificateArn),
                               ("HOSTED_ZONE_ID", hostedZoneId), ("HOSTED_ZONE_NAME", hostedZoneName)] where v != nil {
                    fail(k, "only used with HOSTING cloudfront (add a custom domain to the Amplify app in its console)")
                }
                if amplifyRepositoryUrl == nil {
                    fail("AMPLIFY_REPOSITORY_URL", "required with HOSTING amplify: the frontend's git repository (https://github.com/owner/repo)")
                }
                if let url = amplifyRepositoryUrl {
                    if !url.hasPrefix("https://") || url.count < 12 || url.contains(" ") {
                        fail("AMPLIFY_REPOSITORY_URL", "'\(url)' is not an https repository URL")
                    }
                    if url.contains("@") { fail("AMPLIFY_REPOSITORY_URL", "must not embed credentials; the token comes from AMPLIFY_ACCESS_TOKEN_SECRET") }
                }
                if amplifyAccessTokenSecret == nil {
                    fail("AMPLIFY_ACCESS_TOKEN_SECRET", "required with HOSTING amplify: the name or ARN of the Secrets Manager secret holding the repository token")
                }
                if let secret = amplifyAccessTokenSecret {
                    if secret.isEmpty || secret.contains("{") || secret.contains("}") || secret.contains(" ")
                        || (secret.hasPrefix("arn:") && !secret.contains(":secretsmanager:"))
                        || (!secret.hasPrefix("arn:") && !secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+=.@-".contains($0)) })) {
                        fail("AMPLIFY_ACCESS_TOKEN_SECRET", "'\(secret)' is not a secret name or Secrets Manager ARN")
                    }
                    if secret.hasPrefix("ghp_") || secret.hasPrefix("github_pat_") || secret.hasPrefix("glpat-") {
                        fail("AMPLIFY_ACCESS_TOKEN_SECRET", "looks like a token itself: store the token in Secrets Manager and give the secret's name")
                    }
                }
                if let field = amplifyAccessTokenSecretField,
                   field.isEmpty || field.contains(":") || field.contains("}") {
                    fail("AMPLIFY_ACCESS_TOKEN_SECRET_FIELD", "'\(field)' is not a JSON key of the secret")
                }
                if amplifyBranch.isEmpty || amplifyBranch.count > 255 || amplifyBranch.hasPrefix("-") || amplifyBranch.hasSuffix("/")
                    || !amplifyBranch.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }) {
                    fail("AMPLIFY_BRANCH", "'\(amplifyBranch)' is not a branch name")
                }
                if amplifyBuildOutputDir.isEmpty || amplifyBuildOutputDir.hasPrefix("/") || amplifyBuildOutputDir.contains("..") {
                    fail("AMPLIFY_BUILD_OUTPUT_DIR", "must be a folder relative to the repository (got '\(amplifyBuildOutputDir)')")
                }
            }

            if let days = accessLogRetention?.count(of: .days) { range(days, 1...3650, "ACCESS_LOG_RETENTION_DAYS") }
            if let name = userPoolName, !(1...128).contains(name.count) { fail("USER_POOL_NAME", "must be 1-128 characters") }
            if let authDomainPrefix {
            let prefixValid = (1...63).contains(authDomainPrefix.count)
                && authDomainPrefix.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
                && !authDomainPrefix.hasPrefix("-") && !authDomainPrefix.hasSuffix("-")
            if !prefixValid { fail("AUTH_DOMAIN_PREFIX", "'\(authDomainPrefix)' must be 1-63 lowercase letters, digits and hyphens") }
            for word in ["aws", "amazon", "cognito"] where authDomainPrefix.contains(word) {
                fail("AUTH_DOMAIN_PREFIX", "'\(authDomainPrefix)' must not contain the reserved word '\(word)'")
            }
            }
            for (k, urls) in [("CALLBACK_URLS", callbackUrls), ("LOGOUT_URLS", logoutUrls)] {
                for u in urls {
                    let local = u.hasPrefix("http://localhost") || u.hasPrefix("http://127.0.0.1")
                    if !(u.hasPrefix("https://") || local) || u.contains("#") || u.contains(" ") {
                        fail(k, "'\(u)' must be an https URL (http only for localhost) without a fragment")
                    }
                }
            }

            if tablePartitionKey.isEmpty || tablePartitionKey.utf8.count > 255 {
                fail("TABLE_PARTITION_KEY", "must be 1-255 bytes")
            }

            switch imageSource {
            case .newRepository(let tag):
                checkTag(tag)
            case .existingRepository(let name, let tag):
                if !Validate.isECRRepositoryName(name) {
                    fail("INFERENCE_REPOSITORY_NAME", "'\(name)' is not an ECR repository name (\(Validate.ecrRepositoryNameRule))")
                }
                checkTag(tag)
            case .uri(let uri):
                let ecr = uri.contains(".dkr.ecr.") && uri.contains(".amazonaws.com")
                if !ecr || !(uri.contains(":") || uri.contains("@sha256:")) || uri.contains(" ") {
                    fail("INFERENCE_IMAGE_URI", "'\(uri)' is not an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>); Lambda runs images from ECR only")
                }
            case .directory(let dir):
                if dir.isEmpty { fail("INFERENCE_IMAGE_DIRECTORY", "must not be empty") }
            }
            range(inferenceMemory.mebibytes, 128...10240, "INFERENCE_MEMORY_MB")
            range(inferenceTimeout.seconds, 1...900, "INFERENCE_TIMEOUT_SECONDS")
            if let c = inferenceReservedConcurrency { range(c, 1...10_000, "INFERENCE_RESERVED_CONCURRENCY") }

            if let problem = Validate.apiPathSegmentProblem(apiResourcePath) { fail("API_RESOURCE_PATH", problem) }
            if !["GET", "POST", "PUT", "PATCH", "DELETE", "ANY"].contains(apiMethod) {
                fail("API_METHOD", "'\(apiMethod)' is not one of: GET, POST, PUT, PATCH, DELETE, ANY")
            }
            if let problem = Validate.apiStageNameProblem(apiStageName) { fail("API_STAGE_NAME", problem) }
            if let origins = apiCorsOrigins, let problem = Validate.corsOriginsProblem(origins) { fail("API_CORS_ORIGINS", problem) }
            range(apiThrottleRate, 1...10_000, "API_THROTTLE_RATE")
            range(apiThrottleBurst, 1...5_000, "API_THROTTLE_BURST")
            if let problem = Validate.logRetentionProblem(logRetention.count(of: .days)) {
                fail("LOG_RETENTION_DAYS", problem)
            }
            if let e = ConfigError.collecting(found) { throw e }
        }
    }
}
