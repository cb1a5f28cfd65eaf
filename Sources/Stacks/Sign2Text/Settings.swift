import InfraDSL

extension Sign2TextStack {
    /// Every setting of the Sign2Text stack: each context key declared once (type, default,
    /// check, doc line); `infra context sign2text` lists them.
    public struct Settings: Equatable, Sendable {
        public static let vpcCidr = Setting<String>("VPC_CIDR", default: "10.0.0.0/16", "the block of the VPC",
                                                    check: { Validate.cidrProblem($0, prefixes: 16...28) })
        public static let natGateways = Setting<Int>("NAT_GATEWAYS", default: 1, "NAT gateways, 1 or 2", range: 1...2)
        public static let repositoryName = Setting<String?>(
            "REPOSITORY_NAME", default: nil, "the ECR repository the stack creates (null: generated, so a repository kept by an earlier destroy never blocks a deploy)",
            check: { $0.flatMap { Validate.isECRRepositoryName($0) ? nil : "'\($0)' is not an ECR repository name (\(Validate.ecrRepositoryNameRule))" } })
        public static let imageTag = Setting<String>(
            "IMAGE_TAG", default: "latest", "the tag the service runs (latest: mutable tags; any other: immutable)",
            check: { Validate.isImageTag($0) ? nil : "'\($0)' is not an image tag (\(Validate.imageTagRule))" })
        public static let keepImages = Setting<Int>("KEEP_IMAGES", default: 10, "the repository keeps the newest n images", range: 1...10000)
        public static let containerPort = Setting<Int>("CONTAINER_PORT", default: 8000, "the port of the FastAPI server", range: Validate.ports)
        public static let taskCpu = Setting<Int>("TASK_CPU", default: 2048, "CPU units of the task (a Fargate size)")
        public static let taskMemoryMiB = Setting<Int>("TASK_MEMORY", default: 6144, "memory of the task, MiB (the model needs about 6 GB)")
        public static let desiredCount = Setting<Int>("DESIRED_COUNT", default: 1, "tasks to run", range: 0...1000)
        public static let healthCheckPath = Setting<String>(
            "HEALTH_CHECK_PATH", default: "/docs", "the health check's path (the API has no / route)",
            check: { $0.hasPrefix("/") && !$0.contains(" ") ? nil : "'\($0)' must be a path starting with '/'" })
        public static let healthCheckGraceSeconds = Setting<Int>(
            "HEALTH_CHECK_GRACE_SECONDS", default: 300, "time to load the model before health checks count", range: 0...7200)
        public static let idleTimeoutSeconds = Setting<Int>(
            "IDLE_TIMEOUT_SECONDS", default: 300, "the load balancer's idle timeout (video uploads, inference)", range: Validate.albIdleTimeoutSeconds)
        public static let certificateArn = Setting<String?>(
            "CERTIFICATE_ARN", default: nil, "an existing ACM certificate for the subdomain (null: created and validated by DNS in the zone)",
            check: { $0.flatMap { Validate.isARN($0, service: "acm", resourcePrefix: "certificate/") ? nil
                : "'\($0)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" } })
        public static let hostedZoneId = Setting<String?>(
            "HOSTED_ZONE_ID", default: nil, "the existing Route 53 zone of the domain (null with HOSTED_ZONE_NAME null: no DNS record)",
            check: { $0.flatMap { Validate.isHostedZoneId($0) ? nil : "'\($0)' is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABC)" } })
        public static let hostedZoneName = Setting<String?>(
            "HOSTED_ZONE_NAME", default: "sign2text.com", "the domain of HOSTED_ZONE_ID",
            check: { $0.flatMap { Validate.isDomainName($0, underscore: false) ? nil : "'\($0)' is not a domain name such as sign2text.com" } })
        public static let subdomain = Setting<String>(
            "SUBDOMAIN", default: "api", "the alias record's name in the zone (api: api.sign2text.com)",
            check: { Validate.isDNSName($0, underscore: false) && !$0.hasSuffix(".") ? nil
                : "'\($0)' is not a DNS name (letters, digits and hyphens, labels separated by dots)" })
        public static let albAccessLogs = Setting<Bool>("ALB_ACCESS_LOGS", default: true, "access logs to a bucket of the stack")
        public static let accessLogRetentionDays = Setting<Int>("ACCESS_LOG_RETENTION_DAYS", default: 90, "days the access logs are kept", range: 1...36500)

        public static let schema = SettingsSchema(Sign2TextStack.definitionName, [
            vpcCidr.any, natGateways.any, repositoryName.any, imageTag.any, keepImages.any, containerPort.any, taskCpu.any,
            taskMemoryMiB.any, desiredCount.any, healthCheckPath.any, healthCheckGraceSeconds.any, idleTimeoutSeconds.any,
            certificateArn.any, hostedZoneId.any, hostedZoneName.any, subdomain.any, albAccessLogs.any, accessLogRetentionDays.any,
        ])
        /// The context keys the stack reads; any other key is reported as unknown.
        public static let keys = schema.keys

        public var vpcCidr = Self.vpcCidr.defaultValue
        public var natGateways = Self.natGateways.defaultValue
        public var repositoryName = Self.repositoryName.defaultValue
        public var imageTag = Self.imageTag.defaultValue
        public var keepImages = Self.keepImages.defaultValue
        public var containerPort = Self.containerPort.defaultValue
        public var taskCpu = Self.taskCpu.defaultValue
        /// `TASK_MEMORY` (MiB).
        public var taskMemory = MemorySize.mebibytes(Self.taskMemoryMiB.defaultValue)
        public var desiredCount = Self.desiredCount.defaultValue
        public var healthCheckPath = Self.healthCheckPath.defaultValue
        /// `HEALTH_CHECK_GRACE_SECONDS`.
        public var healthCheckGracePeriod = TimeSpan.seconds(Self.healthCheckGraceSeconds.defaultValue)
        /// `IDLE_TIMEOUT_SECONDS`.
        public var idleTimeout = TimeSpan.seconds(Self.idleTimeoutSeconds.defaultValue)
        public var certificateArn = Self.certificateArn.defaultValue
        public var hostedZoneId = Self.hostedZoneId.defaultValue
        public var hostedZoneName = Self.hostedZoneName.defaultValue
        public var subdomain = Self.subdomain.defaultValue
        public var albAccessLogs = Self.albAccessLogs.defaultValue
        /// `ACCESS_LOG_RETENTION_DAYS`.
        public var accessLogRetention = TimeSpan.days(Self.accessLogRetentionDays.defaultValue)

        /// The defaults of `config/sign2text.json`; set properties to change them.
        public init() {}

        /// Reads and validates the context of a config file; all problems are reported together,
        /// each naming the file and the key.
        public init(config: StackConfig) throws {
            let r = SettingsReader(config, Self.schema)
            vpcCidr = r[Self.vpcCidr]
            natGateways = r[Self.natGateways]
            repositoryName = r[Self.repositoryName]
            imageTag = r[Self.imageTag]
            keepImages = r[Self.keepImages]
            containerPort = r[Self.containerPort]
            taskCpu = r[Self.taskCpu]
            taskMemory = .mebibytes(r[Self.taskMemoryMiB])
            desiredCount = r[Self.desiredCount]
            healthCheckPath = r[Self.healthCheckPath]
            healthCheckGracePeriod = .seconds(r[Self.healthCheckGraceSeconds])
            idleTimeout = .seconds(r[Self.idleTimeoutSeconds])
            certificateArn = r[Self.certificateArn]
            hostedZoneId = r[Self.hostedZoneId]
            hostedZoneName = r[Self.hostedZoneName]
            subdomain = r[Self.subdomain]
            albAccessLogs = r[Self.albAccessLogs]
            accessLogRetention = .days(r[Self.accessLogRetentionDays])
            r.fail(crossFieldProblems())
            try r.finish()
        }

        /// What is wrong with these settings, by context key (empty when they are valid).
        public func problems() -> [(key: String, message: String)] {
            [
                Self.vpcCidr.problem(vpcCidr), Self.natGateways.problem(natGateways), Self.repositoryName.problem(repositoryName),
                Self.imageTag.problem(imageTag), Self.keepImages.problem(keepImages), Self.containerPort.problem(containerPort),
                Self.desiredCount.problem(desiredCount), Self.healthCheckPath.problem(healthCheckPath),
                Self.healthCheckGraceSeconds.problem(healthCheckGracePeriod.seconds), Self.idleTimeoutSeconds.problem(idleTimeout.seconds),
                Self.certificateArn.problem(certificateArn), Self.hostedZoneId.problem(hostedZoneId),
                Self.hostedZoneName.problem(hostedZoneName), Self.subdomain.problem(subdomain),
                Self.accessLogRetentionDays.problem(accessLogRetention.count(of: .days)),
            ].compactMap { $0 } + crossFieldProblems()
        }

        /// The rules between keys.
        func crossFieldProblems() -> [(key: String, message: String)] {
            var p: [(key: String, message: String)] = []
            if let problem = Validate.fargateSizeProblem(cpu: taskCpu, memory: taskMemory, cpuKey: "TASK_CPU", memoryKey: "TASK_MEMORY") {
                p.append(problem)
            }
            switch (hostedZoneId, hostedZoneName) {
            case (nil, nil):
                if certificateArn == nil {
                    p.append(("CERTIFICATE_ARN", "is required without a hosted zone (HOSTED_ZONE_ID null): the API is served over HTTPS, and a certificate can only be created and validated in a hosted zone"))
                }
            case (nil, _?):
                p.append(("HOSTED_ZONE_ID", "is required with HOSTED_ZONE_NAME (set both, or both null for no DNS record)"))
            case (_?, nil):
                p.append(("HOSTED_ZONE_NAME", "is required with HOSTED_ZONE_ID (set both, or both null for no DNS record)"))
            case (_?, _?):
                break
            }
            return p
        }
    }
}
