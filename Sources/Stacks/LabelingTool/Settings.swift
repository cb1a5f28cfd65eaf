import InfraDSL

extension LabelingToolStack {
    /// Every setting of the labeling tool stack, with the defaults of `config/labeling-tool.json`.
    /// Each property names the context key it is read from.
    public struct Settings: Equatable, Sendable {
        /// How the Aurora PostgreSQL cluster is sized (`DB_SIZE`).
        public enum DatabaseSize: Equatable, Sendable {
            /// Aurora Serverless v2: one `db.serverless` writer scaling between the capacities, in
            /// Aurora capacity units (`DB_SIZE` as a number: the maximum; `DB_MIN_CAPACITY`: the minimum).
            case serverless(minCapacity: Double, maxCapacity: Double)
            /// Provisioned instances of a class (`DB_SIZE` as a string such as `db.t4g.medium`): a
            /// writer and a reader in another availability zone.
            case provisioned(instanceClass: String)
        }

        // MARK: Network

        /// `VPC_ID`: an existing VPC to deploy to (default nil: a new VPC is created, with public,
        /// private (NAT) and isolated subnets in two availability zones).
        public var vpcId: String?
        /// `PUBLIC_SUBNET_IDS`: the existing VPC's public subnets, for the load balancer (at least two).
        public var publicSubnetIds: [String]
        /// `PRIVATE_SUBNET_IDS`: the existing VPC's private subnets with NAT, for the service and the
        /// database initializer (at least two).
        public var privateSubnetIds: [String]
        /// `ISOLATED_SUBNET_IDS`: the existing VPC's isolated subnets, for the database (at least two).
        public var isolatedSubnetIds: [String]
        /// `VPC_CIDR`: the block of a new VPC (default `10.0.0.0/16`; ignored with `VPC_ID`).
        public var vpcCidr: String
        /// `NAT_GATEWAYS`: NAT gateways of a new VPC, 1 or 2 (default 1; 2 keeps egress up when a zone fails).
        public var natGateways: Int

        // MARK: HTTPS

        /// `CERTIFICATE_ARN`: an ACM certificate for HTTPS on 443, with 80 redirecting to it
        /// (default nil: HTTP on 80 only).
        public var certificateArn: String?

        // MARK: Database

        /// `DB_SIZE` (+ `DB_MIN_CAPACITY`): default Serverless v2, 0.5-4 ACU.
        public var dbSize: DatabaseSize
        /// `DB_NAME`: the database the tool uses, created by the initializer (default `labelingdb`).
        public var dbName: String
        /// `DB_USER_NAME`: the master user, whose generated password is in the cluster's secret
        /// (default `postgres`).
        public var dbUserName: String
        /// `DB_ENGINE_VERSION`: Aurora PostgreSQL version (default `16.6`).
        public var dbEngineVersion: String
        /// `DB_BACKUP_RETENTION_DAYS`: automated backups, 1-35 days (default 7).
        public var dbBackupRetentionDays: Int
        /// `DB_DELETION_PROTECTION`: default true, as in the seed, and stated in the shipped config:
        /// `infra destroy` cannot delete the cluster while it is on; deploy with false first.
        public var dbDeletionProtection: Bool

        // MARK: Labeling tool

        /// `DOCCANO_IMAGE`: the Doccano image (default `doccano/doccano:latest`).
        public var doccanoImage: String
        /// `CONTAINER_PORT`: the port Doccano listens on (its `PORT`; default 8000).
        public var containerPort: Int
        /// `TASK_CPU` / `TASK_MEMORY`: the Fargate task size (default 512 CPU units / 1024 MiB).
        public var taskCpu: Int
        public var taskMemoryMiB: Int
        /// `DESIRED_COUNT`: tasks (default 1: uploaded files live on the task's disk, so keep one).
        public var desiredCount: Int
        /// `HEALTH_CHECK_GRACE_SECONDS`: time for migrations on start before health checks count
        /// (default 300).
        public var healthCheckGraceSeconds: Int
        /// `ADMIN_USER_NAME`: Doccano's administrator (default `admin`); the password is generated
        /// in the `AdminCredentials` secret.
        public var adminUserName: String
        /// `ADMIN_EMAIL`: the administrator's e-mail address (default `admin@example.com`).
        public var adminEmail: String

        // MARK: Load balancer logs

        /// `ALB_ACCESS_LOGS`: write the load balancer's access logs to a bucket of the stack (default true).
        public var albAccessLogs: Bool
        /// `ACCESS_LOG_RETENTION_DAYS`: days the access logs are kept (default 90).
        public var accessLogRetentionDays: Int

        public init(
            vpcId: String? = nil, publicSubnetIds: [String] = [], privateSubnetIds: [String] = [], isolatedSubnetIds: [String] = [],
            vpcCidr: String = "10.0.0.0/16", natGateways: Int = 1, certificateArn: String? = nil,
            dbSize: DatabaseSize = .serverless(minCapacity: 0.5, maxCapacity: 4), dbName: String = "labelingdb",
            dbUserName: String = "postgres", dbEngineVersion: String = "16.6", dbBackupRetentionDays: Int = 7,
            dbDeletionProtection: Bool = true, doccanoImage: String = "doccano/doccano:latest", containerPort: Int = 8000,
            taskCpu: Int = 512, taskMemoryMiB: Int = 1024, desiredCount: Int = 1, healthCheckGraceSeconds: Int = 300,
            adminUserName: String = "admin", adminEmail: String = "admin@example.com", albAccessLogs: Bool = true,
            accessLogRetentionDays: Int = 90
        ) {
            self.vpcId = vpcId
            self.publicSubnetIds = publicSubnetIds
            self.privateSubnetIds = privateSubnetIds
            self.isolatedSubnetIds = isolatedSubnetIds
            self.vpcCidr = vpcCidr
            self.natGateways = natGateways
            self.certificateArn = certificateArn
            self.dbSize = dbSize
            self.dbName = dbName
            self.dbUserName = dbUserName
            self.dbEngineVersion = dbEngineVersion
            self.dbBackupRetentionDays = dbBackupRetentionDays
            self.dbDeletionProtection = dbDeletionProtection
            self.doccanoImage = doccanoImage
            self.containerPort = containerPort
            self.taskCpu = taskCpu
            self.taskMemoryMiB = taskMemoryMiB
            self.desiredCount = desiredCount
            self.healthCheckGraceSeconds = healthCheckGraceSeconds
            self.adminUserName = adminUserName
            self.adminEmail = adminEmail
            self.albAccessLogs = albAccessLogs
            self.accessLogRetentionDays = accessLogRetentionDays
        }

        /// The context keys the stack reads; any other key is reported as unknown.
        public static let keys = [
            "VPC_ID", "PUBLIC_SUBNET_IDS", "PRIVATE_SUBNET_IDS", "ISOLATED_SUBNET_IDS", "VPC_CIDR", "NAT_GATEWAYS",
            "CERTIFICATE_ARN", "DB_SIZE", "DB_MIN_CAPACITY", "DB_NAME", "DB_USER_NAME", "DB_ENGINE_VERSION",
            "DB_BACKUP_RETENTION_DAYS", "DB_DELETION_PROTECTION", "DOCCANO_IMAGE", "CONTAINER_PORT", "TASK_CPU", "TASK_MEMORY",
            "DESIRED_COUNT", "HEALTH_CHECK_GRACE_SECONDS", "ADMIN_USER_NAME", "ADMIN_EMAIL", "ALB_ACCESS_LOGS",
            "ACCESS_LOG_RETENTION_DAYS",
        ]

        /// Reads and validates the context of a config file; errors name the file and the key.
        public init(config: StackConfig) throws {
            for key in config.context.keys.sorted() where !Self.keys.contains(key) {
                throw ConfigError(file: config.file, key: "context.\(key)",
                                  "unknown key for the \(LabelingToolStack.definitionName) stack (known keys: \(Self.keys.joined(separator: ", ")))")
            }
            let d = Settings()
            self.init(
                vpcId: try config.optionalString("VPC_ID"),
                publicSubnetIds: try config.stringList("PUBLIC_SUBNET_IDS") ?? [],
                privateSubnetIds: try config.stringList("PRIVATE_SUBNET_IDS") ?? [],
                isolatedSubnetIds: try config.stringList("ISOLATED_SUBNET_IDS") ?? [],
                vpcCidr: try config.string("VPC_CIDR", default: d.vpcCidr),
                natGateways: try config.int("NAT_GATEWAYS", default: d.natGateways),
                certificateArn: try config.optionalString("CERTIFICATE_ARN"),
                dbSize: try Self.readDatabaseSize(config),
                dbName: try config.string("DB_NAME", default: d.dbName),
                dbUserName: try config.string("DB_USER_NAME", default: d.dbUserName),
                dbEngineVersion: try config.string("DB_ENGINE_VERSION", default: d.dbEngineVersion),
                dbBackupRetentionDays: try config.int("DB_BACKUP_RETENTION_DAYS", default: d.dbBackupRetentionDays),
                dbDeletionProtection: try config.bool("DB_DELETION_PROTECTION", default: d.dbDeletionProtection),
                doccanoImage: try config.string("DOCCANO_IMAGE", default: d.doccanoImage),
                containerPort: try config.int("CONTAINER_PORT", default: d.containerPort),
                taskCpu: try config.int("TASK_CPU", default: d.taskCpu),
                taskMemoryMiB: try config.int("TASK_MEMORY", default: d.taskMemoryMiB),
                desiredCount: try config.int("DESIRED_COUNT", default: d.desiredCount),
                healthCheckGraceSeconds: try config.int("HEALTH_CHECK_GRACE_SECONDS", default: d.healthCheckGraceSeconds),
                adminUserName: try config.string("ADMIN_USER_NAME", default: d.adminUserName),
                adminEmail: try config.string("ADMIN_EMAIL", default: d.adminEmail),
                albAccessLogs: try config.bool("ALB_ACCESS_LOGS", default: d.albAccessLogs),
                accessLogRetentionDays: try config.int("ACCESS_LOG_RETENTION_DAYS", default: d.accessLogRetentionDays))
            if let problem = problems().first {
                throw ConfigError(file: config.file, key: "context.\(problem.key)", problem.message)
            }
        }

        /// `DB_SIZE`: a number (maximum ACU of Serverless v2) or a DB instance class string.
        private static func readDatabaseSize(_ config: StackConfig) throws -> DatabaseSize {
            let minimum = try config.double("DB_MIN_CAPACITY", default: 0.5)
            switch config.context["DB_SIZE"] {
            case nil, .null?:
                return .serverless(minCapacity: minimum, maxCapacity: 4)
            case .int(let i)?:
                return .serverless(minCapacity: minimum, maxCapacity: Double(i))
            case .double(let d)?:
                return .serverless(minCapacity: minimum, maxCapacity: d)
            case .string(let s)? where Double(s) != nil:
                return .serverless(minCapacity: minimum, maxCapacity: Double(s)!)
            case .string(let s)? where s.hasPrefix("db.") && s != "db.serverless":
                return .provisioned(instanceClass: s)
            case let v?:
                throw ConfigError(file: config.file, key: "context.DB_SIZE",
                                  "must be the maximum Aurora Serverless v2 capacity in ACUs (a number, e.g. 4) or a DB instance class (e.g. \"db.t4g.medium\"), found \(v.typeName)")
            }
        }

        /// What is wrong with these settings, by context key (empty when they are valid).
        public func problems() -> [(key: String, message: String)] {
            var p: [(key: String, message: String)] = []
            let subnetKeys = [("PUBLIC_SUBNET_IDS", publicSubnetIds), ("PRIVATE_SUBNET_IDS", privateSubnetIds),
                              ("ISOLATED_SUBNET_IDS", isolatedSubnetIds)]
            if let vpcId {
                if !(vpcId.hasPrefix("vpc-") && vpcId.count > 4) { p.append(("VPC_ID", "'\(vpcId)' is not a VPC id (vpc-...)")) }
                for (key, ids) in subnetKeys {
                    if ids.count < 2 {
                        p.append((key, "an existing VPC (VPC_ID) needs at least two subnets here, in two availability zones (found \(ids.count))"))
                    }
                    for id in ids where !(id.hasPrefix("subnet-") && id.count > 7) {
                        p.append((key, "'\(id)' is not a subnet id (subnet-...)"))
                    }
                }
            } else {
                for (key, ids) in subnetKeys where !ids.isEmpty {
                    p.append((key, "subnet ids need VPC_ID (without it the stack creates its own VPC)"))
                }
                if !(1...2).contains(natGateways) { p.append(("NAT_GATEWAYS", "must be 1 or 2 (got \(natGateways))")) }
            }
            if let arn = certificateArn, !(arn.hasPrefix("arn:") && arn.contains(":acm:") && arn.contains(":certificate/")) {
                p.append(("CERTIFICATE_ARN", "'\(arn)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), or null for HTTP only"))
            }
            switch dbSize {
            case .serverless(let minimum, let maximum):
                if maximum > 256 {
                    p.append(("DB_SIZE", "\(LabelingToolStack.format(maximum)) is more than 256 ACUs. DB_SIZE sizes the Aurora cluster's compute (the maximum Serverless v2 capacity, or an instance class such as \"db.r6g.large\"); Aurora storage grows by itself, so the seed's storage size in GiB has no equivalent"))
                } else if maximum < 1 || (maximum * 2).rounded() != maximum * 2 {
                    p.append(("DB_SIZE", "the maximum capacity must be 1-256 ACUs in steps of 0.5 (got \(LabelingToolStack.format(maximum)))"))
                }
                if minimum < 0 || minimum > maximum || (minimum * 2).rounded() != minimum * 2 {
                    p.append(("DB_MIN_CAPACITY", "must be 0-\(LabelingToolStack.format(maximum)) ACUs in steps of 0.5 (got \(LabelingToolStack.format(minimum)))"))
                }
            case .provisioned(let instanceClass):
                if !instanceClass.hasPrefix("db.") || instanceClass == "db.serverless" {
                    p.append(("DB_SIZE", "'\(instanceClass)' is not a DB instance class such as db.t4g.medium"))
                }
            }
            let identifier = { (s: String) in
                (1...63).contains(s.count) && s.first!.isASCII && s.first!.isLetter
                    && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            }
            if !identifier(dbName) { p.append(("DB_NAME", "'\(dbName)' is not a database name: a letter, then letters, digits and '_' (at most 63)")) }
            if !identifier(dbUserName) || dbUserName.lowercased() == "rdsadmin" {
                p.append(("DB_USER_NAME", "'\(dbUserName)' is not a valid master user name: a letter, then letters, digits and '_' (at most 63), not rdsadmin"))
            }
            if !(1...35).contains(dbBackupRetentionDays) { p.append(("DB_BACKUP_RETENTION_DAYS", "must be 1-35 (got \(dbBackupRetentionDays))")) }
            if doccanoImage.isEmpty || doccanoImage.contains(" ") { p.append(("DOCCANO_IMAGE", "'\(doccanoImage)' is not an image name")) }
            if !(1024...65535).contains(containerPort) { p.append(("CONTAINER_PORT", "must be 1024-65535: Doccano runs as a non-root user (got \(containerPort))")) }
            if desiredCount < 0 { p.append(("DESIRED_COUNT", "must not be negative (got \(desiredCount))")) }
            if !(0...7200).contains(healthCheckGraceSeconds) { p.append(("HEALTH_CHECK_GRACE_SECONDS", "must be 0-7200 (got \(healthCheckGraceSeconds))")) }
            if adminUserName.isEmpty || adminUserName.count > 150
                || !adminUserName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "@.+-_".contains($0)) }) {
                p.append(("ADMIN_USER_NAME", "'\(adminUserName)' is not a Django user name (letters, digits and @.+-_, at most 150)"))
            }
            let at = adminEmail.split(separator: "@", omittingEmptySubsequences: false)
            if at.count != 2 || at[0].isEmpty || !at[1].contains(".") || adminEmail.contains(" ") {
                p.append(("ADMIN_EMAIL", "'\(adminEmail)' is not an e-mail address"))
            }
            if let problem = Validate.fargateSizeProblem(cpu: taskCpu, memoryMiB: taskMemoryMiB, cpuKey: "TASK_CPU", memoryKey: "TASK_MEMORY") { p.append(problem) }
            if accessLogRetentionDays < 1 { p.append(("ACCESS_LOG_RETENTION_DAYS", "must be at least 1 day (got \(accessLogRetentionDays))")) }
            return p
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
