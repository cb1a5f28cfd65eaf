import InfraDSL

extension LabelingToolStack {
    /// Every setting of the labeling tool stack: each context key declared once (type, default,
    /// check, doc line); `infra context labeling-tool` lists them.
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

        // MARK: Declarations (one per context key)

        public static let vpcId = Setting<String?>(
            "VPC_ID", default: nil, "an existing VPC to deploy to (null: a new VPC with public, private (NAT) and isolated subnets in two zones)",
            check: { $0.flatMap(Validate.vpcIdProblem) })
        public static let publicSubnetIds = subnetIds("PUBLIC_SUBNET_IDS", "the existing VPC's public subnets, for the load balancer (at least two)")
        public static let privateSubnetIds = subnetIds("PRIVATE_SUBNET_IDS", "the existing VPC's private subnets with NAT, for the service and the database initializer (at least two)")
        public static let isolatedSubnetIds = subnetIds("ISOLATED_SUBNET_IDS", "the existing VPC's isolated subnets, for the database (at least two)")
        public static let vpcCidr = Setting<String>("VPC_CIDR", default: "10.0.0.0/16", "the block of a new VPC (ignored with VPC_ID)",
                                                    check: { Validate.cidrProblem($0, prefixes: 16...28) })
        public static let natGateways = Setting<Int>("NAT_GATEWAYS", default: 1, "NAT gateways of a new VPC, 1 or 2 (2 keeps egress up when a zone fails)", range: 1...2)
        public static let certificateArn = Setting<String?>(
            "CERTIFICATE_ARN", default: nil, "an ACM certificate for HTTPS on 443, with 80 redirecting to it (null: HTTP on 80 only)",
            check: { $0.flatMap { Validate.isARN($0, service: "acm", resourcePrefix: "certificate/") ? nil
                : "'\($0)' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), or null for HTTP only" } })
        public static let dbSize = Setting<DatabaseSizeValue>(
            "DB_SIZE", default: .capacity(4), "the maximum Aurora Serverless v2 capacity in ACUs, or an instance class such as db.t4g.medium (a writer and a reader)")
        public static let dbMinCapacity = Setting<Double>("DB_MIN_CAPACITY", default: 0.5, "the minimum Serverless v2 capacity in ACUs")
        public static let dbName = Setting<String>("DB_NAME", default: "labelingdb", "the database the tool uses, created by the initializer",
                                                   check: { identifier($0) ? nil : "'\($0)' is not a database name: a letter, then letters, digits and '_' (at most 63)" })
        public static let dbUserName = Setting<String>(
            "DB_USER_NAME", default: "postgres", "the master user (its generated password is in the cluster's secret)",
            check: { identifier($0) && $0.lowercased() != "rdsadmin" ? nil
                : "'\($0)' is not a valid master user name: a letter, then letters, digits and '_' (at most 63), not rdsadmin" })
        public static let dbEngineVersion = Setting<String>("DB_ENGINE_VERSION", default: "16.6", "the Aurora PostgreSQL version")
        public static let dbBackupRetentionDays = Setting<Int>("DB_BACKUP_RETENTION_DAYS", default: 7, "automated backups, days", range: 1...35)
        public static let dbDeletionProtection = Setting<Bool>(
            "DB_DELETION_PROTECTION", default: true, "infra destroy cannot delete the cluster while it is on; deploy with false first")
        public static let doccanoImage = Setting<String>("DOCCANO_IMAGE", default: "doccano/doccano:latest", "the Doccano image",
                                                         check: { $0.isEmpty || $0.contains(" ") ? "'\($0)' is not an image name" : nil })
        public static let containerPort = Setting<Int>(
            "CONTAINER_PORT", default: 8000, "the port Doccano listens on (its PORT)",
            check: { (1024...65535).contains($0) ? nil : "must be 1024-65535: Doccano runs as a non-root user (got \($0))" })
        public static let taskCpu = Setting<Int>("TASK_CPU", default: 512, "CPU units of the Fargate task")
        public static let taskMemoryMiB = Setting<Int>("TASK_MEMORY", default: 1024, "memory of the Fargate task, MiB")
        public static let desiredCount = Setting<Int>(
            "DESIRED_COUNT", default: 1, "tasks (uploaded files live on the task's disk, so keep one)",
            check: { $0 < 0 ? "must not be negative (got \($0))" : nil })
        public static let healthCheckGraceSeconds = Setting<Int>(
            "HEALTH_CHECK_GRACE_SECONDS", default: 300, "time for migrations on start before health checks count", range: 0...7200)
        public static let adminUserName = Setting<String>(
            "ADMIN_USER_NAME", default: "admin", "Doccano's administrator (the password is generated in the AdminCredentials secret)",
            check: { n in
                !n.isEmpty && n.count <= 150 && n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "@.+-_".contains($0)) }) ? nil
                    : "'\(n)' is not a Django user name (letters, digits and @.+-_, at most 150)" })
        public static let adminEmail = Setting<String>(
            "ADMIN_EMAIL", default: "admin@example.com", "the administrator's e-mail address",
            check: { e in
                let at = e.split(separator: "@", omittingEmptySubsequences: false)
                return at.count != 2 || at[0].isEmpty || !at[1].contains(".") || e.contains(" ") ? "'\(e)' is not an e-mail address" : nil })
        public static let albAccessLogs = Setting<Bool>("ALB_ACCESS_LOGS", default: true, "write the load balancer's access logs to a bucket of the stack")
        public static let accessLogRetentionDays = Setting<Int>(
            "ACCESS_LOG_RETENTION_DAYS", default: 90, "days the access logs are kept", check: { $0 < 1 ? "must be at least 1 day (got \($0))" : nil })

        public static let schema = SettingsSchema(LabelingToolStack.definitionName, [
            vpcId.any, publicSubnetIds.any, privateSubnetIds.any, isolatedSubnetIds.any, vpcCidr.any, natGateways.any,
            certificateArn.any, dbSize.any, dbMinCapacity.any, dbName.any, dbUserName.any, dbEngineVersion.any,
            dbBackupRetentionDays.any, dbDeletionProtection.any, doccanoImage.any, containerPort.any, taskCpu.any, taskMemoryMiB.any,
            desiredCount.any, healthCheckGraceSeconds.any, adminUserName.any, adminEmail.any, albAccessLogs.any,
            accessLogRetentionDays.any,
        ])
        /// The context keys the stack reads; any other key is reported as unknown.
        public static let keys = schema.keys

        static func subnetIds(_ key: String, _ doc: String) -> Setting<[String]> {
            Setting(key, default: [], doc, check: Validate.subnetIdsProblem)
        }

        static func identifier(_ s: String) -> Bool {
            (1...63).contains(s.count) && s.first!.isASCII && s.first!.isLetter
                && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }

        /// `DB_SIZE` as written: a capacity (a number) or an instance class (a string `db.*`).
        public enum DatabaseSizeValue: SettingValue {
            case capacity(Double)
            case instanceClass(String)

            public static func decode(_ value: Value) -> DatabaseSizeValue? {
                if let d = Double.decode(value) { return .capacity(d) }
                if case .string(let s) = value, s.hasPrefix("db."), s != "db.serverless" { return .instanceClass(s) }
                return nil
            }
            public static var expected: String {
                "the maximum Aurora Serverless v2 capacity in ACUs (a number, e.g. 4) or a DB instance class (e.g. \"db.t4g.medium\")"
            }
            public static var typeName: String { "number or string" }
            public var display: String {
                switch self {
                case .capacity(let d): return d.display
                case .instanceClass(let s): return s
                }
            }
        }

        // MARK: Values

        public var vpcId: String?
        public var publicSubnetIds: [String]
        public var privateSubnetIds: [String]
        public var isolatedSubnetIds: [String]
        public var vpcCidr: String
        public var natGateways: Int
        public var certificateArn: String?
        /// `DB_SIZE` + `DB_MIN_CAPACITY`.
        public var dbSize: DatabaseSize
        public var dbName: String
        public var dbUserName: String
        public var dbEngineVersion: String
        /// `DB_BACKUP_RETENTION_DAYS`.
        public var dbBackupRetention: TimeSpan
        public var dbDeletionProtection: Bool
        public var doccanoImage: String
        public var containerPort: Int
        /// `TASK_CPU` / `TASK_MEMORY`.
        public var taskCpu: Int
        public var taskMemory: MemorySize
        public var desiredCount: Int
        /// `HEALTH_CHECK_GRACE_SECONDS`.
        public var healthCheckGracePeriod: TimeSpan
        public var adminUserName: String
        public var adminEmail: String
        public var albAccessLogs: Bool
        /// `ACCESS_LOG_RETENTION_DAYS`.
        public var accessLogRetention: TimeSpan

        public init(
            vpcId: String? = vpcId.defaultValue, publicSubnetIds: [String] = [], privateSubnetIds: [String] = [], isolatedSubnetIds: [String] = [],
            vpcCidr: String = vpcCidr.defaultValue, natGateways: Int = natGateways.defaultValue, certificateArn: String? = nil,
            dbSize: DatabaseSize = .serverless(minCapacity: 0.5, maxCapacity: 4), dbName: String = dbName.defaultValue,
            dbUserName: String = dbUserName.defaultValue, dbEngineVersion: String = dbEngineVersion.defaultValue,
            dbBackupRetention: TimeSpan = .days(dbBackupRetentionDays.defaultValue), dbDeletionProtection: Bool = dbDeletionProtection.defaultValue,
            doccanoImage: String = doccanoImage.defaultValue, containerPort: Int = containerPort.defaultValue,
            taskCpu: Int = taskCpu.defaultValue, taskMemory: MemorySize = .mebibytes(taskMemoryMiB.defaultValue), desiredCount: Int = desiredCount.defaultValue,
            healthCheckGracePeriod: TimeSpan = .seconds(healthCheckGraceSeconds.defaultValue), adminUserName: String = adminUserName.defaultValue,
            adminEmail: String = adminEmail.defaultValue, albAccessLogs: Bool = albAccessLogs.defaultValue,
            accessLogRetention: TimeSpan = .days(accessLogRetentionDays.defaultValue)
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
            self.dbBackupRetention = dbBackupRetention
            self.dbDeletionProtection = dbDeletionProtection
            self.doccanoImage = doccanoImage
            self.containerPort = containerPort
            self.taskCpu = taskCpu
            self.taskMemory = taskMemory
            self.desiredCount = desiredCount
            self.healthCheckGracePeriod = healthCheckGracePeriod
            self.adminUserName = adminUserName
            self.adminEmail = adminEmail
            self.albAccessLogs = albAccessLogs
            self.accessLogRetention = accessLogRetention
        }

        /// Reads and validates the context of a config file; all problems are reported together,
        /// each naming the file and the key.
        public init(config: StackConfig) throws {
            let r = SettingsReader(config, Self.schema)
            let size: DatabaseSize
            switch r[Self.dbSize] {
            case .capacity(let maximum): size = .serverless(minCapacity: r[Self.dbMinCapacity], maxCapacity: maximum)
            case .instanceClass(let c): size = .provisioned(instanceClass: c)
            }
            self.init(
                vpcId: r[Self.vpcId], publicSubnetIds: r[Self.publicSubnetIds], privateSubnetIds: r[Self.privateSubnetIds],
                isolatedSubnetIds: r[Self.isolatedSubnetIds], vpcCidr: r[Self.vpcCidr], natGateways: r[Self.natGateways],
                certificateArn: r[Self.certificateArn], dbSize: size, dbName: r[Self.dbName], dbUserName: r[Self.dbUserName],
                dbEngineVersion: r[Self.dbEngineVersion], dbBackupRetention: .days(r[Self.dbBackupRetentionDays]),
                dbDeletionProtection: r[Self.dbDeletionProtection], doccanoImage: r[Self.doccanoImage],
                containerPort: r[Self.containerPort], taskCpu: r[Self.taskCpu], taskMemory: .mebibytes(r[Self.taskMemoryMiB]),
                desiredCount: r[Self.desiredCount], healthCheckGracePeriod: .seconds(r[Self.healthCheckGraceSeconds]),
                adminUserName: r[Self.adminUserName], adminEmail: r[Self.adminEmail], albAccessLogs: r[Self.albAccessLogs],
                accessLogRetention: .days(r[Self.accessLogRetentionDays]))
            r.fail(crossFieldProblems())
            try r.finish()
        }

        /// What is wrong with these settings, by context key (empty when they are valid).
        public func problems() -> [(key: String, message: String)] {
            [
                Self.vpcId.problem(vpcId), Self.publicSubnetIds.problem(publicSubnetIds), Self.privateSubnetIds.problem(privateSubnetIds),
                Self.isolatedSubnetIds.problem(isolatedSubnetIds), Self.vpcCidr.problem(vpcCidr), Self.natGateways.problem(natGateways),
                Self.certificateArn.problem(certificateArn), Self.dbName.problem(dbName), Self.dbUserName.problem(dbUserName),
                Self.dbBackupRetentionDays.problem(dbBackupRetention.count(of: .days)), Self.doccanoImage.problem(doccanoImage),
                Self.containerPort.problem(containerPort), Self.desiredCount.problem(desiredCount),
                Self.healthCheckGraceSeconds.problem(healthCheckGracePeriod.seconds), Self.adminUserName.problem(adminUserName),
                Self.adminEmail.problem(adminEmail), Self.accessLogRetentionDays.problem(accessLogRetention.count(of: .days)),
            ].compactMap { $0 } + crossFieldProblems()
        }

        /// The rules between keys.
        func crossFieldProblems() -> [(key: String, message: String)] {
            var p: [(key: String, message: String)] = []
            for (key, ids) in [("PUBLIC_SUBNET_IDS", publicSubnetIds), ("PRIVATE_SUBNET_IDS", privateSubnetIds), ("ISOLATED_SUBNET_IDS", isolatedSubnetIds)] {
                if vpcId != nil && ids.count < 2 {
                    p.append((key, "an existing VPC (VPC_ID) needs at least two subnets here, in two availability zones (found \(ids.count))"))
                } else if vpcId == nil && !ids.isEmpty {
                    p.append((key, "subnet ids need VPC_ID (without it the stack creates its own VPC)"))
                }
            }
            switch dbSize {
            case .serverless(let minimum, let maximum):
                if maximum > 256 {
                    p.append(("DB_SIZE", "\(maximum.display) is more than 256 ACUs. DB_SIZE sizes the Aurora cluster's compute (the maximum Serverless v2 capacity, or an instance class such as \"db.r6g.large\"); Aurora storage grows by itself, so the seed's storage size in GiB has no equivalent"))
                } else if maximum < 1 || (maximum * 2).rounded() != maximum * 2 {
                    p.append(("DB_SIZE", "the maximum capacity must be 1-256 ACUs in steps of 0.5 (got \(maximum.display))"))
                }
                if minimum < 0 || minimum > maximum || (minimum * 2).rounded() != minimum * 2 {
                    p.append(("DB_MIN_CAPACITY", "must be 0-\(maximum.display) ACUs in steps of 0.5 (got \(minimum.display))"))
                }
            case .provisioned(let instanceClass):
                if !instanceClass.hasPrefix("db.") || instanceClass == "db.serverless" {
                    p.append(("DB_SIZE", "'\(instanceClass)' is not a DB instance class such as db.t4g.medium"))
                }
            }
            if let problem = Validate.fargateSizeProblem(cpu: taskCpu, memory: taskMemory, cpuKey: "TASK_CPU", memoryKey: "TASK_MEMORY") { p.append(problem) }
            return p
        }
    }
}
