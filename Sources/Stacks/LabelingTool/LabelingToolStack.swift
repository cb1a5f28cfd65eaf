import InfraDSL

/// The Doccano labeling tool (seed 000, aws-samples/serverless-labeling-tools): a serverless
/// deployment of an open source labeling tool.
///
/// Architecture:
/// - **Network.** A new VPC (`VPC_CIDR`, two availability zones, public, private-with-NAT and
///   isolated `/24` subnets, `NAT_GATEWAYS` NAT gateways, rejected-traffic flow logs kept 365
///   days), or the existing VPC and subnets named by `VPC_ID`, `PUBLIC_SUBNET_IDS`,
///   `PRIVATE_SUBNET_IDS` and `ISOLATED_SUBNET_IDS` (created nothing; the private subnets must
///   have NAT, as the seed asks).
/// - **Web.** An internet-facing application load balancer in the public subnets; with
///   `CERTIFICATE_ARN` an HTTPS listener on 443 (TLS 1.3/1.2 policy) and an HTTP listener on 80
///   that redirects to it, without one (null) an HTTP listener on 80 only. Its access logs go to
///   an SSE-S3, TLS-only, private bucket of the stack (`ALB_ACCESS_LOGS`, kept
///   `ACCESS_LOG_RETENTION_DAYS`). Doccano (`DOCCANO_IMAGE`) runs as a Fargate service in the
///   private subnets (`TASK_CPU`/`TASK_MEMORY`, `DESIRED_COUNT`, `HEALTH_CHECK_GRACE_SECONDS`),
///   reachable only from the load balancer on `CONTAINER_PORT`.
/// - **Database.** Aurora PostgreSQL (`DB_ENGINE_VERSION`) in the isolated subnets, sized by
///   `DB_SIZE`, storage encrypted, PostgreSQL logs exported to CloudWatch, backups kept
///   `DB_BACKUP_RETENTION_DAYS`, deletion protection per `DB_DELETION_PROTECTION` and a final
///   snapshot on deletion. Master user `DB_USER_NAME` with a password generated in Secrets
///   Manager. Its security group admits only the service and the database initializer, on the
///   database port, and has no egress.
/// - **Database initialization.** A custom resource (`Custom::DatabaseInit`) backed by a Python
///   function in the private subnets (`functions/labeling-tool/db-init`, zipped as an asset)
///   creates the database `DB_NAME` once the cluster is up (Create/Update; Delete keeps the
///   data). The function reads the cluster's secret and connects to the cluster endpoint.
///   psycopg is not in the Lambda runtime, and no layer is needed: the handler implements the
///   few parts of the PostgreSQL protocol it uses with the standard library. It verifies the
///   server before using the password: TLS required, certificate checked against Amazon RDS's CA
///   bundle shipped in the zip and the host name against the endpoint, and SCRAM-SHA-256 only (a
///   cleartext or MD5 password request is refused, so the password never leaves the function;
///   `DB_ENGINE_VERSION` 14 or later, whose default parameter group stores SCRAM passwords).
///   The service starts after it.
/// - **Credentials.** Nothing secret is in the template or in a file: Doccano's `ADMIN_USERNAME`,
///   `ADMIN_PASSWORD` and `ADMIN_EMAIL` come from the generated `AdminCredentials` secret
///   (`ADMIN_USER_NAME`, `ADMIN_EMAIL` and a generated password), Django's `SECRET_KEY` from the
///   generated `DjangoSecretKey` secret, and the database user and password from the cluster's
///   secret, all injected by ECS (`secrets`), which only the task's execution role may read. The
///   container composes `DATABASE_URL` (URL-encoded, `sslmode=require`) from them at start and
///   runs Doccano's own start script. Read the admin password with
///   `aws secretsmanager get-secret-value --secret-id <AdminCredentialsSecretArn output>`.
///
/// Context keys (config/labeling-tool.json; `Settings` documents each): `VPC_ID`,
/// `PUBLIC_SUBNET_IDS`, `PRIVATE_SUBNET_IDS`, `ISOLATED_SUBNET_IDS` (null/absent: new VPC),
/// `VPC_CIDR` (10.0.0.0/16), `NAT_GATEWAYS` (1), `CERTIFICATE_ARN` (null: HTTP only), `DB_SIZE`
/// (4: Aurora Serverless v2 up to 4 ACU; a string such as "db.r6g.large": provisioned writer
/// and reader. The seed's DB_SIZE was RDS storage in GiB; Aurora storage grows by itself, so
/// here it sizes compute, and a number above 256 is refused with that explanation),
/// `DB_MIN_CAPACITY` (0.5), `DB_NAME` (labelingdb), `DB_USER_NAME` (postgres),
/// `DB_ENGINE_VERSION` (16.6), `DB_BACKUP_RETENTION_DAYS` (7), `DB_DELETION_PROTECTION` (true),
/// `DOCCANO_IMAGE` (doccano/doccano:latest), `CONTAINER_PORT` (8000), `TASK_CPU` (512),
/// `TASK_MEMORY` (1024), `DESIRED_COUNT` (1), `HEALTH_CHECK_GRACE_SECONDS` (300),
/// `ADMIN_USER_NAME` (admin), `ADMIN_EMAIL` (admin@example.com, an example value in the shipped config: set yours), `ALB_ACCESS_LOGS` (true),
/// `ACCESS_LOG_RETENTION_DAYS` (90). An unknown key, a wrong type or an invalid value is a
/// `ConfigError` naming the file and the key.
///
/// Outputs: `Url`, `LoadBalancerDnsName`, `AdminCredentialsSecretArn`, `DatabaseSecretArn`,
/// `DatabaseEndpoint`.
///
/// Kept by `infra destroy` (retained): the access-log bucket, the database's credentials
/// secret, the service's and the flow logs' log groups, and a final snapshot of the database.
/// The database has deletion protection (`DB_DELETION_PROTECTION`, true in the shipped config,
/// as in the seed): CloudFormation cannot delete it while it is on, so deploy with
/// `-c DB_DELETION_PROTECTION=false` before `infra destroy` (which says so up front). Names of
/// retained resources are generated, so a later deploy does not collide with them.
///
/// cfn-lint: no errors and no warnings on the goldens.
public enum LabelingToolStack {
    public static let definitionName = "labeling-tool"
    public static let summary = "Doccano labeling tool on Fargate behind an ALB, Aurora PostgreSQL, DB initializer"

    /// Builds the stack of a config file (`config/labeling-tool.json`).
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        let settings = try Settings(config: config)
        let stack = Stack(app, config: config)
        define(stack, settings)
        return stack
    }

    /// Builds the stack from typed settings (for other Swift packages). Invalid settings are
    /// reported when the app synthesizes, by context key.
    @discardableResult
    public static func build(
        _ app: App, stackName: String, settings: Settings = Settings(), region: String? = nil, account: String? = nil,
        description: String? = nil, tags: [String: String] = [:], terminationProtection: Bool = false
    ) -> Stack {
        let stack = Stack(app, stackName, stackName: stackName, account: account, region: region, description: description,
                          tags: tags, terminationProtection: terminationProtection)
        for problem in settings.problems() { app.report(path: stack.path, "\(problem.key): \(problem.message)") }
        define(stack, settings)
        return stack
    }

    /// Adds the labeling tool's resources to `stack`.
    public static func define(_ stack: Stack, _ s: Settings) {
        // Network: the seed's existing VPC and subnets, or a new VPC with the same three tiers.
        let vpc: VpcRef
        if let vpcId = s.vpcId {
            vpc = Vpc.imported(stack, "Vpc", vpcId: StringValue(vpcId),
                               publicSubnetIds: s.publicSubnetIds.map { StringValue($0) },
                               privateSubnetIds: s.privateSubnetIds.map { StringValue($0) },
                               isolatedSubnetIds: s.isolatedSubnetIds.map { StringValue($0) })
        } else {
            vpc = Vpc(stack, "Vpc", cidr: s.vpcCidr, natGateways: s.natGateways)
        }

        // Database: Aurora PostgreSQL in the isolated subnets, reachable by nobody yet.
        let capacity: DatabaseCluster.Capacity
        switch s.dbSize {
        case .serverless(let minimum, let maximum): capacity = .serverlessV2(minCapacity: minimum, maxCapacity: maximum)
        case .provisioned(let instanceClass): capacity = .provisioned(instanceClass: instanceClass)
        }
        let db = DatabaseCluster(stack, "Database", engine: .auroraPostgres(version: s.dbEngineVersion), vpc: vpc,
                                 subnetType: .isolated, capacity: capacity, masterUsername: s.dbUserName,
                                 backupRetention: s.dbBackupRetention, deletionProtection: s.dbDeletionProtection,
                                 cloudwatchLogsExports: ["postgresql"])

        // Generated credentials for Doccano: the administrator and Django's secret key.
        let admin = Secret(stack, "AdminCredentials", description: "Doccano administrator of \(stack.stackName)",
                           generate: .json(["username": s.adminUserName, "email": s.adminEmail], generateKey: "password", length: 24))
        let djangoKey = Secret(stack, "DjangoSecretKey", description: "Django SECRET_KEY of Doccano in \(stack.stackName)",
                               generate: Secret.Generation(length: 50))

        // The web tier.
        var accessLogs: LoadBalancerAccessLogs?
        if s.albAccessLogs {
            let bucket = Bucket(stack, "AccessLogs", lifecycleRules: [.init(id: "expire", expiration: s.accessLogRetention)])
            accessLogs = LoadBalancerAccessLogs(bucket: bucket, prefix: "alb")
        }
        let https = s.certificateArn != nil
        let cluster = Cluster(stack, "Cluster", vpc: vpc)
        let web = ApplicationLoadBalancedFargateService(
            stack, "Service", cluster: cluster, image: .fromRegistry(s.doccanoImage), containerPort: s.containerPort,
            cpu: s.taskCpu, memory: s.taskMemory,
            environment: [
                "PORT": StringValue(String(s.containerPort)),
                "DB_HOST": db.clusterEndpoint.hostname,
                "DB_PORT": db.clusterEndpoint.port,
                "DB_NAME": StringValue(s.dbName),
                "DEBUG": "False",
                "SESSION_COOKIE_SECURE": https ? "True" : "False",
                "CSRF_COOKIE_SECURE": https ? "True" : "False",
            ],
            secrets: [
                "DB_USER": .secretsManager(db.secret.secretArn, field: "username", grantRead: db.secret.grantRead),
                "DB_PASSWORD": .secretsManager(db.secret.secretArn, field: "password", grantRead: db.secret.grantRead),
                "ADMIN_USERNAME": .secretsManager(admin.secretArn, field: "username", grantRead: admin.grantRead),
                "ADMIN_PASSWORD": .secretsManager(admin.secretArn, field: "password", grantRead: admin.grantRead),
                "ADMIN_EMAIL": .secretsManager(admin.secretArn, field: "email", grantRead: admin.grantRead),
                "SECRET_KEY": .secretsManager(djangoKey.secretArn, grantRead: djangoKey.grantRead),
            ],
            desiredCount: s.desiredCount, healthCheck: TargetGroupHealthCheck(path: "/", healthyHttpCodes: "200-399"),
            healthCheckGracePeriod: s.healthCheckGracePeriod,
            certificate: s.certificateArn.map { .arn(StringValue($0)) } ?? .none,
            accessLogs: accessLogs, taskSubnetType: .privateWithEgress)
        // Doccano reads one DATABASE_URL: compose it from the injected parts (URL-encoded) and run
        // the image's own start script (migrations, roles, admin user, gunicorn and celery).
        web.container?.command = ["/bin/bash", "-c", StringValue(databaseUrlScript)]

        // The database initializer: a custom resource whose function reaches the cluster.
        let initializer = databaseInitializer(stack, s, vpc: vpc)  // DatabaseInitializer.swift
        db.secret.grantRead(initializer)
        db.connections.allow(from: initializer, port: .tcp(db.port), description: "from the database initializer")
        db.connections.allow(from: web.service, port: .tcp(db.port), description: "from the labeling tool service")
        let initialization = CustomResource(stack, "DatabaseInitialization", resourceType: "DatabaseInit", provider: initializer,
                                            properties: ["SecretArn": db.secret.secretArn.token, "DatabaseName": .string(s.dbName)])
        // Wait for the instances and the security group rules, and for the NAT routes the
        // function needs to reach Secrets Manager and answer CloudFormation.
        initialization.addDependency(db)
        for route in vpc.internetConnectivityEstablished { initialization.resource.addDependency(route) }
        web.service.resource.addDependency(initialization.resource)

        _ = Output(stack, "Url", value: web.url, description: "Doccano (log in as the administrator of AdminCredentialsSecretArn)")
        _ = Output(stack, "LoadBalancerDnsName", value: web.loadBalancer.dnsName,
               description: "Point a DNS name of the certificate at this name (CNAME or alias)")
        _ = Output(stack, "AdminCredentialsSecretArn", value: admin.secretArn, description: "Doccano administrator user, e-mail and password")
        _ = Output(stack, "DatabaseSecretArn", value: db.secret.secretArn, description: "Database master credentials and endpoint")
        _ = Output(stack, "DatabaseEndpoint", value: db.clusterEndpoint.socketAddress, description: "Aurora PostgreSQL writer endpoint")
    }

    /// The container command's script: `DATABASE_URL` from the injected parts, then Doccano.
    static let databaseUrlScript = #"export DATABASE_URL="$(python -c 'import os, urllib.parse as u; e = os.environ; q = lambda k: u.quote(e[k], safe=""); print(u.urlunsplit(("postgres", q("DB_USER") + ":" + q("DB_PASSWORD") + "@" + e["DB_HOST"] + ":" + e["DB_PORT"], "/" + e["DB_NAME"], "sslmode=require", "")))')" && exec /doccano/tools/run.sh"#
}
