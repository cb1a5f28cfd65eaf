import InfraDSL

extension CoralPipelineStack {
    /// The pipeline's seven buckets, in the seed's order, with their key and parameter names.
    public enum BucketRole: String, CaseIterable, Sendable {
        case imagesRaw = "images-raw"
        case imagesTreated = "images-treated"
        case imagesReframed = "images-reframed"
        case imagesSegmented = "images-segmented"
        case imagesMasks = "images-masks"
        case modelReframing = "model-reframing"
        case modelSegmentation = "model-segmentation"

        /// The seed's parameter name (`s3_images_raw`), also the SSM parameter's name.
        public var parameterName: String { "s3_" + rawValue.replacingOccurrences(of: "-", with: "_") }
        /// The context key and environment variable (`S3_IMAGES_RAW`).
        public var key: String { parameterName.uppercased() }
        /// The construct id (`ImagesRaw`).
        var constructId: String { rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() }
    }

    /// The three workers: container image functions, each triggered by uploads to a bucket.
    public enum Worker: String, CaseIterable, Sendable {
        case restoration, reframing, segmentation

        /// The bucket whose uploads trigger the worker (the seed's triggers).
        public var trigger: BucketRole {
            switch self {
            case .restoration: return .imagesRaw
            case .reframing: return .imagesTreated
            case .segmentation: return .imagesReframed
            }
        }

        var upper: String { rawValue.uppercased() }
        var constructId: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    /// Settings of one worker function.
    public struct WorkerSettings: Equatable, Sendable {
        /// `ECR_<WORKER>_LAMBDA`: the repository (default `<stack name>-<worker>`).
        public var repositoryName: String?
        /// `<WORKER>_IMAGE_TAG`: default `latest`.
        public var imageTag: String
        /// `LAMBDA_IMAGE_<WORKER>`: the function name (default `<stack name>-<worker>`).
        public var functionName: String?
        /// `<WORKER>_MEMORY_MB`: 128-10240.
        public var memoryMB: Int
        /// `<WORKER>_TIMEOUT_SECONDS`: 1-900 (default 900).
        public var timeoutSeconds: Int

        public init(repositoryName: String? = nil, imageTag: String = "latest", functionName: String? = nil, memoryMB: Int,
                    timeoutSeconds: Int = 900) {
            self.repositoryName = repositoryName
            self.imageTag = imageTag
            self.functionName = functionName
            self.memoryMB = memoryMB
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// Every setting of the coral pipeline stack, with the defaults of `config/coral-pipeline.json`.
    public struct Settings: Equatable, Sendable {
        // MARK: Buckets

        /// `BUCKET_PREFIX`: derived bucket names are `<prefix>-images-raw`, ... (default nil: the
        /// stack name). Bucket names are global: pick a prefix nobody else uses.
        public var bucketPrefix: String?
        /// `S3_IMAGES_RAW`, `S3_IMAGES_TREATED`, `S3_IMAGES_REFRAMED`, `S3_IMAGES_SEGMENTED`,
        /// `S3_IMAGES_MASKS`, `S3_MODEL_REFRAMING`, `S3_MODEL_SEGMENTATION`: explicit names, by
        /// bucket (default none: derived).
        public var bucketNames: [BucketRole: String]
        /// `BUCKET_VERSIONING`: keep object versions (default true), noncurrent versions expiring
        /// after `NONCURRENT_VERSION_DAYS` (default 30).
        public var bucketVersioning: Bool
        public var noncurrentVersionDays: Int

        // MARK: Workers and frontend

        /// `IMAGES_PUSHED`: false for the first deployment, before the images exist in the
        /// repositories (the functions are left out and the frontend runs no task); default true.
        public var imagesPushed: Bool
        /// The workers (`ECR_<WORKER>_LAMBDA`, `<WORKER>_IMAGE_TAG`, `LAMBDA_IMAGE_<WORKER>`,
        /// `<WORKER>_MEMORY_MB`, `<WORKER>_TIMEOUT_SECONDS`): restoration 3008 MB, reframing and
        /// segmentation (detectron2) 10240 MB, 900 s each.
        public var workers: [Worker: WorkerSettings]
        /// `ECR_FRONTEND_APP`: the frontend repository (default `<stack name>-frontend`).
        public var frontendRepositoryName: String?
        /// `FRONTEND_IMAGE_TAG`: default `latest`.
        public var frontendImageTag: String
        /// `FRONTEND_PORT`: streamlit's port (default 8501).
        public var frontendPort: Int
        /// `FRONTEND_CPU` / `FRONTEND_MEMORY`: the task size (default 1024 / 2048 MiB).
        public var frontendCpu: Int
        public var frontendMemoryMiB: Int
        /// `FRONTEND_DESIRED_COUNT`: default 1 (streamlit sessions are not shared between tasks).
        public var frontendDesiredCount: Int
        /// `FRONTEND_HEALTH_CHECK_PATH`: default `/_stcore/health` (streamlit's health endpoint).
        public var frontendHealthCheckPath: String
        /// `KEEP_IMAGES`: each repository keeps the newest n images (default 10).
        public var keepImages: Int

        // MARK: Database

        /// `DB_NAME`: the database (default `coral`).
        public var dbName: String
        /// `DB_USER_NAME`: the master user (default `admin`).
        public var dbUserName: String
        /// `DB_ENGINE_VERSION`: Aurora MySQL 3.07 or later, which has the Data API (default `8.0.mysql_aurora.3.08.0`).
        public var dbEngineVersion: String
        /// `DB_MIN_CAPACITY` / `DB_MAX_CAPACITY`: Serverless v2 ACUs (default 0.5 / 4).
        public var dbMinCapacity: Double
        public var dbMaxCapacity: Double
        /// `DB_BACKUP_RETENTION_DAYS`: 1-35 (default 7).
        public var dbBackupRetentionDays: Int
        /// `DB_DELETION_PROTECTION`: default true (set false before destroying the stack).
        public var dbDeletionProtection: Bool
        /// `CREATE_SCHEMA`: create the seed's `coral_coverage` table through the Data API (default true).
        public var createSchema: Bool
        /// `SSM_PARAMETER_PREFIX`: prefix of the SSM parameters the seed's code reads
        /// (`cluster-credentials`, `db-cluster-arn`, `db-name`, `s3_images_raw`, ...); default "":
        /// the seed's names as they are (one deployment per account and region). Nil: no parameters.
        public var ssmParameterPrefix: String?

        // MARK: Network, DNS, logs

        /// `VPC_CIDR`: default `10.0.0.0/16`. `NAT_GATEWAYS`: 1 or 2 (default 1).
        public var vpcCidr: String
        public var natGateways: Int
        /// `HOSTED_ZONE_NAME`: a Route 53 zone for the frontend (default nil: no DNS, HTTP on the
        /// load balancer's name). With `HOSTED_ZONE_ID` (default nil) the zone exists and a
        /// DNS-validated certificate turns on HTTPS; without it the stack creates the zone (point
        /// the registrar at its name servers) and serves HTTP unless `CERTIFICATE_ARN` is given.
        public var hostedZoneName: String?
        public var hostedZoneId: String?
        /// `RECORD_NAME`: the frontend's name in the zone (default nil: the zone apex).
        public var recordName: String?
        /// `CERTIFICATE_ARN`: an existing certificate for HTTPS (default nil).
        public var certificateArn: String?
        /// `ACCESS_LOGS`: load balancer and S3 server access logs to a log bucket (default true),
        /// kept `ACCESS_LOG_RETENTION_DAYS` (default 90).
        public var accessLogs: Bool
        public var accessLogRetentionDays: Int

        public static let defaultWorkers: [Worker: WorkerSettings] = [
            .restoration: WorkerSettings(memoryMB: 3008), .reframing: WorkerSettings(memoryMB: 10240),
            .segmentation: WorkerSettings(memoryMB: 10240),
        ]

        public init(
            bucketPrefix: String? = nil, bucketNames: [BucketRole: String] = [:], bucketVersioning: Bool = true,
            noncurrentVersionDays: Int = 30, imagesPushed: Bool = true, workers: [Worker: WorkerSettings] = Settings.defaultWorkers,
            frontendRepositoryName: String? = nil, frontendImageTag: String = "latest", frontendPort: Int = 8501,
            frontendCpu: Int = 1024, frontendMemoryMiB: Int = 2048, frontendDesiredCount: Int = 1,
            frontendHealthCheckPath: String = "/_stcore/health", keepImages: Int = 10, dbName: String = "coral",
            dbUserName: String = "admin", dbEngineVersion: String = "8.0.mysql_aurora.3.08.0", dbMinCapacity: Double = 0.5,
            dbMaxCapacity: Double = 4, dbBackupRetentionDays: Int = 7, dbDeletionProtection: Bool = true, createSchema: Bool = true,
            ssmParameterPrefix: String? = "", vpcCidr: String = "10.0.0.0/16", natGateways: Int = 1, hostedZoneName: String? = nil,
            hostedZoneId: String? = nil, recordName: String? = nil, certificateArn: String? = nil, accessLogs: Bool = true,
            accessLogRetentionDays: Int = 90
        ) {
            self.bucketPrefix = bucketPrefix
            self.bucketNames = bucketNames
            self.bucketVersioning = bucketVersioning
            self.noncurrentVersionDays = noncurrentVersionDays
            self.imagesPushed = imagesPushed
            self.workers = workers
            self.frontendRepositoryName = frontendRepositoryName
            self.frontendImageTag = frontendImageTag
            self.frontendPort = frontendPort
            self.frontendCpu = frontendCpu
            self.frontendMemoryMiB = frontendMemoryMiB
            self.frontendDesiredCount = frontendDesiredCount
            self.frontendHealthCheckPath = frontendHealthCheckPath
            self.keepImages = keepImages
            self.dbName = dbName
            self.dbUserName = dbUserName
            self.dbEngineVersion = dbEngineVersion
            self.dbMinCapacity = dbMinCapacity
            self.dbMaxCapacity = dbMaxCapacity
            self.dbBackupRetentionDays = dbBackupRetentionDays
            self.dbDeletionProtection = dbDeletionProtection
            self.createSchema = createSchema
            self.ssmParameterPrefix = ssmParameterPrefix
            self.vpcCidr = vpcCidr
            self.natGateways = natGateways
            self.hostedZoneName = hostedZoneName
            self.hostedZoneId = hostedZoneId
            self.recordName = recordName
            self.certificateArn = certificateArn
            self.accessLogs = accessLogs
            self.accessLogRetentionDays = accessLogRetentionDays
        }

        /// The context keys the stack reads; any other key is reported as unknown.
        public static var keys: [String] {
            ["BUCKET_PREFIX"] + BucketRole.allCases.map(\.key) + ["BUCKET_VERSIONING", "NONCURRENT_VERSION_DAYS", "IMAGES_PUSHED"]
                + Worker.allCases.flatMap { w in
                    ["ECR_\(w.upper)_LAMBDA", "\(w.upper)_IMAGE_TAG", "LAMBDA_IMAGE_\(w.upper)", "\(w.upper)_MEMORY_MB", "\(w.upper)_TIMEOUT_SECONDS"]
                }
                + ["ECR_FRONTEND_APP", "FRONTEND_IMAGE_TAG", "FRONTEND_PORT", "FRONTEND_CPU", "FRONTEND_MEMORY", "FRONTEND_DESIRED_COUNT",
                   "FRONTEND_HEALTH_CHECK_PATH", "KEEP_IMAGES", "DB_NAME", "DB_USER_NAME", "DB_ENGINE_VERSION", "DB_MIN_CAPACITY",
                   "DB_MAX_CAPACITY", "DB_BACKUP_RETENTION_DAYS", "DB_DELETION_PROTECTION", "CREATE_SCHEMA", "SSM_PARAMETER_PREFIX",
                   "VPC_CIDR", "NAT_GATEWAYS", "HOSTED_ZONE_NAME", "HOSTED_ZONE_ID", "RECORD_NAME", "CERTIFICATE_ARN", "ACCESS_LOGS",
                   "ACCESS_LOG_RETENTION_DAYS"]
        }

        /// Reads and validates the context of a config file; errors name the file and the key.
        public init(config: StackConfig) throws {
            let known = Self.keys
            for key in config.context.keys.sorted() where !known.contains(key) {
                throw ConfigError(file: config.file, key: "context.\(key)",
                                  "unknown key for the \(CoralPipelineStack.definitionName) stack (known keys: \(known.joined(separator: ", ")))")
            }
            let d = Settings()
            var names: [BucketRole: String] = [:]
            for role in BucketRole.allCases { names[role] = try config.optionalString(role.key) }
            var workers: [Worker: WorkerSettings] = [:]
            for w in Worker.allCases {
                let def = d.workers[w]!
                workers[w] = WorkerSettings(
                    repositoryName: try config.optionalString("ECR_\(w.upper)_LAMBDA"),
                    imageTag: try config.string("\(w.upper)_IMAGE_TAG", default: def.imageTag),
                    functionName: try config.optionalString("LAMBDA_IMAGE_\(w.upper)"),
                    memoryMB: try config.int("\(w.upper)_MEMORY_MB", default: def.memoryMB),
                    timeoutSeconds: try config.int("\(w.upper)_TIMEOUT_SECONDS", default: def.timeoutSeconds))
            }
            self.init(
                bucketPrefix: try config.optionalString("BUCKET_PREFIX"),
                bucketNames: names,
                bucketVersioning: try config.bool("BUCKET_VERSIONING", default: d.bucketVersioning),
                noncurrentVersionDays: try config.int("NONCURRENT_VERSION_DAYS", default: d.noncurrentVersionDays),
                imagesPushed: try config.bool("IMAGES_PUSHED", default: d.imagesPushed),
                workers: workers,
                frontendRepositoryName: try config.optionalString("ECR_FRONTEND_APP"),
                frontendImageTag: try config.string("FRONTEND_IMAGE_TAG", default: d.frontendImageTag),
                frontendPort: try config.int("FRONTEND_PORT", default: d.frontendPort),
                frontendCpu: try config.int("FRONTEND_CPU", default: d.frontendCpu),
                frontendMemoryMiB: try config.int("FRONTEND_MEMORY", default: d.frontendMemoryMiB),
                frontendDesiredCount: try config.int("FRONTEND_DESIRED_COUNT", default: d.frontendDesiredCount),
                frontendHealthCheckPath: try config.string("FRONTEND_HEALTH_CHECK_PATH", default: d.frontendHealthCheckPath),
                keepImages: try config.int("KEEP_IMAGES", default: d.keepImages),
                dbName: try config.string("DB_NAME", default: d.dbName),
                dbUserName: try config.string("DB_USER_NAME", default: d.dbUserName),
                dbEngineVersion: try config.string("DB_ENGINE_VERSION", default: d.dbEngineVersion),
                dbMinCapacity: try config.double("DB_MIN_CAPACITY", default: d.dbMinCapacity),
                dbMaxCapacity: try config.double("DB_MAX_CAPACITY", default: d.dbMaxCapacity),
                dbBackupRetentionDays: try config.int("DB_BACKUP_RETENTION_DAYS", default: d.dbBackupRetentionDays),
                dbDeletionProtection: try config.bool("DB_DELETION_PROTECTION", default: d.dbDeletionProtection),
                createSchema: try config.bool("CREATE_SCHEMA", default: d.createSchema),
                // Absent: the seed's names; null: no parameters.
                ssmParameterPrefix: config.context["SSM_PARAMETER_PREFIX"] == nil ? d.ssmParameterPrefix : try config.optionalString("SSM_PARAMETER_PREFIX"),
                vpcCidr: try config.string("VPC_CIDR", default: d.vpcCidr),
                natGateways: try config.int("NAT_GATEWAYS", default: d.natGateways),
                hostedZoneName: try config.optionalString("HOSTED_ZONE_NAME"),
                hostedZoneId: try config.optionalString("HOSTED_ZONE_ID"),
                recordName: try config.optionalString("RECORD_NAME"),
                certificateArn: try config.optionalString("CERTIFICATE_ARN"),
                accessLogs: try config.bool("ACCESS_LOGS", default: d.accessLogs),
                accessLogRetentionDays: try config.int("ACCESS_LOG_RETENTION_DAYS", default: d.accessLogRetentionDays))
            if let problem = problems(stackName: config.stackName).first {
                throw ConfigError(file: config.file, key: "context.\(problem.key)", problem.message)
            }
        }

        /// The name of a bucket: explicit, else `<prefix>-<role>`.
        public func bucketName(_ role: BucketRole, stackName: String) -> String {
            bucketNames[role] ?? "\(bucketPrefix ?? stackName.lowercased())-\(role.rawValue)"
        }

        public func repositoryName(_ worker: Worker?, stackName: String) -> String {
            guard let worker else { return frontendRepositoryName ?? "\(stackName.lowercased())-frontend" }
            return workers[worker]?.repositoryName ?? "\(stackName.lowercased())-\(worker.rawValue)"
        }

        public func functionName(_ worker: Worker, stackName: String) -> String {
            workers[worker]?.functionName ?? "\(stackName)-\(worker.rawValue)"
        }

        /// What is wrong with these settings, by context key (empty when they are valid).
        public func problems(stackName: String) -> [(key: String, message: String)] {
            var p: [(key: String, message: String)] = []
            var seen: [String: String] = [:]
            for role in BucketRole.allCases {
                let name = bucketName(role, stackName: stackName)
                let key = bucketNames[role] == nil ? "BUCKET_PREFIX" : role.key
                if !CoralPipelineStack.isBucketName(name) {
                    p.append((key, "'\(name)' is not a valid bucket name (3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit)"))
                }
                if let other = seen[name] { p.append((role.key, "'\(name)' is also the name of \(other)")) }
                seen[name] = role.key
            }
            if noncurrentVersionDays < 1 { p.append(("NONCURRENT_VERSION_DAYS", "must be at least 1 (got \(noncurrentVersionDays))")) }
            var repositories: [String: String] = [:]
            for (key, worker) in [("ECR_FRONTEND_APP", nil)] + Worker.allCases.map({ ("ECR_\($0.upper)_LAMBDA", Optional($0)) }) {
                let name = repositoryName(worker, stackName: stackName)
                if !CoralPipelineStack.isRepositoryName(name) {
                    p.append((key, "'\(name)' is not an ECR repository name (lower-case letters, digits and . _ - /, 2-256)"))
                }
                if let other = repositories[name] { p.append((key, "'\(name)' is also the repository of \(other)")) }
                repositories[name] = key
            }
            for w in Worker.allCases {
                guard let ws = workers[w] else {
                    p.append(("LAMBDA_IMAGE_\(w.upper)", "no settings for the \(w.rawValue) worker"))
                    continue
                }
                if !CoralPipelineStack.isImageTag(ws.imageTag) { p.append(("\(w.upper)_IMAGE_TAG", "'\(ws.imageTag)' is not an image tag")) }
                let fn = functionName(w, stackName: stackName)
                if fn.isEmpty || fn.count > 64 || !fn.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                    p.append(("LAMBDA_IMAGE_\(w.upper)", "'\(fn)' is not a function name (1-64 letters, digits, '-' and '_')"))
                }
                if !(128...10240).contains(ws.memoryMB) { p.append(("\(w.upper)_MEMORY_MB", "must be 128-10240 (got \(ws.memoryMB))")) }
                if !(1...900).contains(ws.timeoutSeconds) { p.append(("\(w.upper)_TIMEOUT_SECONDS", "must be 1-900 (got \(ws.timeoutSeconds))")) }
            }
            if !CoralPipelineStack.isImageTag(frontendImageTag) { p.append(("FRONTEND_IMAGE_TAG", "'\(frontendImageTag)' is not an image tag")) }
            if !(1...65535).contains(frontendPort) { p.append(("FRONTEND_PORT", "must be 1-65535 (got \(frontendPort))")) }
            if let problem = CoralPipelineStack.fargateSizeProblem(cpu: frontendCpu, memoryMiB: frontendMemoryMiB) { p.append(problem) }
            if frontendDesiredCount < 0 { p.append(("FRONTEND_DESIRED_COUNT", "must not be negative (got \(frontendDesiredCount))")) }
            if !frontendHealthCheckPath.hasPrefix("/") { p.append(("FRONTEND_HEALTH_CHECK_PATH", "'\(frontendHealthCheckPath)' must start with '/'")) }
            if keepImages < 1 { p.append(("KEEP_IMAGES", "must be at least 1 (got \(keepImages))")) }
            let identifier = { (s: String, max: Int) in
                (1...max).contains(s.count) && s.first!.isASCII && s.first!.isLetter
                    && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            }
            if !identifier(dbName, 64) { p.append(("DB_NAME", "'\(dbName)' is not a database name: a letter, then letters, digits and '_' (at most 64)")) }
            if !identifier(dbUserName, 16) || dbUserName.lowercased() == "rdsadmin" {
                p.append(("DB_USER_NAME", "'\(dbUserName)' is not a MySQL master user name: a letter, then letters, digits and '_' (at most 16), not rdsadmin"))
            }
            if dbMaxCapacity < 1 || dbMaxCapacity > 256 || (dbMaxCapacity * 2).rounded() != dbMaxCapacity * 2 {
                p.append(("DB_MAX_CAPACITY", "must be 1-256 ACUs in steps of 0.5 (got \(CoralPipelineStack.format(dbMaxCapacity)))"))
            }
            if dbMinCapacity < 0 || dbMinCapacity > dbMaxCapacity || (dbMinCapacity * 2).rounded() != dbMinCapacity * 2 {
                p.append(("DB_MIN_CAPACITY", "must be 0-\(CoralPipelineStack.format(dbMaxCapacity)) ACUs in steps of 0.5 (got \(CoralPipelineStack.format(dbMinCapacity)))"))
            }
            if !dbEngineVersion.hasPrefix("8.0.mysql_aurora.3.") {
                p.append(("DB_ENGINE_VERSION", "'\(dbEngineVersion)' is not an Aurora MySQL 3 version (8.0.mysql_aurora.3.07.0 or later has the Data API the pipeline uses)"))
            }
            if !(1...35).contains(dbBackupRetentionDays) { p.append(("DB_BACKUP_RETENTION_DAYS", "must be 1-35 (got \(dbBackupRetentionDays))")) }
            if let prefix = ssmParameterPrefix, !prefix.isEmpty,
               prefix.count > 200 || !prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-/".contains($0)) }) || prefix.hasPrefix("aws") || prefix.hasPrefix("ssm") {
                p.append(("SSM_PARAMETER_PREFIX", "'\(prefix)' is not a parameter name prefix (letters, digits and _.-/, not starting with aws or ssm)"))
            }
            if !(1...2).contains(natGateways) { p.append(("NAT_GATEWAYS", "must be 1 or 2 (got \(natGateways))")) }
            if let zone = hostedZoneName {
                if !CoralPipelineStack.isDomainName(zone) || !zone.contains(".") {
                    p.append(("HOSTED_ZONE_NAME", "'\(zone)' is not a domain name such as coral.example.org"))
                }
                if let r = recordName, !CoralPipelineStack.isDomainName(r) { p.append(("RECORD_NAME", "'\(r)' is not a DNS name")) }
            } else {
                if hostedZoneId != nil { p.append(("HOSTED_ZONE_ID", "needs HOSTED_ZONE_NAME, the zone's domain name")) }
                if recordName != nil { p.append(("RECORD_NAME", "needs HOSTED_ZONE_NAME, the zone it goes in")) }
            }
            if let id = hostedZoneId, id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                p.append(("HOSTED_ZONE_ID", "'\(id)' is not a hosted zone id (upper-case letters and digits, e.g. Z0123456789ABC)"))
            }
            if let arn = certificateArn, !(arn.hasPrefix("arn:") && arn.contains(":acm:") && arn.contains(":certificate/")) {
                p.append(("CERTIFICATE_ARN", "'\(arn)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"))
            }
            if accessLogRetentionDays < 1 { p.append(("ACCESS_LOG_RETENTION_DAYS", "must be at least 1 day (got \(accessLogRetentionDays))")) }
            return p
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }

    static func isBucketName(_ name: String) -> Bool {
        let chars = name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        let ends = name.first.map { $0.isLowercase || $0.isNumber } == true && name.last.map { $0.isLowercase || $0.isNumber } == true
        return (3...63).contains(name.count) && chars && ends && !name.contains("..") && !name.hasPrefix("xn--")
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
        case .cpu(let message)?: return ("FRONTEND_CPU", message)
        case .memory(let message)?: return ("FRONTEND_MEMORY", message)
        case nil: return nil
        }
    }
}
