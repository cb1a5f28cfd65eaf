import InfraDSL

extension Sign2TextStack {
    /// Every setting of the Sign2Text stack, with the defaults of `config/sign2text.json`. Each
    /// property names the context key it is read from.
    public struct Settings: Equatable, Sendable {
        /// `VPC_CIDR`: the block of the VPC (default `10.0.0.0/16`).
        public var vpcCidr: String
        /// `NAT_GATEWAYS`: 1 or 2 (default 1).
        public var natGateways: Int
        /// `REPOSITORY_NAME`: the ECR repository the images are pushed to (default `sign2text`, as in the seed).
        public var repositoryName: String
        /// `IMAGE_TAG`: the tag the service runs (default `latest`). Tags are immutable: push a new
        /// tag and deploy with it to release.
        public var imageTag: String
        /// `KEEP_IMAGES`: the repository keeps the newest n images (default 10).
        public var keepImages: Int
        /// `IMAGES_PUSHED`: false for the first deployment, before an image exists (the service
        /// then runs no task); default true.
        public var imagesPushed: Bool
        /// `CONTAINER_PORT`: the port of the FastAPI server (default 8000).
        public var containerPort: Int
        /// `TASK_CPU` / `TASK_MEMORY`: the task size (default 2048 CPU units / 6144 MiB: the model
        /// needs about 6 GB).
        public var taskCpu: Int
        public var taskMemoryMiB: Int
        /// `DESIRED_COUNT`: tasks (default 1).
        public var desiredCount: Int
        /// `HEALTH_CHECK_PATH`: default `/docs` (the API has no `/` route).
        public var healthCheckPath: String
        /// `HEALTH_CHECK_GRACE_SECONDS`: time to load the model before health checks count (default 300).
        public var healthCheckGraceSeconds: Int
        /// `IDLE_TIMEOUT_SECONDS`: the load balancer's idle timeout, for video uploads and
        /// inference (default 300).
        public var idleTimeoutSeconds: Int
        /// `CERTIFICATE_ARN`: an existing ACM certificate for the subdomain (default nil: a
        /// certificate is created and validated by DNS in the hosted zone).
        public var certificateArn: String?
        /// `HOSTED_ZONE_ID` / `HOSTED_ZONE_NAME`: the existing Route 53 zone of the domain (default
        /// none / `sign2text.com`: the zone id must be given); both null: no DNS record, and then
        /// `CERTIFICATE_ARN` is required.
        public var hostedZoneId: String?
        public var hostedZoneName: String?
        /// `SUBDOMAIN`: the alias record's name in the zone (default `api`: `api.sign2text.com`).
        public var subdomain: String
        /// `ALB_ACCESS_LOGS` / `ACCESS_LOG_RETENTION_DAYS`: access logs to a bucket of the stack,
        /// kept n days (default true / 90).
        public var albAccessLogs: Bool
        public var accessLogRetentionDays: Int

        public init(
            vpcCidr: String = "10.0.0.0/16", natGateways: Int = 1, repositoryName: String = "sign2text", imageTag: String = "latest",
            keepImages: Int = 10, imagesPushed: Bool = true, containerPort: Int = 8000, taskCpu: Int = 2048, taskMemoryMiB: Int = 6144,
            desiredCount: Int = 1, healthCheckPath: String = "/docs", healthCheckGraceSeconds: Int = 300, idleTimeoutSeconds: Int = 300,
            certificateArn: String? = nil, hostedZoneId: String? = nil, hostedZoneName: String? = "sign2text.com",
            subdomain: String = "api", albAccessLogs: Bool = true, accessLogRetentionDays: Int = 90
        ) {
            self.vpcCidr = vpcCidr
            self.natGateways = natGateways
            self.repositoryName = repositoryName
            self.imageTag = imageTag
            self.keepImages = keepImages
            self.imagesPushed = imagesPushed
            self.containerPort = containerPort
            self.taskCpu = taskCpu
            self.taskMemoryMiB = taskMemoryMiB
            self.desiredCount = desiredCount
            self.healthCheckPath = healthCheckPath
            self.healthCheckGraceSeconds = healthCheckGraceSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.certificateArn = certificateArn
            self.hostedZoneId = hostedZoneId
            self.hostedZoneName = hostedZoneName
            self.subdomain = subdomain
            self.albAccessLogs = albAccessLogs
            self.accessLogRetentionDays = accessLogRetentionDays
        }

        /// The context keys the stack reads; any other key is reported as unknown.
        public static let keys = [
            "VPC_CIDR", "NAT_GATEWAYS", "REPOSITORY_NAME", "IMAGE_TAG", "KEEP_IMAGES", "IMAGES_PUSHED", "CONTAINER_PORT",
            "TASK_CPU", "TASK_MEMORY", "DESIRED_COUNT", "HEALTH_CHECK_PATH", "HEALTH_CHECK_GRACE_SECONDS", "IDLE_TIMEOUT_SECONDS",
            "CERTIFICATE_ARN", "HOSTED_ZONE_ID", "HOSTED_ZONE_NAME", "SUBDOMAIN", "ALB_ACCESS_LOGS", "ACCESS_LOG_RETENTION_DAYS",
        ]

        /// Reads and validates the context of a config file; errors name the file and the key.
        public init(config: StackConfig) throws {
            for key in config.context.keys.sorted() where !Self.keys.contains(key) {
                throw ConfigError(file: config.file, key: "context.\(key)",
                                  "unknown key for the \(Sign2TextStack.definitionName) stack (known keys: \(Self.keys.joined(separator: ", ")))")
            }
            let d = Settings()
            self.init(
                vpcCidr: try config.string("VPC_CIDR", default: d.vpcCidr),
                natGateways: try config.int("NAT_GATEWAYS", default: d.natGateways),
                repositoryName: try config.string("REPOSITORY_NAME", default: d.repositoryName),
                imageTag: try config.string("IMAGE_TAG", default: d.imageTag),
                keepImages: try config.int("KEEP_IMAGES", default: d.keepImages),
                imagesPushed: try config.bool("IMAGES_PUSHED", default: d.imagesPushed),
                containerPort: try config.int("CONTAINER_PORT", default: d.containerPort),
                taskCpu: try config.int("TASK_CPU", default: d.taskCpu),
                taskMemoryMiB: try config.int("TASK_MEMORY", default: d.taskMemoryMiB),
                desiredCount: try config.int("DESIRED_COUNT", default: d.desiredCount),
                healthCheckPath: try config.string("HEALTH_CHECK_PATH", default: d.healthCheckPath),
                healthCheckGraceSeconds: try config.int("HEALTH_CHECK_GRACE_SECONDS", default: d.healthCheckGraceSeconds),
                idleTimeoutSeconds: try config.int("IDLE_TIMEOUT_SECONDS", default: d.idleTimeoutSeconds),
                certificateArn: try config.optionalString("CERTIFICATE_ARN"),
                hostedZoneId: try config.optionalString("HOSTED_ZONE_ID"),
                // Absent: the seed's domain; null: no hosted zone.
                hostedZoneName: config.context["HOSTED_ZONE_NAME"] == nil ? d.hostedZoneName : try config.optionalString("HOSTED_ZONE_NAME"),
                subdomain: try config.string("SUBDOMAIN", default: d.subdomain),
                albAccessLogs: try config.bool("ALB_ACCESS_LOGS", default: d.albAccessLogs),
                accessLogRetentionDays: try config.int("ACCESS_LOG_RETENTION_DAYS", default: d.accessLogRetentionDays))
            if let problem = problems().first {
                throw ConfigError(file: config.file, key: "context.\(problem.key)", problem.message)
            }
        }

        /// What is wrong with these settings, by context key (empty when they are valid).
        public func problems() -> [(key: String, message: String)] {
            var p: [(key: String, message: String)] = []
            if !(1...2).contains(natGateways) { p.append(("NAT_GATEWAYS", "must be 1 or 2 (got \(natGateways))")) }
            if !Sign2TextStack.isRepositoryName(repositoryName) {
                p.append(("REPOSITORY_NAME", "'\(repositoryName)' is not an ECR repository name (lower-case letters, digits and . _ - /, 2-256)"))
            }
            if !Sign2TextStack.isImageTag(imageTag) {
                p.append(("IMAGE_TAG", "'\(imageTag)' is not an image tag (letters, digits, . _ -, at most 128, not starting with . or -)"))
            }
            if keepImages < 1 { p.append(("KEEP_IMAGES", "must be at least 1 (got \(keepImages))")) }
            if !(1...65535).contains(containerPort) { p.append(("CONTAINER_PORT", "must be 1-65535 (got \(containerPort))")) }
            if let problem = Sign2TextStack.fargateSizeProblem(cpu: taskCpu, memoryMiB: taskMemoryMiB) { p.append(problem) }
            if desiredCount < 0 { p.append(("DESIRED_COUNT", "must not be negative (got \(desiredCount))")) }
            if !healthCheckPath.hasPrefix("/") || healthCheckPath.contains(" ") {
                p.append(("HEALTH_CHECK_PATH", "'\(healthCheckPath)' must be a path starting with '/'"))
            }
            if !(0...7200).contains(healthCheckGraceSeconds) { p.append(("HEALTH_CHECK_GRACE_SECONDS", "must be 0-7200 (got \(healthCheckGraceSeconds))")) }
            if !(1...4000).contains(idleTimeoutSeconds) { p.append(("IDLE_TIMEOUT_SECONDS", "must be 1-4000 (got \(idleTimeoutSeconds))")) }
            if let arn = certificateArn, !(arn.hasPrefix("arn:") && arn.contains(":acm:") && arn.contains(":certificate/")) {
                p.append(("CERTIFICATE_ARN", "'\(arn)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"))
            }
            switch (hostedZoneId, hostedZoneName) {
            case (nil, nil):
                if certificateArn == nil {
                    p.append(("CERTIFICATE_ARN", "is required without a hosted zone (HOSTED_ZONE_ID null): the API is served over HTTPS, and a certificate can only be created and validated in a hosted zone"))
                }
            case (let id?, let name?):
                if id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                    p.append(("HOSTED_ZONE_ID", "'\(id)' is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABC)"))
                }
                if !Sign2TextStack.isDomainName(name) || !name.contains(".") {
                    p.append(("HOSTED_ZONE_NAME", "'\(name)' is not a domain name such as sign2text.com"))
                }
                if !Sign2TextStack.isDomainName(subdomain) || subdomain.hasSuffix(".") {
                    p.append(("SUBDOMAIN", "'\(subdomain)' is not a DNS name (letters, digits and hyphens, labels separated by dots)"))
                }
            case (nil, _?):
                p.append(("HOSTED_ZONE_ID", "is required with HOSTED_ZONE_NAME (set both, or both null for no DNS record)"))
            case (_?, nil):
                p.append(("HOSTED_ZONE_NAME", "is required with HOSTED_ZONE_ID (set both, or both null for no DNS record)"))
            }
            if accessLogRetentionDays < 1 { p.append(("ACCESS_LOG_RETENTION_DAYS", "must be at least 1 day (got \(accessLogRetentionDays))")) }
            return p
        }
    }

    static func isRepositoryName(_ name: String) -> Bool {
        guard (2...256).contains(name.count) else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { c in
            guard let f = c.first, let l = c.last, f.isASCII, l.isASCII, f.isLowercase || f.isNumber, l.isLowercase || l.isNumber else { return false }
            return c.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
        }
    }

    static func isImageTag(_ tag: String) -> Bool {
        (1...128).contains(tag.count) && tag.first != "." && tag.first != "-"
            && tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    static func isDomainName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return !name.isEmpty && name.count <= 253 && labels.allSatisfy { l in
            (1...63).contains(l.count) && l.first != "-" && l.last != "-" && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// Fargate's CPU sizes and the memory each allows, by setting key.
    static func fargateSizeProblem(cpu: Int, memoryMiB: Int) -> (key: String, message: String)? {
        switch TaskDefinition.fargateSizeProblem(cpu: cpu, memoryMiB: memoryMiB) {
        case .cpu(let message)?: return ("TASK_CPU", message)
        case .memory(let message)?: return ("TASK_MEMORY", message)
        case nil: return nil
        }
    }
}
