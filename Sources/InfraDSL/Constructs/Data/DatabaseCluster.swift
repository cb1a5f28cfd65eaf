import InfraCore
import InfraResources

/// An Aurora cluster (PostgreSQL or MySQL) in private subnets, with generated credentials in
/// Secrets Manager and its own security group.
///
/// ```swift
/// let db = DatabaseCluster(stack, "Database", engine: .auroraPostgres(), vpc: vpc,
///                          capacity: .serverlessV2(minCapacity: 0.5, maxCapacity: 4),
///                          databaseName: "labeling")
/// db.connections.allow(from: service, port: .tcp(db.port))
/// db.secret.grantRead(taskRole)
/// ```
///
/// The master password never appears in the template: a `SecretsManager::Secret`
/// (`<path>/Secret`) generates `{"username": ..., "password": ...}`, the cluster reads both
/// through `{{resolve:secretsmanager:...}}` dynamic references, and a
/// `SecretTargetAttachment` adds the host, port, engine and cluster identifier to the secret.
/// `secret` (for grants and for containers' secrets) points at the attachment, so its users
/// wait until the secret holds the connection details.
///
/// Defaults: Serverless v2 (0.5-4 ACU, one writer instance), the VPC's isolated subnets (else
/// its private ones), storage encrypted with the AWS managed key `aws/rds`, a security group
/// with no inbound rules and no outbound traffic (open it with `connections.allow(from:port:)`),
/// the engine's port (5432 / 3306), master user `postgres` / `admin`, no initial database,
/// backups kept 7 days, no deletion protection, tags copied to snapshots, no log exports, no
/// IAM authentication, and a final snapshot when the stack deletes the cluster
/// (`DeletionPolicy: Snapshot`; the secret is then retained with it so the snapshot stays usable).
public final class DatabaseCluster: Construct, Connectable {
    /// The database engine and version.
    public struct Engine: Sendable, Equatable {
        /// `aurora-postgresql` or `aurora-mysql`.
        public let name: String
        public let version: String
        /// The port the engine listens on by default.
        public let defaultPort: Int
        /// The default master user name.
        public let defaultUsername: String

        /// Aurora PostgreSQL (default version 16.6).
        public static func auroraPostgres(version: String = "16.6") -> Engine {
            Engine(name: "aurora-postgresql", version: version, defaultPort: 5432, defaultUsername: "postgres")
        }

        /// Aurora MySQL (default version 8.0.mysql_aurora.3.08.0).
        public static func auroraMysql(version: String = "8.0.mysql_aurora.3.08.0") -> Engine {
            Engine(name: "aurora-mysql", version: version, defaultPort: 3306, defaultUsername: "admin")
        }

        var isPostgres: Bool { name == "aurora-postgresql" }
    }

    /// How the cluster's instances are sized.
    public enum Capacity: Sendable, Equatable {
        /// Provisioned instances of a class (e.g. `db.t4g.medium`, `db.r6g.large`); the first is
        /// the writer, the others readers.
        case provisioned(instanceClass: String, instances: Int)
        /// Aurora Serverless v2 instances (`db.serverless`) scaling between the capacities, in
        /// Aurora capacity units (0-256 in steps of 0.5).
        case serverlessV2(minCapacity: Double, maxCapacity: Double, instances: Int)

        /// Serverless v2, 0.5-4 ACU, one writer (the defaults).
        public static func serverlessV2(minCapacity: Double = 0.5, maxCapacity: Double = 4) -> Capacity {
            .serverlessV2(minCapacity: minCapacity, maxCapacity: maxCapacity, instances: 1)
        }

        /// Provisioned `db.t4g.medium` instances: a writer and a reader (the defaults).
        public static func provisioned(instanceClass: String = "db.t4g.medium") -> Capacity {
            .provisioned(instanceClass: instanceClass, instances: 2)
        }

        var instances: Int {
            switch self {
            case .provisioned(_, let n), .serverlessV2(_, _, let n): return n
            }
        }
    }

    /// An endpoint of the cluster.
    public struct Endpoint {
        public let hostname: StringValue
        /// The port, as a string (as CloudFormation returns it).
        public let port: StringValue
        /// `hostname:port`.
        public var socketAddress: StringValue { "\(hostname):\(port)" }
    }

    /// The cluster (`<path>/Resource`).
    public var resource: RDS.DBCluster { resourceStorage! }
    /// The instances (`<path>/Instance1`, ...).
    public private(set) var instances: [RDS.DBInstance] = []
    /// The DB subnet group (`<path>/SubnetGroup`).
    public var subnetGroup: RDS.DBSubnetGroup { subnetGroupStorage! }
    /// The cluster's security group (`<path>/SecurityGroup`).
    public var securityGroup: SecurityGroup { securityGroupStorage! }
    /// The master credentials (`username`, `password`, and after creation `host`, `port`,
    /// `engine`, `dbClusterIdentifier`). Grant reading it with `secret.grantRead(...)`.
    public var secret: ImportedSecret { secretStorage! }
    /// The generated secret itself (`<path>/Secret`), for its resource.
    public var generatedSecret: Secret { generatedSecretStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: RDS.DBCluster?
    private var subnetGroupStorage: RDS.DBSubnetGroup?
    private var securityGroupStorage: SecurityGroup?
    private var secretStorage: ImportedSecret?
    private var generatedSecretStorage: Secret?
    /// The security groups and default port, for `connections.allow(from:port:)`.
    public private(set) var connections: Connections
    /// The port the cluster listens on.
    public let port: Int
    public let engine: Engine

    private let capacity: Capacity
    private let databaseName: String?
    private let masterUsername: String
    private let backupRetention: TimeSpan
    private var subnetCount: Int
    private let subnetTypeRequested: SubnetType?

    /// - Parameters:
    ///   - engine: `.auroraPostgres()` or `.auroraMysql()` (with an optional version).
    ///   - vpc: the VPC.
    ///   - subnetType: where the instances go (default: isolated subnets, else private ones).
    ///   - capacity: default `.serverlessV2()` (0.5-4 ACU, one instance).
    ///   - databaseName: an initial database (default none).
    ///   - masterUsername: default `postgres` / `admin`.
    ///   - port: default the engine's (5432 / 3306).
    ///   - backupRetention: whole days, 1 to 35 (default `.days(7)`).
    ///   - preferredBackupWindow: `hh24:mi-hh24:mi` UTC (default: chosen by RDS).
    ///   - deletionProtection: default false.
    ///   - removalPolicy: default `.snapshot`.
    ///   - encryptionKey: a customer managed KMS key for storage (default `aws/rds`).
    ///   - cloudwatchLogsExports: log types to export (default none; e.g. `["postgresql"]`).
    ///   - iamAuthentication: enable IAM database authentication (default false).
    public init(
        _ scope: Construct, _ id: String,
        engine: Engine,
        vpc: VpcRef,
        subnetType: SubnetType? = nil,
        capacity: Capacity = .serverlessV2(),
        databaseName: String? = nil,
        masterUsername: String? = nil,
        port: Int? = nil,
        backupRetention: TimeSpan = .days(7),
        preferredBackupWindow: String? = nil,
        deletionProtection: Bool = false,
        removalPolicy: DeletionPolicy = .snapshot,
        encryptionKey: StringValue? = nil,
        cloudwatchLogsExports: [String] = [],
        iamAuthentication: Bool = false
    ) {
        self.engine = engine
        self.capacity = capacity
        self.databaseName = databaseName
        self.masterUsername = masterUsername ?? engine.defaultUsername
        self.port = port ?? engine.defaultPort
        self.backupRetention = backupRetention
        self.subnetTypeRequested = subnetType
        subnetCount = 0
        connections = Connections(securityGroups: [])
        super.init(scope, id)
        if let v = vpc as? Construct {
            let tier = subnetType ?? (vpc.subnetIds(.isolated).isEmpty ? .privateWithEgress : .isolated)
            app.addRelation(from: self, to: v, .placement, label: tier.rawValue)
        }

        let subnets = subnetType.map { vpc.subnetIds($0) } ?? vpc.subnetIds(preferring: [.isolated, .privateWithEgress])
        subnetCount = subnets.count
        let group = RDS.DBSubnetGroup(self, "SubnetGroup")
        group.dbSubnetGroupDescription = StringValue("Subnets of database \(path)")
        group.subnetIds = ListValue(subnets)
        subnetGroupStorage = group

        let sg = SecurityGroup(self, "SecurityGroup", vpc: vpc, description: "Security group of database \(path)", allowAllOutbound: false)
        securityGroupStorage = sg
        connections = Connections(securityGroups: [sg], defaultPort: .tcp(self.port))

        let generated = Secret(self, "Secret", description: "Master credentials of database \(path)",
                               generate: .json(["username": self.masterUsername], generateKey: "password", length: 30),
                               removalPolicy: removalPolicy == .delete ? .delete : .retain)
        generatedSecretStorage = generated

        let cluster = RDS.DBCluster(self, "Resource")
        resourceStorage = cluster
        cluster.engine = StringValue(engine.name)
        cluster.engineVersion = StringValue(engine.version)
        cluster.port = NumberValue(self.port)
        if let databaseName { cluster.databaseName = StringValue(databaseName) }
        cluster.masterUsername = generated.secretValue(field: "username")
        cluster.masterUserPassword = generated.secretValue(field: "password")
        cluster.dbSubnetGroupName = group.ref
        cluster.vpcSecurityGroupIds = [sg.groupId]
        cluster.storageEncrypted = true
        if let encryptionKey { cluster.kmsKeyId = encryptionKey }
        cluster.backupRetentionPeriod = NumberValue(backupRetention.count(of: .days))
        if let preferredBackupWindow { cluster.preferredBackupWindow = StringValue(preferredBackupWindow) }
        cluster.deletionProtection = BoolValue(deletionProtection)
        cluster.copyTagsToSnapshot = true
        if !cloudwatchLogsExports.isEmpty {
            cluster.enableCloudwatchLogsExports = ListValue(cloudwatchLogsExports.map { StringValue($0) })
        }
        if iamAuthentication { cluster.enableIAMDatabaseAuthentication = true }
        if case .serverlessV2(let minCapacity, let maxCapacity, _) = capacity {
            cluster.serverlessV2ScalingConfiguration = .init {
                $0.minCapacity = ServerlessSupport.number(minCapacity)
                $0.maxCapacity = ServerlessSupport.number(maxCapacity)
            }
        }
        cluster.deletionPolicy = removalPolicy
        cluster.updateReplacePolicy = removalPolicy

        let instanceClass: String
        switch capacity {
        case .provisioned(let c, _): instanceClass = c
        case .serverlessV2: instanceClass = "db.serverless"
        }
        for i in 0..<max(capacity.instances, 0) {
            let instance = RDS.DBInstance(self, "Instance\(i + 1)")
            instance.dbClusterIdentifier = cluster.ref
            instance.dbInstanceClass = StringValue(instanceClass)
            instance.engine = StringValue(engine.name)
            instance.dbSubnetGroupName = group.ref
            instance.publiclyAccessible = false
            // The data lives in the cluster: instances are deleted unless everything is retained.
            instance.deletionPolicy = removalPolicy == .retain ? .retain : .delete
            instance.updateReplacePolicy = instance.deletionPolicy
            instances.append(instance)
        }

        let attachment = SecretsManager.SecretTargetAttachment(self, "SecretAttachment")
        attachment.secretId = generated.secretArn
        attachment.targetId = cluster.ref
        attachment.targetType = "AWS::RDS::DBCluster"
        secretStorage = Secret.imported(self, "AttachedSecret", arn: attachment.ref)
    }

    /// The cluster identifier (`Ref`).
    public var clusterIdentifier: StringValue { resource.ref }
    /// The cluster's ARN.
    public var clusterArn: StringValue { resource.attrDBClusterArn }
    /// The writer endpoint.
    public var clusterEndpoint: Endpoint { Endpoint(hostname: resource.attrEndpointAddress, port: resource.attrEndpointPort) }
    /// The reader endpoint (load-balanced over the readers; the writer when there are none).
    public var readerEndpoint: Endpoint { Endpoint(hostname: resource.attrReadEndpointAddress, port: resource.attrEndpointPort) }

    public override func validate() -> [String] {
        var errors: [String] = []
        if subnetTypeRequested == .public {
            errors.append("a database must not be placed in public subnets")
        }
        if subnetCount < 2 {
            errors.append("a DB subnet group needs subnets in at least two Availability Zones (found \(subnetCount) \(subnetTypeRequested.map { "\($0.rawValue) " } ?? "isolated or private ")subnet\(subnetCount == 1 ? "" : "s"))")
        }
        if let problem = backupRetention.problem("backupRetention", unit: .days, in: .days(1)...(.days(35))) { errors.append(problem) }
        errors += ServerlessSupport.check(port, in: 1150...65535, "port")
        let identifier: (String, Int) -> Bool = { s, maxLength in
            (1...maxLength).contains(s.count) && s.first!.isASCII && s.first!.isLetter
                && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
        if let name = databaseName, !identifier(name, engine.isPostgres ? 63 : 64) {
            errors.append("databaseName '\(name)' is invalid: a letter, then letters, digits and '_' (at most \(engine.isPostgres ? 63 : 64))")
        }
        if !identifier(masterUsername, engine.isPostgres ? 63 : 16) {
            errors.append("masterUsername '\(masterUsername)' is invalid: a letter, then letters, digits and '_' (at most \(engine.isPostgres ? 63 : 16))")
        }
        if masterUsername.lowercased() == "rdsadmin" { errors.append("masterUsername 'rdsadmin' is reserved by RDS") }
        errors += ServerlessSupport.check(capacity.instances, in: 1...16, "the number of instances")
        switch capacity {
        case .provisioned(let instanceClass, _):
            if !instanceClass.hasPrefix("db.") || instanceClass == "db.serverless" {
                errors.append("instanceClass '\(instanceClass)' is not a provisioned DB instance class (e.g. db.t4g.medium); use .serverlessV2 for db.serverless")
            }
        case .serverlessV2(let minCapacity, let maxCapacity, _):
            errors += ServerlessSupport.check(minCapacity, in: 0...256, "minCapacity (ACU)")
            errors += ServerlessSupport.check(maxCapacity, in: 1...256, "maxCapacity (ACU)")
            if minCapacity > maxCapacity { errors.append("minCapacity (\(ServerlessSupport.format(minCapacity))) exceeds maxCapacity (\(ServerlessSupport.format(maxCapacity)))") }
            if (minCapacity * 2).rounded() != minCapacity * 2 || (maxCapacity * 2).rounded() != maxCapacity * 2 {
                errors.append("capacities go in steps of 0.5 ACU")
            }
        }
        return errors
    }
}
