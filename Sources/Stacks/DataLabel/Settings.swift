import Foundation
import InfraDSL

extension DataLabelStack {
    /// Every setting of the data-label stack, with the seed's values as defaults. Build it in
    /// Swift (`Settings(scraperInstanceType: "t3.medium")`) or read it from a config file's
    /// `context` (`Settings(config:)`, keys in UPPER_SNAKE case, listed with each property).
    /// `validate(file:)` checks it; both `build` functions call it.
    public struct Settings: Sendable, Equatable {
        // MARK: Network

        /// `VPC_CIDR`: the block of the VPC the stack creates (default `10.0.0.0/16`).
        public var vpcCidr: String
        /// `MAX_AZS`: availability zones of the new VPC, 1-6 (default 2).
        public var maxAzs: Int
        /// `NAT_GATEWAYS`: NAT gateways of the new VPC, 1...`maxAzs` (default 1; the scraper
        /// needs outbound internet access).
        public var natGateways: Int
        /// `VPC_ID`: use this existing VPC instead of creating one (default nil).
        public var vpcId: String?
        /// `PRIVATE_SUBNET_IDS`: with `VPC_ID`, the subnets (with a route to a NAT gateway) the
        /// container instances run in (default none; required with `VPC_ID`).
        public var privateSubnetIds: [String]

        // MARK: Scraper (ECS on EC2)

        /// `SCRAPER_INSTANCE_TYPE`: the container instances' type (default `t3.small`, the seed's).
        public var scraperInstanceType: String
        /// `SCRAPER_MIN_INSTANCES`: the smallest size of the instance group (default 1).
        public var scraperMinInstances: Int
        /// `SCRAPER_MAX_INSTANCES`: the largest size of the instance group (default 2).
        public var scraperMaxInstances: Int
        /// `SCRAPER_TASK_COUNT`: scraper tasks to run (default 0, as in the seed: push an image
        /// to the repository first, then raise it).
        public var scraperTaskCount: Int
        /// `SCRAPER_CPU`: CPU units reserved for the scraper container (default 1024).
        public var scraperCpu: Int
        /// `SCRAPER_MEMORY_MIB`: memory reserved for the scraper container (default 1024).
        public var scraperMemoryMiB: Int
        /// `SCRAPER_REPOSITORY_NAME`: an existing ECR repository holding the scraper image
        /// (default nil: the stack creates `<stackName>-scraper-repository`).
        public var scraperRepositoryName: String?
        /// `SCRAPER_IMAGE_TAG`: the image tag the tasks run (default `v1`; the stack's
        /// repository has immutable tags, so a new release is a new tag and a new deployment).
        public var scraperImageTag: String
        /// `SCRAPER_JOB_BASE_URL`: the job-post endpoint the scraper reads (environment
        /// `SINGLE_JOB_BASE_LINK`; default the seed's LinkedIn guest API URL).
        public var scraperJobBaseUrl: String
        /// `SCRAPER_READONLY_ROOT_FILESYSTEM`: run the container with a read-only root file
        /// system (default true; set false for an image that writes to its file system).
        public var scraperReadonlyRootFilesystem: Bool

        // MARK: De-duplication table

        /// `DEDUP_PARTITION_KEY`: the table's string key, the job post id (default `Job_ID`).
        public var dedupPartitionKey: String
        /// `DEDUP_TTL_ATTRIBUTE`: the epoch-seconds attribute after which DynamoDB deletes an
        /// item (default `ttl`; null for none).
        public var dedupTtlAttribute: String?

        // MARK: Queues and functions

        /// `QUEUE_VISIBILITY_TIMEOUT_SECONDS`: of both queues (default 180; at least the
        /// preprocessing timeout).
        public var queueVisibilityTimeoutSeconds: Int
        /// `QUEUE_RETENTION_DAYS`: how long queued job posts are kept, 1-14 (default 14).
        public var queueRetentionDays: Int
        /// `DLQ_MAX_RECEIVE_COUNT`: receives before a job post moves to the dead-letter queue
        /// (default 5).
        public var dlqMaxReceiveCount: Int
        /// `PREPROCESS_MEMORY_MB`: memory of the preprocessing function (default 1024).
        public var preprocessMemoryMB: Int
        /// `PREPROCESS_TIMEOUT_SECONDS`: timeout of the preprocessing function (default 180).
        public var preprocessTimeoutSeconds: Int
        /// `PREPROCESS_MAX_CONCURRENCY`: at most this many preprocessing invocations at once,
        /// 2-1000 (the event source's maximum concurrency; default 5).
        public var preprocessMaxConcurrency: Int
        /// `FUNCTIONS_DIR`: the folder with the functions' code, one sub-folder per function
        /// (`preprocess`, `archive`, `fetch`, `save`); relative paths are resolved against the
        /// working directory (default `functions/data-label`).
        public var functionsDirectory: String
        /// `PREPROCESSED_POSTS_PREFIX`: where the archive function writes preprocessed posts in
        /// the data bucket (default `preprocessed_posts/`).
        public var preprocessedPostsPrefix: String
        /// `LABELED_POSTS_PREFIX`: where the API writes labeled posts (default `labeled_posts/`).
        public var labeledPostsPrefix: String
        /// `LOG_RETENTION_DAYS`: retention of the functions' and tasks' logs (default 7).
        public var logRetentionDays: Int
        /// `ACCESS_LOG_RETENTION_DAYS`: S3 server access logs of the data and site buckets go to
        /// a log bucket that keeps them this many days (default 90; null: no access logs).
        public var accessLogRetentionDays: Int?

        // MARK: API

        /// `API_RESOURCE_PATH`: the path of the API's GET (next posts) and POST (labels)
        /// methods (default `Job-Posts`).
        public var apiResourcePath: String
        /// `API_STAGE_NAME`: default `prod`.
        public var apiStageName: String
        /// `API_CORS_ORIGINS`: origins allowed to call the API (default nil: `https://<SITE_DOMAIN>`
        /// with a custom domain, otherwise `*`).
        public var apiCorsOrigins: [String]?
        /// `API_THROTTLE_RATE`: steady requests per second of the stage (default 10).
        public var apiThrottleRate: Int
        /// `API_THROTTLE_BURST`: burst of the stage (default 20).
        public var apiThrottleBurst: Int
        /// `API_TRACING`: X-Ray tracing of the API stage (default true).
        public var apiTracing: Bool
        /// `API_ACCESS_LOGS`: JSON access logs of the API stage (default false: API Gateway
        /// needs the account's CloudWatch Logs role, which is set once per account and region).
        public var apiAccessLogs: Bool
        /// `API_CLOUDWATCH_ROLE`: create that account-wide role here (`AWS::ApiGateway::Account`,
        /// a per-region singleton: let only one stack own it; default false).
        public var apiCloudWatchRole: Bool

        // MARK: Site

        /// `SITE_DOMAIN`: a custom domain of the labeling site (default nil: the CloudFront
        /// domain name only).
        public var siteDomain: String?
        /// `SITE_CERTIFICATE_ARN`: an ACM certificate in us-east-1 for `SITE_DOMAIN`.
        public var siteCertificateArn: String?
        /// `HOSTED_ZONE_ID`: a Route 53 zone in which to create `SITE_DOMAIN`'s alias records
        /// (default nil: create the DNS record yourself).
        public var hostedZoneId: String?
        /// `HOSTED_ZONE_NAME`: the zone's domain name (required with `HOSTED_ZONE_ID`).
        public var hostedZoneName: String?

        public init(
            vpcCidr: String = "10.0.0.0/16", maxAzs: Int = 2, natGateways: Int = 1, vpcId: String? = nil,
            privateSubnetIds: [String] = [],
            scraperInstanceType: String = "t3.small", scraperMinInstances: Int = 1, scraperMaxInstances: Int = 2,
            scraperTaskCount: Int = 0, scraperCpu: Int = 1024, scraperMemoryMiB: Int = 1024,
            scraperRepositoryName: String? = nil, scraperImageTag: String = "v1",
            scraperJobBaseUrl: String = "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/",
            scraperReadonlyRootFilesystem: Bool = true,
            dedupPartitionKey: String = "Job_ID", dedupTtlAttribute: String? = "ttl",
            queueVisibilityTimeoutSeconds: Int = 180, queueRetentionDays: Int = 14, dlqMaxReceiveCount: Int = 5,
            preprocessMemoryMB: Int = 1024, preprocessTimeoutSeconds: Int = 180, preprocessMaxConcurrency: Int = 5,
            functionsDirectory: String = "functions/data-label",
            preprocessedPostsPrefix: String = "preprocessed_posts/", labeledPostsPrefix: String = "labeled_posts/",
            logRetentionDays: Int = 7, accessLogRetentionDays: Int? = 90,
            apiResourcePath: String = "Job-Posts", apiStageName: String = "prod", apiCorsOrigins: [String]? = nil,
            apiThrottleRate: Int = 10, apiThrottleBurst: Int = 20, apiTracing: Bool = true,
            apiAccessLogs: Bool = false, apiCloudWatchRole: Bool = false,
            siteDomain: String? = nil, siteCertificateArn: String? = nil,
            hostedZoneId: String? = nil, hostedZoneName: String? = nil
        ) {
            self.vpcCidr = vpcCidr
            self.maxAzs = maxAzs
            self.natGateways = natGateways
            self.vpcId = vpcId
            self.privateSubnetIds = privateSubnetIds
            self.scraperInstanceType = scraperInstanceType
            self.scraperMinInstances = scraperMinInstances
            self.scraperMaxInstances = scraperMaxInstances
            self.scraperTaskCount = scraperTaskCount
            self.scraperCpu = scraperCpu
            self.scraperMemoryMiB = scraperMemoryMiB
            self.scraperRepositoryName = scraperRepositoryName
            self.scraperImageTag = scraperImageTag
            self.scraperJobBaseUrl = scraperJobBaseUrl
            self.scraperReadonlyRootFilesystem = scraperReadonlyRootFilesystem
            self.dedupPartitionKey = dedupPartitionKey
            self.dedupTtlAttribute = dedupTtlAttribute
            self.queueVisibilityTimeoutSeconds = queueVisibilityTimeoutSeconds
            self.queueRetentionDays = queueRetentionDays
            self.dlqMaxReceiveCount = dlqMaxReceiveCount
            self.preprocessMemoryMB = preprocessMemoryMB
            self.preprocessTimeoutSeconds = preprocessTimeoutSeconds
            self.preprocessMaxConcurrency = preprocessMaxConcurrency
            self.functionsDirectory = functionsDirectory
            self.preprocessedPostsPrefix = preprocessedPostsPrefix
            self.labeledPostsPrefix = labeledPostsPrefix
            self.logRetentionDays = logRetentionDays
            self.accessLogRetentionDays = accessLogRetentionDays
            self.apiResourcePath = apiResourcePath
            self.apiStageName = apiStageName
            self.apiCorsOrigins = apiCorsOrigins
            self.apiThrottleRate = apiThrottleRate
            self.apiThrottleBurst = apiThrottleBurst
            self.apiTracing = apiTracing
            self.apiAccessLogs = apiAccessLogs
            self.apiCloudWatchRole = apiCloudWatchRole
            self.siteDomain = siteDomain
            self.siteCertificateArn = siteCertificateArn
            self.hostedZoneId = hostedZoneId
            self.hostedZoneName = hostedZoneName
        }

        /// The context keys this stack reads; any other key in a config file is an error.
        public static let keys: [String] = [
            "VPC_CIDR", "MAX_AZS", "NAT_GATEWAYS", "VPC_ID", "PRIVATE_SUBNET_IDS",
            "SCRAPER_INSTANCE_TYPE", "SCRAPER_MIN_INSTANCES", "SCRAPER_MAX_INSTANCES", "SCRAPER_TASK_COUNT",
            "SCRAPER_CPU", "SCRAPER_MEMORY_MIB", "SCRAPER_REPOSITORY_NAME", "SCRAPER_IMAGE_TAG",
            "SCRAPER_JOB_BASE_URL", "SCRAPER_READONLY_ROOT_FILESYSTEM",
            "DEDUP_PARTITION_KEY", "DEDUP_TTL_ATTRIBUTE",
            "QUEUE_VISIBILITY_TIMEOUT_SECONDS", "QUEUE_RETENTION_DAYS", "DLQ_MAX_RECEIVE_COUNT",
            "PREPROCESS_MEMORY_MB", "PREPROCESS_TIMEOUT_SECONDS", "PREPROCESS_MAX_CONCURRENCY", "FUNCTIONS_DIR",
            "PREPROCESSED_POSTS_PREFIX", "LABELED_POSTS_PREFIX", "LOG_RETENTION_DAYS", "ACCESS_LOG_RETENTION_DAYS",
            "API_RESOURCE_PATH", "API_STAGE_NAME", "API_CORS_ORIGINS", "API_THROTTLE_RATE", "API_THROTTLE_BURST",
            "API_TRACING", "API_ACCESS_LOGS", "API_CLOUDWATCH_ROLE",
            "SITE_DOMAIN", "SITE_CERTIFICATE_ARN", "HOSTED_ZONE_ID", "HOSTED_ZONE_NAME",
        ]

        /// Reads the settings from a config file's `context` (absent or null keys keep their
        /// defaults) and validates them; errors name the file and the key.
        public init(config: StackConfig) throws {
            for key in config.context.keys.sorted() where !Self.keys.contains(key) {
                throw ConfigError(file: config.file, key: "context.\(key)",
                                  "unknown key for the \(DataLabelStack.definitionName) stack (known keys: \(Self.keys.joined(separator: ", ")))")
            }
            let d = Settings()
            self.init(
                vpcCidr: try config.string("VPC_CIDR", default: d.vpcCidr),
                maxAzs: try config.int("MAX_AZS", default: d.maxAzs),
                natGateways: try config.int("NAT_GATEWAYS", default: d.natGateways),
                vpcId: try config.optionalString("VPC_ID"),
                privateSubnetIds: try config.stringList("PRIVATE_SUBNET_IDS") ?? d.privateSubnetIds,
                scraperInstanceType: try config.string("SCRAPER_INSTANCE_TYPE", default: d.scraperInstanceType),
                scraperMinInstances: try config.int("SCRAPER_MIN_INSTANCES", default: d.scraperMinInstances),
                scraperMaxInstances: try config.int("SCRAPER_MAX_INSTANCES", default: d.scraperMaxInstances),
                scraperTaskCount: try config.int("SCRAPER_TASK_COUNT", default: d.scraperTaskCount),
                scraperCpu: try config.int("SCRAPER_CPU", default: d.scraperCpu),
                scraperMemoryMiB: try config.int("SCRAPER_MEMORY_MIB", default: d.scraperMemoryMiB),
                scraperRepositoryName: try config.optionalString("SCRAPER_REPOSITORY_NAME"),
                scraperImageTag: try config.string("SCRAPER_IMAGE_TAG", default: d.scraperImageTag),
                scraperJobBaseUrl: try config.string("SCRAPER_JOB_BASE_URL", default: d.scraperJobBaseUrl),
                scraperReadonlyRootFilesystem: try config.bool("SCRAPER_READONLY_ROOT_FILESYSTEM", default: d.scraperReadonlyRootFilesystem),
                dedupPartitionKey: try config.string("DEDUP_PARTITION_KEY", default: d.dedupPartitionKey),
                dedupTtlAttribute: config.context["DEDUP_TTL_ATTRIBUTE"] == nil
                    ? d.dedupTtlAttribute : try config.optionalString("DEDUP_TTL_ATTRIBUTE"),
                queueVisibilityTimeoutSeconds: try config.int("QUEUE_VISIBILITY_TIMEOUT_SECONDS", default: d.queueVisibilityTimeoutSeconds),
                queueRetentionDays: try config.int("QUEUE_RETENTION_DAYS", default: d.queueRetentionDays),
                dlqMaxReceiveCount: try config.int("DLQ_MAX_RECEIVE_COUNT", default: d.dlqMaxReceiveCount),
                preprocessMemoryMB: try config.int("PREPROCESS_MEMORY_MB", default: d.preprocessMemoryMB),
                preprocessTimeoutSeconds: try config.int("PREPROCESS_TIMEOUT_SECONDS", default: d.preprocessTimeoutSeconds),
                preprocessMaxConcurrency: try config.int("PREPROCESS_MAX_CONCURRENCY", default: d.preprocessMaxConcurrency),
                functionsDirectory: try config.string("FUNCTIONS_DIR", default: d.functionsDirectory),
                preprocessedPostsPrefix: try config.string("PREPROCESSED_POSTS_PREFIX", default: d.preprocessedPostsPrefix),
                labeledPostsPrefix: try config.string("LABELED_POSTS_PREFIX", default: d.labeledPostsPrefix),
                logRetentionDays: try config.int("LOG_RETENTION_DAYS", default: d.logRetentionDays),
                accessLogRetentionDays: config.context["ACCESS_LOG_RETENTION_DAYS"] == nil
                    ? d.accessLogRetentionDays
                    : (config.context["ACCESS_LOG_RETENTION_DAYS"] == Value.null ? nil : try config.int("ACCESS_LOG_RETENTION_DAYS")),
                apiResourcePath: try config.string("API_RESOURCE_PATH", default: d.apiResourcePath),
                apiStageName: try config.string("API_STAGE_NAME", default: d.apiStageName),
                apiCorsOrigins: try config.stringList("API_CORS_ORIGINS"),
                apiThrottleRate: try config.int("API_THROTTLE_RATE", default: d.apiThrottleRate),
                apiThrottleBurst: try config.int("API_THROTTLE_BURST", default: d.apiThrottleBurst),
                apiTracing: try config.bool("API_TRACING", default: d.apiTracing),
                apiAccessLogs: try config.bool("API_ACCESS_LOGS", default: d.apiAccessLogs),
                apiCloudWatchRole: try config.bool("API_CLOUDWATCH_ROLE", default: d.apiCloudWatchRole),
                siteDomain: try config.optionalString("SITE_DOMAIN"),
                siteCertificateArn: try config.optionalString("SITE_CERTIFICATE_ARN"),
                hostedZoneId: try config.optionalString("HOSTED_ZONE_ID"),
                hostedZoneName: try config.optionalString("HOSTED_ZONE_NAME"))
            try validate(file: config.file)
        }

        /// The CORS origins the API and its functions allow.
        public var effectiveCorsOrigins: [String] {
            if let apiCorsOrigins { return apiCorsOrigins }
            if let siteDomain { return ["https://\(siteDomain)"] }
            return ["*"]
        }

        /// Checks the settings; the error names `file` and the offending key (`context.KEY`).
        public func validate(file: String = "settings") throws {
            func fail(_ key: String, _ message: String) -> ConfigError {
                ConfigError(file: file, key: "context.\(key)", message)
            }
            func range(_ value: Int, _ r: ClosedRange<Int>, _ key: String) throws {
                if !r.contains(value) { throw fail(key, "must be between \(r.lowerBound) and \(r.upperBound) (got \(value))") }
            }
            func nonEmpty(_ value: String, _ key: String) throws {
                if value.trimmingCharacters(in: .whitespaces).isEmpty { throw fail(key, "must not be empty") }
            }

            if let vpcId {
                if !(vpcId.hasPrefix("vpc-") && vpcId.count > 4) { throw fail("VPC_ID", "'\(vpcId)' is not a VPC id (vpc-...)") }
                if privateSubnetIds.isEmpty {
                    throw fail("PRIVATE_SUBNET_IDS", "required with VPC_ID: the subnets (with NAT egress) of the container instances")
                }
            } else {
                if !privateSubnetIds.isEmpty { throw fail("PRIVATE_SUBNET_IDS", "only used with VPC_ID") }
                if !Self.isCidr(vpcCidr) { throw fail("VPC_CIDR", "'\(vpcCidr)' is not an IPv4 CIDR block such as 10.0.0.0/16") }
                try range(maxAzs, 1...6, "MAX_AZS")
                try range(natGateways, 1...maxAzs, "NAT_GATEWAYS")
            }
            for id in privateSubnetIds where !(id.hasPrefix("subnet-") && id.count > 7) {
                throw fail("PRIVATE_SUBNET_IDS", "'\(id)' is not a subnet id (subnet-...)")
            }

            let typeParts = scraperInstanceType.split(separator: ".")
            if typeParts.count != 2 || typeParts.contains(where: { $0.isEmpty || !$0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } }) {
                throw fail("SCRAPER_INSTANCE_TYPE", "'\(scraperInstanceType)' is not an EC2 instance type such as t3.small")
            }
            try range(scraperMinInstances, 0...100, "SCRAPER_MIN_INSTANCES")
            try range(scraperMaxInstances, max(1, scraperMinInstances)...100, "SCRAPER_MAX_INSTANCES")
            try range(scraperTaskCount, 0...100, "SCRAPER_TASK_COUNT")
            try range(scraperCpu, 128...10240, "SCRAPER_CPU")
            try range(scraperMemoryMiB, 128...122_880, "SCRAPER_MEMORY_MIB")
            if let name = scraperRepositoryName, !Self.isRepositoryName(name) {
                throw fail("SCRAPER_REPOSITORY_NAME", "'\(name)' is not an ECR repository name (lower-case letters, digits, '.', '_', '-', '/')")
            }
            if scraperImageTag.isEmpty || scraperImageTag.count > 128
                || !scraperImageTag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
                throw fail("SCRAPER_IMAGE_TAG", "'\(scraperImageTag)' is not an image tag (letters, digits, '.', '_', '-')")
            }
            if !scraperJobBaseUrl.hasPrefix("https://") && !scraperJobBaseUrl.hasPrefix("http://") {
                throw fail("SCRAPER_JOB_BASE_URL", "must be an http(s) URL (got '\(scraperJobBaseUrl)')")
            }

            try nonEmpty(dedupPartitionKey, "DEDUP_PARTITION_KEY")
            if let ttl = dedupTtlAttribute {
                try nonEmpty(ttl, "DEDUP_TTL_ATTRIBUTE")
                if ttl == dedupPartitionKey { throw fail("DEDUP_TTL_ATTRIBUTE", "must differ from DEDUP_PARTITION_KEY") }
            }

            try range(preprocessTimeoutSeconds, 1...900, "PREPROCESS_TIMEOUT_SECONDS")
            try range(preprocessMemoryMB, 128...10240, "PREPROCESS_MEMORY_MB")
            try range(preprocessMaxConcurrency, 2...1000, "PREPROCESS_MAX_CONCURRENCY")
            try range(queueVisibilityTimeoutSeconds, 0...43_200, "QUEUE_VISIBILITY_TIMEOUT_SECONDS")
            if queueVisibilityTimeoutSeconds < preprocessTimeoutSeconds {
                throw fail("QUEUE_VISIBILITY_TIMEOUT_SECONDS", "must be at least PREPROCESS_TIMEOUT_SECONDS (\(preprocessTimeoutSeconds)): Lambda refuses the queue as an event source otherwise")
            }
            try range(queueRetentionDays, 1...14, "QUEUE_RETENTION_DAYS")
            try range(dlqMaxReceiveCount, 1...1000, "DLQ_MAX_RECEIVE_COUNT")
            try nonEmpty(functionsDirectory, "FUNCTIONS_DIR")
            for (key, prefix) in [("PREPROCESSED_POSTS_PREFIX", preprocessedPostsPrefix), ("LABELED_POSTS_PREFIX", labeledPostsPrefix)] {
                if prefix.isEmpty || prefix.hasPrefix("/") || !prefix.hasSuffix("/") || prefix.contains("*") {
                    throw fail(key, "must be a key prefix such as 'labeled_posts/' (no leading '/', ending with '/', no '*')")
                }
            }
            if preprocessedPostsPrefix.hasPrefix(labeledPostsPrefix) || labeledPostsPrefix.hasPrefix(preprocessedPostsPrefix) {
                throw fail("LABELED_POSTS_PREFIX", "must not overlap PREPROCESSED_POSTS_PREFIX (each writer may only write its own prefix)")
            }
            if let days = accessLogRetentionDays { try range(days, 1...3650, "ACCESS_LOG_RETENTION_DAYS") }
            if !Function.allowedLogRetentionDays.contains(logRetentionDays) {
                throw fail("LOG_RETENTION_DAYS", "\(logRetentionDays) is not a retention CloudWatch Logs accepts (\(Function.allowedLogRetentionDays.map(String.init).joined(separator: ", ")))")
            }

            if apiResourcePath.isEmpty || !apiResourcePath.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                throw fail("API_RESOURCE_PATH", "'\(apiResourcePath)' must be one path segment of letters, digits, '-', '_' and '.'")
            }
            if apiStageName.isEmpty || apiStageName.count > 128
                || !apiStageName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                throw fail("API_STAGE_NAME", "'\(apiStageName)' must be 1-128 letters, digits, '-' and '_'")
            }
            if let origins = apiCorsOrigins {
                if origins.isEmpty { throw fail("API_CORS_ORIGINS", "must name at least one origin (or be null)") }
                if origins.count > 1 && origins.contains("*") { throw fail("API_CORS_ORIGINS", "'*' must be the only origin when used") }
                for o in origins where o != "*" {
                    let local = o.hasPrefix("http://localhost") || o.hasPrefix("http://127.0.0.1")
                    if !(o.hasPrefix("https://") || local) || o.hasSuffix("/") || o.contains("'") {
                        throw fail("API_CORS_ORIGINS", "'\(o)' is not an origin such as https://labels.example.com (https, no path or trailing '/')")
                    }
                }
            }
            try range(apiThrottleRate, 1...10_000, "API_THROTTLE_RATE")
            try range(apiThrottleBurst, 1...5_000, "API_THROTTLE_BURST")

            if let domain = siteDomain {
                if !Self.isDomain(domain) { throw fail("SITE_DOMAIN", "'\(domain)' is not a domain name such as labels.example.com") }
                guard let cert = siteCertificateArn else {
                    throw fail("SITE_CERTIFICATE_ARN", "required with SITE_DOMAIN: an ACM certificate in us-east-1 covering it")
                }
                let parts = cert.split(separator: ":", omittingEmptySubsequences: false)
                if parts.count < 6 || parts[0] != "arn" || parts[2] != "acm" || !cert.contains(":certificate/") {
                    throw fail("SITE_CERTIFICATE_ARN", "'\(cert)' is not an ACM certificate ARN")
                }
                if parts[3] != "us-east-1" { throw fail("SITE_CERTIFICATE_ARN", "CloudFront only uses certificates from us-east-1 (got \(parts[3]))") }
            } else {
                if siteCertificateArn != nil { throw fail("SITE_CERTIFICATE_ARN", "only used with SITE_DOMAIN") }
                if hostedZoneId != nil { throw fail("HOSTED_ZONE_ID", "only used with SITE_DOMAIN") }
            }
            if let zoneId = hostedZoneId {
                if zoneId.isEmpty || !zoneId.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                    throw fail("HOSTED_ZONE_ID", "'\(zoneId)' is not a hosted zone id (upper-case letters and digits)")
                }
                guard let zone = hostedZoneName else { throw fail("HOSTED_ZONE_NAME", "required with HOSTED_ZONE_ID") }
                let z = zone.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
                let d = (siteDomain ?? "").lowercased()
                if !(d == z || d.hasSuffix("." + z)) { throw fail("HOSTED_ZONE_NAME", "SITE_DOMAIN '\(d)' is not in the zone '\(z)'") }
            } else if hostedZoneName != nil {
                throw fail("HOSTED_ZONE_ID", "required with HOSTED_ZONE_NAME")
            }
        }

        static func isCidr(_ s: String) -> Bool {
            let parts = s.split(separator: "/")
            guard parts.count == 2, let prefix = Int(parts[1]), (16...28).contains(prefix) else { return false }
            let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
        }

        static func isDomain(_ s: String) -> Bool {
            let labels = s.split(separator: ".", omittingEmptySubsequences: false)
            return labels.count >= 2 && s.count <= 253 && labels.allSatisfy { l in
                (1...63).contains(l.count) && l.first != "-" && l.last != "-"
                    && l.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
            }
        }

        static func isRepositoryName(_ s: String) -> Bool {
            (2...256).contains(s.count) && s.first.map { $0.isLowercase || $0.isNumber } == true
                && s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-/".contains($0)) }
        }
    }
}
