import InfraDSL

/// The coral reef image pipeline (seed 002, the serverless deployment): seven buckets, four
/// ECR repositories, three container image workers chained by S3 uploads, a streamlit frontend
/// on Fargate behind a load balancer, Aurora MySQL, and optionally a Route 53 zone and record.
///
/// Architecture:
/// - **Buckets.** `images-raw`, `images-treated`, `images-reframed`, `images-segmented`,
///   `images-masks`, `model-reframing`, `model-segmentation`, named `<BUCKET_PREFIX>-<role>`
///   (prefix default: the stack name) or explicitly by `S3_IMAGES_RAW`, ... All private
///   (public access blocked, ACLs disabled), SSE-S3, TLS-only, versioned with noncurrent
///   versions expiring (`BUCKET_VERSIONING`, `NONCURRENT_VERSION_DAYS`), server access logs to
///   the log bucket, retained when the stack is deleted.
/// - **Workers.** `restoration` (triggered by uploads to images-raw), `reframing` (by
///   images-treated) and `segmentation` (by images-reframed): Lambda functions from container
///   images `<repository>:<tag>` (`ECR_<WORKER>_LAMBDA`, `<WORKER>_IMAGE_TAG`), named
///   `LAMBDA_IMAGE_<WORKER>` (default `<stack>-<worker>`, the names the seed's deployment
///   workflows update), sized by `<WORKER>_MEMORY_MB` / `<WORKER>_TIMEOUT_SECONDS`. The S3
///   event notifications are native bucket properties: because the bucket names are literal,
///   the bucket `DependsOn` the `Lambda::Permission` that lets S3 (this account, this bucket)
///   invoke the function and nothing refers back to the bucket, so there is no dependency cycle
///   and no custom resource. Each repository's policy lets Lambda pull only for its function.
///   The functions are not in the VPC: they use S3 and the database through AWS APIs. S3
///   invokes them asynchronously; events that still fail after Lambda's retries go to the
///   `FailedEvents` queue (SSE-SQS, TLS-only, kept 14 days) instead of being lost.
/// - **Frontend.** The streamlit app (`ECR_FRONTEND_APP`, `FRONTEND_IMAGE_TAG`, port
///   `FRONTEND_PORT`) on Fargate in private subnets (`FRONTEND_CPU`/`FRONTEND_MEMORY`,
///   `FRONTEND_DESIRED_COUNT`), reachable only from an internet-facing load balancer; health
///   check `FRONTEND_HEALTH_CHECK_PATH`.
/// - **Database.** Aurora MySQL Serverless v2 (`DB_ENGINE_VERSION`, `DB_MIN_CAPACITY`-
///   `DB_MAX_CAPACITY` ACU) in isolated subnets with database `DB_NAME` and master user
///   `DB_USER_NAME` (password generated in Secrets Manager), encrypted, error log exported,
///   deletion protection per `DB_DELETION_PROTECTION`, final snapshot on deletion. The seed's
///   code reaches it with the cluster ARN and the credentials secret, i.e. the RDS Data API,
///   which is enabled: the cluster's security group admits no network traffic at all. With
///   `CREATE_SCHEMA` a Python custom resource (`Custom::CoralSchema`) runs the seed's
///   `CREATE TABLE IF NOT EXISTS coral_coverage` through the Data API once the cluster is up.
/// - **Parameters.** The seed's parameters exist as SSM String parameters named
///   `<SSM_PARAMETER_PREFIX><name>` (default prefix "": exactly `cluster-credentials` (the
///   secret's ARN), `db-cluster-arn`, `db-name`, `s3_images_raw`, ...; null: none), and the same
///   values reach every workload as environment variables (`S3_IMAGES_RAW`, ...,
///   `DB_CLUSTER_ARN`, `DB_SECRET_ARN`, `DB_NAME`).
/// - **Access.** The seed asks for one role with read/write on the buckets and access to the
///   cluster, assigned to the functions and the frontend. Here each workload has its own role
///   with exactly those permissions (read/write on the seven buckets, the Data API on the
///   cluster, reading its secret and the parameters): a role is assumable by one service only
///   (`lambda.amazonaws.com` or `ecs-tasks.amazonaws.com`), each function may write only its
///   own log group, and the frontend task's role is separate from the execution role that
///   pulls its image. The data permissions are the seed's, not narrowed per worker, since the
///   workers' code decides which buckets it uses.
/// - **Network and DNS.** A VPC (`VPC_CIDR`, `NAT_GATEWAYS`) with public, private and isolated
///   subnets and a free S3 gateway endpoint. With `HOSTED_ZONE_NAME` an alias record
///   (`RECORD_NAME`, default the apex) points at the load balancer: in the existing zone
///   `HOSTED_ZONE_ID`, where a DNS-validated certificate is also created for HTTPS (80
///   redirects to 443), or in a new zone the stack creates (HTTP, as a certificate cannot be
///   validated before the registrar delegates to the new zone's name servers, output
///   `NameServers`; set `CERTIFICATE_ARN` for HTTPS). Without a zone, HTTP (or HTTPS with
///   `CERTIFICATE_ARN`) on the load balancer's name.
/// - **Logs.** With `ACCESS_LOGS`, the load balancer's access logs and the buckets' server
///   access logs go to a private, SSE-S3, TLS-only log bucket, kept `ACCESS_LOG_RETENTION_DAYS`.
///
/// First deployment: the stack creates the repositories, and a Lambda function cannot be
/// created before its image exists. Deploy with `IMAGES_PUSHED=false` (no functions, no
/// frontend task), push the four images (`RepositoryUri` outputs), then deploy with `true`.
///
/// Context keys (config/coral-pipeline.json; `Settings` documents each): `BUCKET_PREFIX`,
/// `S3_IMAGES_RAW`, `S3_IMAGES_TREATED`, `S3_IMAGES_REFRAMED`, `S3_IMAGES_SEGMENTED`,
/// `S3_IMAGES_MASKS`, `S3_MODEL_REFRAMING`, `S3_MODEL_SEGMENTATION` (null: derived),
/// `BUCKET_VERSIONING` (true), `NONCURRENT_VERSION_DAYS` (30), `IMAGES_PUSHED` (true),
/// `ECR_<W>_LAMBDA`, `<W>_IMAGE_TAG` (latest), `LAMBDA_IMAGE_<W>`, `<W>_MEMORY_MB` (3008 /
/// 10240 / 10240), `<W>_TIMEOUT_SECONDS` (900) for W = RESTORATION, REFRAMING, SEGMENTATION,
/// `ECR_FRONTEND_APP`, `FRONTEND_IMAGE_TAG` (latest), `FRONTEND_PORT` (8501), `FRONTEND_CPU`
/// (1024), `FRONTEND_MEMORY` (2048), `FRONTEND_DESIRED_COUNT` (1), `FRONTEND_HEALTH_CHECK_PATH`
/// (/_stcore/health), `KEEP_IMAGES` (10), `DB_NAME` (coral), `DB_USER_NAME` (admin),
/// `DB_ENGINE_VERSION` (8.0.mysql_aurora.3.08.0), `DB_MIN_CAPACITY` (0.5), `DB_MAX_CAPACITY`
/// (4), `DB_BACKUP_RETENTION_DAYS` (7), `DB_DELETION_PROTECTION` (true), `CREATE_SCHEMA`
/// (true), `SSM_PARAMETER_PREFIX` (""), `VPC_CIDR` (10.0.0.0/16), `NAT_GATEWAYS` (1),
/// `HOSTED_ZONE_NAME`, `HOSTED_ZONE_ID`, `RECORD_NAME`, `CERTIFICATE_ARN` (null),
/// `ACCESS_LOGS` (true), `ACCESS_LOG_RETENTION_DAYS` (90). An unknown key, a wrong type or an
/// invalid value is a `ConfigError` naming the file and the key.
///
/// cfn-lint: no errors and no warnings on the goldens.
public enum CoralPipelineStack {
    public static let definitionName = "coral-pipeline"
    public static let summary = "Coral image pipeline: 7 buckets, 4 ECR repos, 3 image Lambdas chained by S3 events, streamlit on Fargate, Aurora MySQL"

    /// Builds the stack of a config file (`config/coral-pipeline.json`).
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
        for problem in settings.problems(stackName: stackName) { app.report(path: stack.path, "\(problem.key): \(problem.message)") }
        define(stack, settings)
        return stack
    }

    /// The Data API actions the workloads use on the cluster.
    static let dataApiActions = ["rds-data:BatchExecuteStatement", "rds-data:BeginTransaction", "rds-data:CommitTransaction",
                                 "rds-data:ExecuteStatement", "rds-data:RollbackTransaction"]

    /// Adds the pipeline's resources to `stack`.
    public static func define(_ stack: Stack, _ s: Settings) {
        let name = stack.stackName

        // Logs and buckets.
        let logs = s.accessLogs
            ? Bucket(stack, "AccessLogs", lifecycleRules: [.init(id: "expire", expirationDays: s.accessLogRetentionDays)]) : nil
        var buckets: [(BucketRole, Bucket)] = []
        for role in BucketRole.allCases {
            let bucketName = s.bucketName(role, stackName: name)
            let rule: Bucket.LifecycleRule = s.bucketVersioning
                ? .init(id: "noncurrent-versions", noncurrentVersionExpirationDays: s.noncurrentVersionDays)
                : .init(id: "incomplete-uploads")
            buckets.append((role, Bucket(stack, role.constructId, bucketName: bucketName, versioned: s.bucketVersioning,
                                         lifecycleRules: [rule], accessLogs: logs.map { ($0, "s3/\(bucketName)/") })))
        }
        func bucket(_ role: BucketRole) -> Bucket { buckets.first { $0.0 == role }!.1 }

        // Repositories.
        let frontendRepository = Repository(stack, "FrontendRepository", repositoryName: s.repositoryName(nil, stackName: name),
                                            maxImageCount: s.keepImages)
        let workerRepositories = Worker.allCases.map { w in
            (w, Repository(stack, "\(w.constructId)Repository", repositoryName: s.repositoryName(w, stackName: name), maxImageCount: s.keepImages))
        }

        // Network and database.
        let vpc = Vpc(stack, "Vpc", cidr: s.vpcCidr, natGateways: s.natGateways, gatewayEndpoints: [.s3])
        let db = DatabaseCluster(stack, "Database", engine: .auroraMysql(version: s.dbEngineVersion), vpc: vpc, subnetType: .isolated,
                                 capacity: .serverlessV2(minCapacity: s.dbMinCapacity, maxCapacity: s.dbMaxCapacity),
                                 databaseName: s.dbName, masterUsername: s.dbUserName, backupRetentionDays: s.dbBackupRetentionDays,
                                 deletionProtection: s.dbDeletionProtection, cloudwatchLogsExports: ["error"])
        // The seed's code uses the cluster ARN and the credentials secret: the Data API.
        db.resource.enableHttpEndpoint = true

        // The seed's parameters, and the same values as environment variables.
        var environment: [String: StringValue] = ["DB_CLUSTER_ARN": db.clusterArn, "DB_SECRET_ARN": db.secret.secretArn,
                                                  "DB_NAME": StringValue(s.dbName)]
        var parameters: [(id: String, name: String, value: StringValue, description: String)] = [
            ("ClusterCredentials", "cluster-credentials", db.secret.secretArn, "ARN of the Aurora cluster's credentials secret"),
            ("DbClusterArn", "db-cluster-arn", db.clusterArn, "ARN of the Aurora cluster"),
            ("DbName", "db-name", StringValue(s.dbName), "Name of the Aurora database"),
        ]
        for (role, b) in buckets {
            environment[role.key] = b.bucketName
            parameters.append((role.constructId, role.parameterName, b.bucketName, "Name of the \(role.rawValue) bucket"))
        }
        var parameterArns: [StringValue] = []
        if let prefix = s.ssmParameterPrefix {
            environment["SSM_PARAMETER_PREFIX"] = StringValue(prefix)
            for p in parameters {
                let full = prefix + p.name
                let parameter = Resource(stack, "Parameter\(p.id)", type: "AWS::SSM::Parameter")
                parameter.addPropertyOverride("Name", .string(full))
                parameter.addPropertyOverride("Type", "String")
                parameter.addPropertyOverride("Value", p.value.token)
                parameter.addPropertyOverride("Description", .string(p.description))
                parameterArns.append("arn:\(Pseudo.partition):ssm:\(Pseudo.region):\(Pseudo.accountId):parameter\(full.hasPrefix("/") ? full : "/" + full)")
            }
        }

        /// The seed's single role's permissions: read/write on the buckets, the cluster, the parameters.
        func grantPipelineAccess(_ grantee: Grantable) {
            for (_, b) in buckets { b.grantReadWrite(grantee) }
            grantee.addToPrincipalPolicy(PolicyStatement(actions: dataApiActions, resources: [db.clusterArn]))
            db.secret.grantRead(grantee)
            if !parameterArns.isEmpty {
                grantee.addToPrincipalPolicy(PolicyStatement(actions: ["ssm:GetParameter", "ssm:GetParameters"], resources: parameterArns))
            }
        }

        // The workers, once their images exist.
        var functions: [(Worker, Function)] = []
        var failedEvents: Queue?
        if s.imagesPushed {
            // S3 invokes the workers asynchronously: events that still fail after Lambda's two
            // retries are kept here (14 days) instead of being dropped, to be replayed.
            let queue = Queue(stack, "FailedEvents", retentionPeriodSeconds: 1_209_600)
            failedEvents = queue
            for (w, repository) in workerRepositories {
                let ws = s.workers[w] ?? Settings.defaultWorkers[w]!
                let functionName = s.functionName(w, stackName: name)
                let function = Function(stack, w.constructId, code: .image(uri: repository.imageUri(tag: ws.imageTag)),
                                        functionName: functionName,
                                        description: "Coral pipeline \(w.rawValue) worker (uploads to \(bucket(w.trigger).bucketName.literal ?? ""))",
                                        memorySize: ws.memoryMB, timeoutSeconds: ws.timeoutSeconds, environment: environment,
                                        deadLetterQueue: queue)
                let functionArn: StringValue = "arn:\(Pseudo.partition):lambda:\(Pseudo.region):\(Pseudo.accountId):function:\(functionName)"
                let qualifiedArns: StringValue = "arn:\(Pseudo.partition):lambda:\(Pseudo.region):\(Pseudo.accountId):function:\(functionName):*"
                repository.addToResourcePolicy(PolicyStatement(
                    actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], principals: ["Service": ["lambda.amazonaws.com"]],
                    conditions: ["StringLike": ["aws:sourceArn": .array([functionArn.token, qualifiedArns.token])]]))
                grantPipelineAccess(function)
                bucket(w.trigger).addEventNotification(.objectCreated, function: function)
                functions.append((w, function))
            }
        }

        // The frontend.
        var zone: HostedZone?
        if let zoneName = s.hostedZoneName {
            zone = s.hostedZoneId.map { HostedZone.existing(stack, "HostedZone", hostedZoneId: StringValue($0), zoneName: zoneName) }
                ?? HostedZone(stack, "HostedZone", zoneName: zoneName, comment: "Coral pipeline frontend")
        }
        let certificate: ApplicationLoadBalancedFargateService.CertificateSource =
            s.certificateArn.map { .arn(StringValue($0)) } ?? (s.hostedZoneId != nil && zone != nil ? .create : .none)
        let cluster = Cluster(stack, "Cluster", vpc: vpc)
        let frontend = ApplicationLoadBalancedFargateService(
            stack, "Frontend", cluster: cluster, image: .fromRepository(frontendRepository, tag: s.frontendImageTag),
            containerPort: s.frontendPort, cpu: s.frontendCpu, memoryMiB: s.frontendMemoryMiB, environment: environment,
            desiredCount: s.imagesPushed ? s.frontendDesiredCount : 0,
            healthCheck: TargetGroupHealthCheck(path: s.frontendHealthCheckPath), healthCheckGracePeriodSeconds: 120,
            certificate: certificate, domainName: zone.map { s.recordName ?? $0.zoneName }, hostedZone: zone,
            accessLogs: logs.map { LoadBalancerAccessLogs(bucket: $0, prefix: "alb") }, taskSubnetType: .privateWithEgress)
        grantPipelineAccess(frontend.taskDefinition)

        // The seed's table, through the Data API.
        if s.createSchema {
            let initializer = schemaInitializer(stack)  // SchemaInitializer.swift
            initializer.addToPrincipalPolicy(PolicyStatement(actions: ["rds-data:ExecuteStatement"], resources: [db.clusterArn]))
            db.secret.grantRead(initializer)
            let schema = CustomResource(stack, "Schema", resourceType: "CoralSchema", provider: initializer, properties: [
                "ClusterArn": db.clusterArn.token, "SecretArn": db.secret.secretArn.token, "DatabaseName": .string(s.dbName),
                "Statements": .array(schemaStatements.map { .string($0) }),
            ])
            schema.addDependency(db)
        }

        _ = Output(stack, "FrontendUrl", value: frontend.url, description: "The streamlit frontend")
        if let zone, let servers = zone.nameServers {
            _ = Output(stack, "NameServers", value: Fn.join(",", servers), description: "Delegate \(zone.zoneName) to these name servers")
        }
        for (role, b) in buckets { _ = Output(stack, "Bucket\(role.constructId)", value: b.bucketName, description: role.parameterName) }
        _ = Output(stack, "FrontendRepositoryUri", value: frontendRepository.repositoryUri, description: "Push the streamlit image here")
        for (w, r) in workerRepositories {
            _ = Output(stack, "\(w.constructId)RepositoryUri", value: r.repositoryUri, description: "Push the \(w.rawValue) worker image here")
        }
        for (w, f) in functions { _ = Output(stack, "\(w.constructId)FunctionName", value: f.functionName, description: "LAMBDA_IMAGE_\(w.upper)") }
        if let failedEvents {
            _ = Output(stack, "FailedEventsQueueUrl", value: failedEvents.queueUrl, description: "Upload events the workers failed to process")
        }
        _ = Output(stack, "DatabaseClusterArn", value: db.clusterArn, description: "db-cluster-arn")
        _ = Output(stack, "DatabaseSecretArn", value: db.secret.secretArn, description: "cluster-credentials")
    }
}
