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

    /// Every setting of the ml-inference stack, with the seed's choices as defaults. Build it in
    /// Swift or read it from a config file's `context` (`Settings(config:)`; keys listed with
    /// each property). `validate(file:)` checks it; both `build` functions call it.
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
        /// bucket go to a log bucket that keeps them this many days (default 90; null: none).
        public var accessLogRetentionDays: Int?
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
        /// `INFERENCE_MEMORY_MB`: default 2048 (scikit-learn and pandas load in well under it).
        public var inferenceMemoryMB: Int
        /// `INFERENCE_TIMEOUT_SECONDS`: default 29 (API Gateway stops waiting after 29 s).
        public var inferenceTimeoutSeconds: Int
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

        /// `LOG_RETENTION_DAYS`: of the function's (and the API's) logs (default 30).
        public var logRetentionDays: Int

        public init(
            hosting: Hosting = .cloudfront, siteDomain: String? = nil, siteCertificateArn: String? = nil,
            hostedZoneId: String? = nil, hostedZoneName: String? = nil, accessLogRetentionDays: Int? = 90,
            amplifyRepositoryUrl: String? = nil, amplifyBranch: String = "main", amplifyAccessTokenSecret: String? = nil,
            amplifyAccessTokenSecretField: String? = nil, amplifyBuildOutputDir: String = "build",
            userPoolName: String? = nil, selfSignUp: Bool = false, authDomainPrefix: String? = nil,
            callbackUrls: [String] = ["http://localhost:3000/"], logoutUrls: [String] = ["http://localhost:3000/"],
            tablePartitionKey: String = "id", tableCustomerManagedKey: Bool = true,
            imageSource: ImageSource = .newRepository(tag: "v1"), inferenceMemoryMB: Int = 2048,
            inferenceTimeoutSeconds: Int = 29, inferenceArchitecture: Function.Architecture = .x86_64,
            inferenceReservedConcurrency: Int? = nil,
            apiResourcePath: String = "predict", apiMethod: String = "POST", apiStageName: String = "prod",
            apiCorsOrigins: [String]? = nil, apiThrottleRate: Int = 10, apiThrottleBurst: Int = 20,
            apiTracing: Bool = true, apiAccessLogs: Bool = false, apiCloudWatchRole: Bool = false,
            logRetentionDays: Int = 30
        ) {
            self.hosting = hosting
            self.siteDomain = siteDomain
            self.siteCertificateArn = siteCertificateArn
            self.hostedZoneId = hostedZoneId
            self.hostedZoneName = hostedZoneName
            self.accessLogRetentionDays = accessLogRetentionDays
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
            self.inferenceMemoryMB = inferenceMemoryMB
            self.inferenceTimeoutSeconds = inferenceTimeoutSeconds
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
            self.logRetentionDays = logRetentionDays
        }

        /// The context keys this stack reads; any other key in a config file is an error.
        public static let keys: [String] = [
            "HOSTING", "SITE_DOMAIN", "SITE_CERTIFICATE_ARN", "HOSTED_ZONE_ID", "HOSTED_ZONE_NAME",
            "ACCESS_LOG_RETENTION_DAYS", "AMPLIFY_REPOSITORY_URL", "AMPLIFY_BRANCH", "AMPLIFY_ACCESS_TOKEN_SECRET", "AMPLIFY_ACCESS_TOKEN_SECRET_FIELD",
            "AMPLIFY_BUILD_OUTPUT_DIR",
            "USER_POOL_NAME", "SELF_SIGN_UP", "AUTH_DOMAIN_PREFIX", "CALLBACK_URLS", "LOGOUT_URLS",
            "TABLE_PARTITION_KEY", "TABLE_ENCRYPTION",
            "INFERENCE_IMAGE_URI", "INFERENCE_IMAGE_DIRECTORY", "INFERENCE_REPOSITORY_NAME", "INFERENCE_IMAGE_TAG",
            "INFERENCE_MEMORY_MB", "INFERENCE_TIMEOUT_SECONDS", "INFERENCE_ARCHITECTURE",
            "INFERENCE_RESERVED_CONCURRENCY",
            "API_RESOURCE_PATH", "API_METHOD", "API_STAGE_NAME", "API_CORS_ORIGINS", "API_THROTTLE_RATE",
            "API_THROTTLE_BURST", "API_TRACING", "API_ACCESS_LOGS", "API_CLOUDWATCH_ROLE",
            "LOG_RETENTION_DAYS",
        ]

        /// Reads the settings from a config file's `context` (absent or null keys keep their
        /// defaults) and validates them; errors name the file and the key.
        public init(config: StackConfig) throws {
            for key in config.context.keys.sorted() where !Self.keys.contains(key) {
                throw ConfigError(file: config.file, key: "context.\(key)",
                                  "unknown key for the \(MLInferenceStack.definitionName) stack (known keys: \(Self.keys.joined(separator: ", ")))")
            }
            func key(_ k: String, _ message: String) -> ConfigError { ConfigError(file: config.file, key: "context.\(k)", message) }
            let d = Settings()

            let uri = try config.optionalString("INFERENCE_IMAGE_URI")
            let dir = try config.optionalString("INFERENCE_IMAGE_DIRECTORY")
            let repo = try config.optionalString("INFERENCE_REPOSITORY_NAME")
            let tag = try config.optionalString("INFERENCE_IMAGE_TAG")
            let image: ImageSource
            switch (uri, dir) {
            case (let u?, nil):
                if repo != nil { throw key("INFERENCE_REPOSITORY_NAME", "not used with INFERENCE_IMAGE_URI (the URI names the repository): set it to null") }
                if tag != nil { throw key("INFERENCE_IMAGE_TAG", "not used with INFERENCE_IMAGE_URI (the URI names the tag): set it to null") }
                image = .uri(u)
            case (nil, let d?):
                if repo != nil { throw key("INFERENCE_REPOSITORY_NAME", "not used with INFERENCE_IMAGE_DIRECTORY (the image goes to the bootstrap repository): set it to null") }
                if tag != nil { throw key("INFERENCE_IMAGE_TAG", "not used with INFERENCE_IMAGE_DIRECTORY (the tag is the content hash): set it to null") }
                image = .directory(d)
            case (nil, nil):
                image = repo.map { .existingRepository(name: $0, tag: tag ?? "v1") } ?? .newRepository(tag: tag ?? "v1")
            case (.some, .some):
                throw key("INFERENCE_IMAGE_DIRECTORY", "set INFERENCE_IMAGE_URI or INFERENCE_IMAGE_DIRECTORY, not both")
            }
            let arch = try config.choice("INFERENCE_ARCHITECTURE", ["x86_64", "arm64"], default: d.inferenceArchitecture.rawValue)

            self.init(
                hosting: Hosting(rawValue: try config.choice("HOSTING", Hosting.allCases.map(\.rawValue), default: d.hosting.rawValue))!,
                siteDomain: try config.optionalString("SITE_DOMAIN"),
                siteCertificateArn: try config.optionalString("SITE_CERTIFICATE_ARN"),
                hostedZoneId: try config.optionalString("HOSTED_ZONE_ID"),
                hostedZoneName: try config.optionalString("HOSTED_ZONE_NAME"),
                accessLogRetentionDays: config.context["ACCESS_LOG_RETENTION_DAYS"] == nil
                    ? d.accessLogRetentionDays
                    : (config.context["ACCESS_LOG_RETENTION_DAYS"] == Value.null ? nil : try config.int("ACCESS_LOG_RETENTION_DAYS")),
                amplifyRepositoryUrl: try config.optionalString("AMPLIFY_REPOSITORY_URL"),
                amplifyBranch: try config.string("AMPLIFY_BRANCH", default: d.amplifyBranch),
                amplifyAccessTokenSecret: try config.optionalString("AMPLIFY_ACCESS_TOKEN_SECRET"),
                amplifyAccessTokenSecretField: try config.optionalString("AMPLIFY_ACCESS_TOKEN_SECRET_FIELD"),
                amplifyBuildOutputDir: try config.string("AMPLIFY_BUILD_OUTPUT_DIR", default: d.amplifyBuildOutputDir),
                userPoolName: try config.optionalString("USER_POOL_NAME"),
                selfSignUp: try config.bool("SELF_SIGN_UP", default: d.selfSignUp),
                authDomainPrefix: try config.optionalString("AUTH_DOMAIN_PREFIX"),
                callbackUrls: try config.stringList("CALLBACK_URLS") ?? d.callbackUrls,
                logoutUrls: try config.stringList("LOGOUT_URLS") ?? d.logoutUrls,
                tablePartitionKey: try config.string("TABLE_PARTITION_KEY", default: d.tablePartitionKey),
                tableCustomerManagedKey: try config.choice("TABLE_ENCRYPTION", ["customer-managed", "aws-managed"],
                                                           default: "customer-managed") == "customer-managed",
                imageSource: image,
                inferenceMemoryMB: try config.int("INFERENCE_MEMORY_MB", default: d.inferenceMemoryMB),
                inferenceTimeoutSeconds: try config.int("INFERENCE_TIMEOUT_SECONDS", default: d.inferenceTimeoutSeconds),
                inferenceArchitecture: Function.Architecture(rawValue: arch)!,
                inferenceReservedConcurrency: config.context["INFERENCE_RESERVED_CONCURRENCY"] == nil
                    || config.context["INFERENCE_RESERVED_CONCURRENCY"] == Value.null
                    ? nil : try config.int("INFERENCE_RESERVED_CONCURRENCY"),
                apiResourcePath: try config.string("API_RESOURCE_PATH", default: d.apiResourcePath),
                apiMethod: try config.choice("API_METHOD", ["GET", "POST", "PUT", "PATCH", "DELETE", "ANY"], default: d.apiMethod),
                apiStageName: try config.string("API_STAGE_NAME", default: d.apiStageName),
                apiCorsOrigins: try config.stringList("API_CORS_ORIGINS"),
                apiThrottleRate: try config.int("API_THROTTLE_RATE", default: d.apiThrottleRate),
                apiThrottleBurst: try config.int("API_THROTTLE_BURST", default: d.apiThrottleBurst),
                apiTracing: try config.bool("API_TRACING", default: d.apiTracing),
                apiAccessLogs: try config.bool("API_ACCESS_LOGS", default: d.apiAccessLogs),
                apiCloudWatchRole: try config.bool("API_CLOUDWATCH_ROLE", default: d.apiCloudWatchRole),
                logRetentionDays: try config.int("LOG_RETENTION_DAYS", default: d.logRetentionDays))
            try validate(file: config.file)
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

            if let days = accessLogRetentionDays { range(days, 1...3650, "ACCESS_LOG_RETENTION_DAYS") }
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
            range(inferenceMemoryMB, 128...10240, "INFERENCE_MEMORY_MB")
            range(inferenceTimeoutSeconds, 1...900, "INFERENCE_TIMEOUT_SECONDS")
            if let c = inferenceReservedConcurrency { range(c, 1...10_000, "INFERENCE_RESERVED_CONCURRENCY") }

            if let problem = Validate.apiPathSegmentProblem(apiResourcePath) { fail("API_RESOURCE_PATH", problem) }
            if !["GET", "POST", "PUT", "PATCH", "DELETE", "ANY"].contains(apiMethod) {
                fail("API_METHOD", "'\(apiMethod)' is not one of: GET, POST, PUT, PATCH, DELETE, ANY")
            }
            if let problem = Validate.apiStageNameProblem(apiStageName) { fail("API_STAGE_NAME", problem) }
            if let origins = apiCorsOrigins, let problem = Validate.corsOriginsProblem(origins) { fail("API_CORS_ORIGINS", problem) }
            range(apiThrottleRate, 1...10_000, "API_THROTTLE_RATE")
            range(apiThrottleBurst, 1...5_000, "API_THROTTLE_BURST")
            if let problem = Validate.logRetentionProblem(logRetentionDays) {
                fail("LOG_RETENTION_DAYS", problem)
            }
            if let e = ConfigError.collecting(found) { throw e }
        }
    }
}
