import Foundation
import InfraDSL

extension DataLabelStack {
    /// Every setting of the data-label stack: each context key declared once (type, default with
    /// the seed's value, check, doc line; `infra context data-label` lists them). Build it in Swift
    /// (`Settings(scraperInstanceType: "t3.medium")`) or read it from a config file's `context`
    /// (`Settings(config:)`). `validate(file:)` reports every problem; both `build` functions call it.
    public struct Settings: Sendable, Equatable {
        // MARK: Declarations (one per context key)

        public static let vpcCidr = Setting<String>("VPC_CIDR", default: "10.0.0.0/16", "the block of the VPC the stack creates",
                                                    check: { Validate.cidrProblem($0, prefixes: 16...28) })
        public static let maxAzs = Setting<Int>("MAX_AZS", default: 2, "availability zones of the new VPC", range: 1...6)
        public static let natGateways = Setting<Int>("NAT_GATEWAYS", default: 1, "NAT gateways of the new VPC, 1 to MAX_AZS (the scraper needs outbound access)")
        public static let vpcId = Setting<String?>("VPC_ID", default: nil, "use this existing VPC instead of creating one",
                                                   check: { $0.flatMap(Validate.vpcIdProblem) })
        public static let privateSubnetIds = Setting<[String]>(
            "PRIVATE_SUBNET_IDS", default: [], "with VPC_ID: the subnets (with a route to a NAT gateway) the container instances run in",
            check: Validate.subnetIdsProblem)
        public static let scraperInstanceType = Setting<String>(
            "SCRAPER_INSTANCE_TYPE", default: "t3.small", "the container instances' type",
            check: { t in
                let parts = t.split(separator: ".", omittingEmptySubsequences: false)
                return parts.count != 2 || parts.contains(where: { $0.isEmpty || !$0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } })
                    ? "'\(t)' is not an EC2 instance type such as t3.small" : nil })
        public static let scraperMinInstances = Setting<Int>("SCRAPER_MIN_INSTANCES", default: 1, "the smallest size of the instance group", range: 0...100)
        public static let scraperMaxInstances = Setting<Int>("SCRAPER_MAX_INSTANCES", default: 2, "the largest size of the instance group (at least SCRAPER_MIN_INSTANCES and 1)")
        public static let scraperTaskCount = Setting<Int>(
            "SCRAPER_TASK_COUNT", default: 1, "scraper tasks to run (the image gate holds the service at zero until the image is pushed)", range: 0...100)
        public static let scraperCpu = Setting<Int>("SCRAPER_CPU", default: 1024, "CPU units reserved for the scraper container", range: 128...10240)
        public static let scraperMemoryMiB = Setting<Int>("SCRAPER_MEMORY_MIB", default: 1024, "memory reserved for the scraper container, MiB", range: 128...122_880)
        public static let scraperRepositoryName = Setting<String?>(
            "SCRAPER_REPOSITORY_NAME", default: nil, "an existing ECR repository holding the scraper image (null: the stack creates one)",
            check: { $0.flatMap { Validate.isECRRepositoryName($0) ? nil : "'\($0)' is not an ECR repository name (\(Validate.ecrRepositoryNameRule))" } })
        public static let scraperImageTag = Setting<String>(
            "SCRAPER_IMAGE_TAG", default: "v1", "the image tag the tasks run (immutable tags: a release is a new tag)",
            check: { Validate.isImageTag($0) ? nil : "'\($0)' is not an image tag (\(Validate.imageTagRule))" })
        public static let scraperJobBaseUrl = Setting<String>(
            "SCRAPER_JOB_BASE_URL", default: "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/", "the job-post endpoint the scraper reads",
            check: { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? nil : "must be an http(s) URL (got '\($0)')" })
        public static let scraperReadonlyRootFilesystem = Setting<Bool>(
            "SCRAPER_READONLY_ROOT_FILESYSTEM", default: true, "run the container with a read-only root file system")
        public static let dedupPartitionKey = Setting<String>("DEDUP_PARTITION_KEY", default: "Job_ID", "the de-duplication table's string key", check: nonEmpty)
        public static let dedupTtlAttribute = Setting<String?>(
            "DEDUP_TTL_ATTRIBUTE", default: "ttl", "the epoch-seconds attribute after which DynamoDB deletes an item (null: none)",
            check: { $0.flatMap(nonEmpty) })
        public static let queueVisibilityTimeoutSeconds = Setting<Int>(
            "QUEUE_VISIBILITY_TIMEOUT_SECONDS", default: 180, "visibility timeout of both queues (at least PREPROCESS_TIMEOUT_SECONDS)", range: 0...43_200)
        public static let queueRetentionDays = Setting<Int>("QUEUE_RETENTION_DAYS", default: 14, "how long queued job posts are kept", range: 1...14)
        public static let dlqMaxReceiveCount = Setting<Int>("DLQ_MAX_RECEIVE_COUNT", default: 5, "receives before a job post moves to the dead-letter queue", range: 1...1000)
        public static let preprocessMemoryMB = Setting<Int>("PREPROCESS_MEMORY_MB", default: 1024, "memory of the preprocessing function, MB", range: 128...10240)
        public static let preprocessTimeoutSeconds = Setting<Int>("PREPROCESS_TIMEOUT_SECONDS", default: 180, "timeout of the preprocessing function", range: 1...900)
        public static let preprocessMaxConcurrency = Setting<Int>(
            "PREPROCESS_MAX_CONCURRENCY", default: 5, "at most this many preprocessing invocations at once", range: 2...1000)
        public static let functionsDirectory = Setting<String>(
            "FUNCTIONS_DIR", default: "functions/data-label", "the functions' code, one folder per function (relative to the working directory)", check: nonEmpty)
        public static let preprocessedPostsPrefix = Setting<String>(
            "PREPROCESSED_POSTS_PREFIX", default: "preprocessed_posts/", "where the archive function writes preprocessed posts", check: keyPrefix)
        public static let labeledPostsPrefix = Setting<String>(
            "LABELED_POSTS_PREFIX", default: "labeled_posts/", "where the API writes labeled posts", check: keyPrefix)
        public static let logRetentionDays = Setting<Int>(
            "LOG_RETENTION_DAYS", default: 7, "retention of the functions' and tasks' logs, days", check: Validate.logRetentionProblem)
        public static let accessLogRetentionDays = Setting<Int?>(
            "ACCESS_LOG_RETENTION_DAYS", default: 90, "days the log bucket keeps S3 access logs of the data and site buckets (null: no access logs)",
            check: { $0.flatMap { Validate.rangeProblem($0, 1...3650) } })
        public static let apiResourcePath = Setting<String>(
            "API_RESOURCE_PATH", default: "Job-Posts", "the path of the API's GET (next posts) and POST (labels) methods",
            check: Validate.apiPathSegmentProblem)
        public static let apiStageName = Setting<String>(
            "API_STAGE_NAME", default: "prod", "the API stage",
            check: Validate.apiStageNameProblem)
        public static let apiCorsOrigins = Setting<[String]?>(
            "API_CORS_ORIGINS", default: nil, "origins allowed to call the API (null: https://SITE_DOMAIN with a custom domain, otherwise *)",
            check: { $0.flatMap(Validate.corsOriginsProblem) })
        public static let apiThrottleRate = Setting<Int>("API_THROTTLE_RATE", default: 10, "steady requests per second of the stage", range: 1...10_000)
        public static let apiThrottleBurst = Setting<Int>("API_THROTTLE_BURST", default: 20, "burst of the stage", range: 1...5_000)
        public static let apiTracing = Setting<Bool>("API_TRACING", default: true, "X-Ray tracing of the API stage")
        public static let apiAccessLogs = Setting<Bool>(
            "API_ACCESS_LOGS", default: false, "JSON access logs of the API stage (needs the account's CloudWatch Logs role)")
        public static let apiCloudWatchRole = Setting<Bool>(
            "API_CLOUDWATCH_ROLE", default: false, "create the account-wide API Gateway logging role here (one stack per region may own it)")
        public static let siteDomain = Setting<String?>(
            "SITE_DOMAIN", default: nil, "a custom domain of the labeling site (null: the CloudFront domain name only)",
            check: { $0.flatMap { Validate.isDomainName($0, underscore: false) ? nil : "'\($0)' is not a domain name such as labels.example.com" } })
        public static let siteCertificateArn = Setting<String?>(
            "SITE_CERTIFICATE_ARN", default: nil, "an ACM certificate in us-east-1 for SITE_DOMAIN",
            check: { $0.flatMap(Validate.cloudFrontCertificateProblem) })
        public static let hostedZoneId = Setting<String?>(
            "HOSTED_ZONE_ID", default: nil, "a Route 53 zone in which to create SITE_DOMAIN's alias records (null: create the record yourself)",
            check: { $0.flatMap { Validate.isHostedZoneId($0) ? nil : "'\($0)' is not a hosted zone id (upper-case letters and digits)" } })
        public static let hostedZoneName = Setting<String?>("HOSTED_ZONE_NAME", default: nil, "the zone's domain name (required with HOSTED_ZONE_ID)")

        public static let schema = SettingsSchema(DataLabelStack.definitionName, [
            vpcCidr.any, maxAzs.any, natGateways.any, vpcId.any, privateSubnetIds.any, scraperInstanceType.any, scraperMinInstances.any,
            scraperMaxInstances.any, scraperTaskCount.any, scraperCpu.any, scraperMemoryMiB.any, scraperRepositoryName.any,
            scraperImageTag.any, scraperJobBaseUrl.any, scraperReadonlyRootFilesystem.any, dedupPartitionKey.any, dedupTtlAttribute.any,
            queueVisibilityTimeoutSeconds.any, queueRetentionDays.any, dlqMaxReceiveCount.any, preprocessMemoryMB.any,
            preprocessTimeoutSeconds.any, preprocessMaxConcurrency.any, functionsDirectory.any, preprocessedPostsPrefix.any,
            labeledPostsPrefix.any, logRetentionDays.any, accessLogRetentionDays.any, apiResourcePath.any, apiStageName.any,
            apiCorsOrigins.any, apiThrottleRate.any, apiThrottleBurst.any, apiTracing.any, apiAccessLogs.any, apiCloudWatchRole.any,
            siteDomain.any, siteCertificateArn.any, hostedZoneId.any, hostedZoneName.any,
        ])
        /// The context keys this stack reads; any other key in a config file is an error.
        public static let keys = schema.keys

        static func nonEmpty(_ s: String) -> String? { s.trimmingCharacters(in: .whitespaces).isEmpty ? "must not be empty" : nil }

        static func keyPrefix(_ p: String) -> String? {
            p.isEmpty || p.hasPrefix("/") || !p.hasSuffix("/") || p.contains("*")
                ? "must be a key prefix such as 'labeled_posts/' (no leading '/', ending with '/', no '*')" : nil
        }

        // MARK: Values (documented by their declarations)

        public var vpcCidr: String
        public var maxAzs: Int
        public var natGateways: Int
        public var vpcId: String?
        public var privateSubnetIds: [String]
        public var scraperInstanceType: String
        public var scraperMinInstances: Int
        public var scraperMaxInstances: Int
        public var scraperTaskCount: Int
        public var scraperCpu: Int
        /// `SCRAPER_MEMORY_MIB`.
        public var scraperMemory: MemorySize
        public var scraperRepositoryName: String?
        public var scraperImageTag: String
        public var scraperJobBaseUrl: String
        public var scraperReadonlyRootFilesystem: Bool
        public var dedupPartitionKey: String
        public var dedupTtlAttribute: String?
        /// `QUEUE_VISIBILITY_TIMEOUT_SECONDS`.
        public var queueVisibilityTimeout: TimeSpan
        /// `QUEUE_RETENTION_DAYS`.
        public var queueRetention: TimeSpan
        public var dlqMaxReceiveCount: Int
        /// `PREPROCESS_MEMORY_MB`.
        public var preprocessMemory: MemorySize
        /// `PREPROCESS_TIMEOUT_SECONDS`.
        public var preprocessTimeout: TimeSpan
        public var preprocessMaxConcurrency: Int
        public var functionsDirectory: String
        public var preprocessedPostsPrefix: String
        public var labeledPostsPrefix: String
        /// `LOG_RETENTION_DAYS`.
        public var logRetention: TimeSpan
        /// `ACCESS_LOG_RETENTION_DAYS`.
        public var accessLogRetention: TimeSpan?
        public var apiResourcePath: String
        public var apiStageName: String
        public var apiCorsOrigins: [String]?
        public var apiThrottleRate: Int
        public var apiThrottleBurst: Int
        public var apiTracing: Bool
        public var apiAccessLogs: Bool
        public var apiCloudWatchRole: Bool
        public var siteDomain: String?
        public var siteCertificateArn: String?
        public var hostedZoneId: String?
        public var hostedZoneName: String?

        public init(
            vpcCidr: String = "10.0.0.0/16", maxAzs: Int = 2, natGateways: Int = 1, vpcId: String? = nil,
            privateSubnetIds: [String] = [],
            scraperInstanceType: String = "t3.small", scraperMinInstances: Int = 1, scraperMaxInstances: Int = 2,
            scraperTaskCount: Int = 1, scraperCpu: Int = 1024, scraperMemory: MemorySize = .mebibytes(1024),
            scraperRepositoryName: String? = nil, scraperImageTag: String = "v1",
            scraperJobBaseUrl: String = "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/",
            scraperReadonlyRootFilesystem: Bool = true,
            dedupPartitionKey: String = "Job_ID", dedupTtlAttribute: String? = "ttl",
            queueVisibilityTimeout: TimeSpan = .seconds(180), queueRetention: TimeSpan = .days(14), dlqMaxReceiveCount: Int = 5,
            preprocessMemory: MemorySize = .mebibytes(1024), preprocessTimeout: TimeSpan = .seconds(180), preprocessMaxConcurrency: Int = 5,
            functionsDirectory: String = "functions/data-label",
            preprocessedPostsPrefix: String = "preprocessed_posts/", labeledPostsPrefix: String = "labeled_posts/",
            logRetention: TimeSpan = .days(7), accessLogRetention: TimeSpan? = .days(90),
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
            self.scraperMemory = scraperMemory
            self.scraperRepositoryName = scraperRepositoryName
            self.scraperImageTag = scraperImageTag
            self.scraperJobBaseUrl = scraperJobBaseUrl
            self.scraperReadonlyRootFilesystem = scraperReadonlyRootFilesystem
            self.dedupPartitionKey = dedupPartitionKey
            self.dedupTtlAttribute = dedupTtlAttribute
            self.queueVisibilityTimeout = queueVisibilityTimeout
            self.queueRetention = queueRetention
            self.dlqMaxReceiveCount = dlqMaxReceiveCount
            self.preprocessMemory = preprocessMemory
            self.preprocessTimeout = preprocessTimeout
            self.preprocessMaxConcurrency = preprocessMaxConcurrency
            self.functionsDirectory = functionsDirectory
            self.preprocessedPostsPrefix = preprocessedPostsPrefix
            self.labeledPostsPrefix = labeledPostsPrefix
            self.logRetention = logRetention
            self.accessLogRetention = accessLogRetention
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

        /// Reads the settings from a config file's `context` (absent keys keep their defaults;
        /// null is "not set" for optional keys) and validates them; all problems are reported
        /// together, each naming the file and the key.
        public init(config: StackConfig) throws {
            let r = SettingsReader(config, Self.schema)
            self.init(
                vpcCidr: r[Self.vpcCidr],
                maxAzs: r[Self.maxAzs],
                natGateways: r[Self.natGateways],
                vpcId: r[Self.vpcId],
                privateSubnetIds: r[Self.privateSubnetIds],
                scraperInstanceType: r[Self.scraperInstanceType],
                scraperMinInstances: r[Self.scraperMinInstances],
                scraperMaxInstances: r[Self.scraperMaxInstances],
                scraperTaskCount: r[Self.scraperTaskCount],
                scraperCpu: r[Self.scraperCpu],
                scraperMemory: .mebibytes(r[Self.scraperMemoryMiB]),
                scraperRepositoryName: r[Self.scraperRepositoryName],
                scraperImageTag: r[Self.scraperImageTag],
                scraperJobBaseUrl: r[Self.scraperJobBaseUrl],
                scraperReadonlyRootFilesystem: r[Self.scraperReadonlyRootFilesystem],
                dedupPartitionKey: r[Self.dedupPartitionKey],
                dedupTtlAttribute: r[Self.dedupTtlAttribute],
                queueVisibilityTimeout: .seconds(r[Self.queueVisibilityTimeoutSeconds]),
                queueRetention: .days(r[Self.queueRetentionDays]),
                dlqMaxReceiveCount: r[Self.dlqMaxReceiveCount],
                preprocessMemory: .mebibytes(r[Self.preprocessMemoryMB]),
                preprocessTimeout: .seconds(r[Self.preprocessTimeoutSeconds]),
                preprocessMaxConcurrency: r[Self.preprocessMaxConcurrency],
                functionsDirectory: r[Self.functionsDirectory],
                preprocessedPostsPrefix: r[Self.preprocessedPostsPrefix],
                labeledPostsPrefix: r[Self.labeledPostsPrefix],
                logRetention: .days(r[Self.logRetentionDays]),
                accessLogRetention: r[Self.accessLogRetentionDays].map(TimeSpan.days),
                apiResourcePath: r[Self.apiResourcePath],
                apiStageName: r[Self.apiStageName],
                apiCorsOrigins: r[Self.apiCorsOrigins],
                apiThrottleRate: r[Self.apiThrottleRate],
                apiThrottleBurst: r[Self.apiThrottleBurst],
                apiTracing: r[Self.apiTracing],
                apiAccessLogs: r[Self.apiAccessLogs],
                apiCloudWatchRole: r[Self.apiCloudWatchRole],
                siteDomain: r[Self.siteDomain],
                siteCertificateArn: r[Self.siteCertificateArn],
                hostedZoneId: r[Self.hostedZoneId],
                hostedZoneName: r[Self.hostedZoneName])
            r.fail(crossFieldProblems())
            try r.finish()
        }

        /// The CORS origins the API and its functions allow.
        public var effectiveCorsOrigins: [String] {
            if let apiCorsOrigins { return apiCorsOrigins }
            if let siteDomain { return ["https://\(siteDomain)"] }
            return ["*"]
        }

        /// Checks the settings; the error names `file` and every offending key (`context.KEY`).
        public func validate(file: String = "settings") throws {
            let values: [(key: String, message: String)?] = [
                Self.vpcCidr.problem(vpcCidr), Self.maxAzs.problem(maxAzs), Self.vpcId.problem(vpcId),
                Self.privateSubnetIds.problem(privateSubnetIds), Self.scraperInstanceType.problem(scraperInstanceType),
                Self.scraperMinInstances.problem(scraperMinInstances), Self.scraperTaskCount.problem(scraperTaskCount),
                Self.scraperCpu.problem(scraperCpu), Self.scraperMemoryMiB.problem(scraperMemory.mebibytes),
                Self.scraperRepositoryName.problem(scraperRepositoryName), Self.scraperImageTag.problem(scraperImageTag),
                Self.scraperJobBaseUrl.problem(scraperJobBaseUrl), Self.dedupPartitionKey.problem(dedupPartitionKey),
                Self.dedupTtlAttribute.problem(dedupTtlAttribute), Self.queueVisibilityTimeoutSeconds.problem(queueVisibilityTimeout.seconds),
                Self.queueRetentionDays.problem(queueRetention.count(of: .days)), Self.dlqMaxReceiveCount.problem(dlqMaxReceiveCount),
                Self.preprocessMemoryMB.problem(preprocessMemory.mebibytes), Self.preprocessTimeoutSeconds.problem(preprocessTimeout.seconds),
                Self.preprocessMaxConcurrency.problem(preprocessMaxConcurrency), Self.functionsDirectory.problem(functionsDirectory),
                Self.preprocessedPostsPrefix.problem(preprocessedPostsPrefix), Self.labeledPostsPrefix.problem(labeledPostsPrefix),
                Self.logRetentionDays.problem(logRetention.count(of: .days)), Self.accessLogRetentionDays.problem(accessLogRetention?.count(of: .days)),
                Self.apiResourcePath.problem(apiResourcePath), Self.apiStageName.problem(apiStageName),
                Self.apiCorsOrigins.problem(apiCorsOrigins), Self.apiThrottleRate.problem(apiThrottleRate),
                Self.apiThrottleBurst.problem(apiThrottleBurst), Self.siteDomain.problem(siteDomain),
                Self.siteCertificateArn.problem(siteCertificateArn), Self.hostedZoneId.problem(hostedZoneId),
            ]
            let all = values.compactMap { $0 } + crossFieldProblems()
            if let e = ConfigError.collecting(all.map { ConfigError(file: file, key: "context.\($0.key)", $0.message) }) { throw e }
        }

        /// The rules between keys.
        func crossFieldProblems() -> [(key: String, message: String)] {
            var p: [(key: String, message: String)] = []
            if vpcId != nil {
                if privateSubnetIds.isEmpty {
                    p.append(("PRIVATE_SUBNET_IDS", "required with VPC_ID: the subnets (with NAT egress) of the container instances"))
                }
            } else {
                if !privateSubnetIds.isEmpty { p.append(("PRIVATE_SUBNET_IDS", "only used with VPC_ID")) }
                if let problem = Validate.rangeProblem(natGateways, 1...max(1, maxAzs)) { p.append(("NAT_GATEWAYS", problem)) }
            }
            if let problem = Validate.rangeProblem(scraperMaxInstances, max(1, scraperMinInstances)...100) { p.append(("SCRAPER_MAX_INSTANCES", problem)) }
            if let ttl = dedupTtlAttribute, ttl == dedupPartitionKey { p.append(("DEDUP_TTL_ATTRIBUTE", "must differ from DEDUP_PARTITION_KEY")) }
            if queueVisibilityTimeout < preprocessTimeout {
                p.append(("QUEUE_VISIBILITY_TIMEOUT_SECONDS", "must be at least PREPROCESS_TIMEOUT_SECONDS (\(preprocessTimeout.seconds)): Lambda refuses the queue as an event source otherwise"))
            }
            if preprocessedPostsPrefix.hasPrefix(labeledPostsPrefix) || labeledPostsPrefix.hasPrefix(preprocessedPostsPrefix) {
                p.append(("LABELED_POSTS_PREFIX", "must not overlap PREPROCESSED_POSTS_PREFIX (each writer may only write its own prefix)"))
            }
            p += Validate.siteDomainProblems(domain: siteDomain, certificateArn: siteCertificateArn, hostedZoneId: hostedZoneId,
                                             hostedZoneName: hostedZoneName)
            return p
        }
    }
}
