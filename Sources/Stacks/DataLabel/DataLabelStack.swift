import Foundation
import InfraDSL

/// The data-label pipeline (seed 001): a single-page web app to label the tokens of scraped job
/// posts, for datasets that train or fine-tune models.
///
/// ```
///  ECR repo ─► ECS service on EC2 (scraper) ──► DynamoDB table (de-duplication by job id)
///                        │ sqs:SendMessage
///                        ▼
///        SQS DeduplicatedJobPostsQueue ──(DLQ after DLQ_MAX_RECEIVE_COUNT)──► DeadLetterQueue
///                        │ event source
///                        ▼
///             Lambda preprocess (tokenizes the description)
///                        │ sns:Publish
///                        ▼
///        SNS PreprocessedJobPostsTopic ──► SQS PreprocessedJobPostsQueue (raw delivery)
///                        │                              │ receive + delete
///                        ▼                              ▼
///      Lambda archive ─► S3 data bucket       Lambda fetch ◄── API GET  /<API_RESOURCE_PATH>
///       (preprocessed_posts/*)  ▲             Lambda save  ◄── API POST /<API_RESOURCE_PATH>
///                               └──── s3:PutObject (labeled_posts/*) ┘
///
///  CloudFront (HTTPS) ─► private site bucket (Origin Access Control)     [optional Route 53 alias]
/// ```
///
/// - **Network**: a new VPC (`VPC_CIDR`, `MAX_AZS` zones, public and private subnets,
///   `NAT_GATEWAYS` NAT gateways, free S3 and DynamoDB gateway endpoints so image layers and
///   table traffic skip the NAT, rejected-traffic flow logs), or an existing one (`VPC_ID` +
///   `PRIVATE_SUBNET_IDS`, subnets that reach the internet through NAT).
/// - **Scraper**: an ECR repository (name generated, immutable tags unless the tag is `latest`,
///   scanned on push, newest 10 images kept,
///   retained on stack deletion; or `SCRAPER_REPOSITORY_NAME` to use an existing one), an ECS
///   cluster with an auto scaling group of `SCRAPER_INSTANCE_TYPE` instances
///   (`SCRAPER_MIN_INSTANCES`...`SCRAPER_MAX_INSTANCES`, ECS managed scaling, IMDSv2, encrypted
///   root volume) in the private subnets, and an EC2 service of `SCRAPER_TASK_COUNT` bridge-mode
///   tasks running `<repository>:<SCRAPER_IMAGE_TAG>` with `SCRAPER_CPU` CPU units and a
///   `SCRAPER_MEMORY_MIB` memory reservation. The container gets `DYNAMODB_TABLE_NAME`,
///   `DEDUPLICATED_JOBS_QUEUE_NAME`, `DEDUPLICATED_JOBS_QUEUE_URL`, `SINGLE_JOB_BASE_LINK`
///   (`SCRAPER_JOB_BASE_URL`) and `AWS_DEFAULT_REGION`, as the seed's scraper expects, and a
///   read-only root file system unless `SCRAPER_READONLY_ROOT_FILESYSTEM` is false. Its task
///   role may only read/write the table and send to the first queue.
///   `SCRAPER_TASK_COUNT` defaults to 1. The repository the stack creates (name generated)
///   starts empty, so the service is image-gated (`ScraperImageReady`, see `ImageGate`): the
///   first `infra deploy` runs it at zero tasks and prints the push commands; after the push,
///   `infra deploy` again starts the tasks. (The seed shipped 0 tasks for the same reason.)
/// - **Pipeline**: the de-duplication table (string key `DEDUP_PARTITION_KEY`, TTL attribute
///   `DEDUP_TTL_ATTRIBUTE`, on demand, point-in-time recovery, retained); the first queue
///   (`QUEUE_VISIBILITY_TIMEOUT_SECONDS`, `QUEUE_RETENTION_DAYS`, redrive to the dead-letter queue
///   after `DLQ_MAX_RECEIVE_COUNT` receives); the preprocess function (batch of 10, partial batch
///   failures, `PREPROCESS_MEMORY_MB`, `PREPROCESS_TIMEOUT_SECONDS`, at most
///   `PREPROCESS_MAX_CONCURRENCY` invocations at once; may only consume queue 1 and publish to
///   the topic); the topic (encrypted with `alias/aws/sns`, TLS-only) fanned out
///   to the second queue (raw message delivery) and to the archive function (may only put
///   objects under `PREPROCESSED_POSTS_PREFIX`; failed asynchronous invocations go to the
///   dead-letter queue). Queues use SSE-SQS and a TLS-only policy.
/// - **Data**: a versioned, private, SSE-S3, TLS-only bucket (retained on stack deletion;
///   noncurrent versions expire after 90 days, incomplete uploads after 7). S3 server access
///   logs of the data and site buckets go to a log bucket that keeps them
///   `ACCESS_LOG_RETENTION_DAYS` days (null: no log bucket).
/// - **API**: a regional REST API (stage `API_STAGE_NAME`, `API_THROTTLE_RATE` requests per
///   second with bursts of `API_THROTTLE_BURST`, X-Ray tracing with `API_TRACING`, JSON access
///   logs with `API_ACCESS_LOGS`, which need the account's API Gateway CloudWatch role:
///   `API_CLOUDWATCH_ROLE` creates it, a per-region singleton) with
///   `GET /<API_RESOURCE_PATH>` -> fetch function (may only consume queue 2: it receives up to
///   `?count=` posts and deletes them, as the seed does; every post also stays in the data bucket
///   under the preprocessed prefix) and `POST /<API_RESOURCE_PATH>` -> save function (may only
///   put objects under `LABELED_POSTS_PREFIX`). CORS preflights and the functions' responses
///   allow `API_CORS_ORIGINS` (default: `https://<SITE_DOMAIN>` with a custom domain, else `*`).
///   The API has no authorizer: the seed's labeling site is public. Throttling bounds abuse.
/// - **Site**: `StaticSite` (a private, versioned bucket read by CloudFront through Origin Access
///   Control, HTTPS only, security headers, SPA fallback to `/index.html`); with `SITE_DOMAIN` and its
///   us-east-1 `SITE_CERTIFICATE_ARN` it answers on that name, and with `HOSTED_ZONE_ID` /
///   `HOSTED_ZONE_NAME` the stack adds the A and AAAA alias records. Upload the web app to
///   `SiteBucketName` with a `config.js` pointing at `ApiUrl`.
///
/// Functions (Python 3.12, code zipped from `FUNCTIONS_DIR/<name>`, relative to the working
/// directory: `preprocess`, `archive`, `fetch`, `save`) log to their own log group for
/// `LOG_RETENTION_DAYS` days (also the scraper's).
///
/// Variants (config): new VPC or `VPC_ID`; with or without `SITE_DOMAIN`; with or without
/// `HOSTED_ZONE_ID`; explicit `API_CORS_ORIGINS`; an existing `SCRAPER_REPOSITORY_NAME`.
///
/// Kept by `infra destroy` (retained): the de-duplication table, the data bucket, the site
/// bucket and the access-log bucket (with their objects), the scraper's repository (with its
/// images), the scraper's and the flow logs' log groups. Names are generated, so a later deploy creates new
/// ones beside the kept ones.
///
/// cfn-lint: no errors and no warnings on any variant.
///
/// checkov findings left on purpose: Lambda functions outside a VPC (they only call AWS APIs;
/// a VPC adds NAT cost and cold starts), without reserved concurrency (a reservation fails in
/// accounts with the default low quota; the API stage throttles, and the event source caps the
/// preprocess concurrency), without a DLQ for fetch/save/preprocess (synchronous or queue-driven: the
/// queue's redrive is the DLQ; the asynchronous archive function has one), environment
/// variables without a customer key (they hold names and URLs, no secrets); log groups with
/// CloudWatch Logs' own encryption; the de-duplication table with the AWS managed key (it holds
/// job ids only); SQS queues with SSE-SQS (checkov only recognizes `KmsMasterKeyId`, and an
/// `aws/sqs` key would stop SNS from delivering); the API open and uncached (the seed's site has
/// no sign-in, and every GET hands out different posts), no API access logs by default (see
/// `API_ACCESS_LOGS`); CloudFront without WAF or access logs (standard logs need ACL-enabled
/// buckets) and, without `SITE_DOMAIN`, the `*.cloudfront.net` certificate whose minimum TLS
/// version cannot be raised; the access-log bucket does not log itself.
public enum DataLabelStack {
    public static let definitionName = "data-label"
    public static let summary = "scraper on ECS/EC2, DynamoDB de-dup, SQS -> Lambda -> SNS fan-out, S3, SPA site, API Gateway"

    /// Builds the stack from a config file (`config/data-label.json`).
    @discardableResult
    public static func build(_ app: App, config: StackConfig) throws -> Stack {
        let settings = try Settings(config: config)
        return try build(app, stackName: config.stackName, settings: settings, account: config.account,
                         region: config.region, description: config.description, tags: config.tags,
                         terminationProtection: config.terminationProtection, file: config.file)
    }

    /// Builds the stack from typed settings (for other Swift packages: `import DataLabel`).
    /// - Parameter file: names the source of the settings in error messages.
    @discardableResult
    public static func build(
        _ app: App, stackName: String, settings s: Settings, account: String? = nil, region: String? = nil,
        description: String? = nil, tags: [String: String] = [:], terminationProtection: Bool = false,
        file: String = "settings"
    ) throws -> Stack {
        try s.validate(file: file)
        var isDir: ObjCBool = false
        for name in functionNames {
            let dir = (s.functionsDirectory as NSString).appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
                throw ConfigError(file: file, key: "context.FUNCTIONS_DIR",
                                  "'\(dir)' is not a folder (relative paths are resolved against the working directory \(FileManager.default.currentDirectoryPath))")
            }
        }

        let stack = Stack(app, stackName, stackName: stackName, account: account, region: region,
                          description: description, tags: tags, terminationProtection: terminationProtection)
        // Each part creates its constructs in the order the template lists them.
        let vpc = network(stack, s)
        let pipeline = queues(stack, s)
        let scraper = scraper(stack, s, vpc: vpc, pipeline: pipeline)
        let storage = storage(stack, s, pipeline: pipeline)
        let functions = functions(stack, s, pipeline: pipeline, storage: storage)
        let api = api(stack, stackName: stackName, s, functions: functions)
        let site = site(stack, stackName: stackName, s, storage: storage)
        outputs(stack, s, site: site, api: api, pipeline: pipeline, storage: storage, scraper: scraper)
        return stack
    }

    // MARK: - Parts

    /// A new VPC (public and private subnets, NAT, S3 and DynamoDB gateway endpoints) or `VPC_ID`.
    private static func network(_ stack: Stack, _ s: Settings) -> VpcRef {
        if let vpcId = s.vpcId {
            return Vpc.imported(stack, "Vpc", vpcId: StringValue(vpcId), privateSubnetIds: s.privateSubnetIds.map { StringValue($0) })
        }
        return Vpc(stack, "Vpc", cidr: s.vpcCidr, maxAzs: s.maxAzs,
                   subnetConfiguration: [.public(), .privateWithEgress()], natGateways: s.natGateways,
                   gatewayEndpoints: [.s3, .dynamoDB])
    }

    /// The de-duplication table and the queues between the scraper, the preprocessing and the site.
    private struct Pipeline {
        let table: Table
        let deadLetters: Queue
        /// De-duplicated job posts (scraper -> preprocess).
        let jobs: Queue
        /// Preprocessed job posts waiting to be labeled (topic -> fetch).
        let toLabel: Queue
    }

    private static func queues(_ stack: Stack, _ s: Settings) -> Pipeline {
        let table = Table(stack, "JobPostsTable", partitionKey: .init(s.dedupPartitionKey, .string),
                          timeToLiveAttribute: s.dedupTtlAttribute)
        let deadLetters = Queue(stack, "DeadLetterQueue", retentionPeriod: .days(14))
        let jobs = Queue(stack, "DeduplicatedJobPostsQueue", visibilityTimeout: s.queueVisibilityTimeout,
                         retentionPeriod: s.queueRetention,
                         deadLetterQueue: .init(queue: deadLetters, maxReceiveCount: s.dlqMaxReceiveCount))
        let toLabel = Queue(stack, "PreprocessedJobPostsQueue", visibilityTimeout: s.queueVisibilityTimeout,
                            retentionPeriod: s.queueRetention)
        return Pipeline(table: table, deadLetters: deadLetters, jobs: jobs, toLabel: toLabel)
    }

    /// The scraper: its ECR repository (or `SCRAPER_REPOSITORY_NAME`), an ECS cluster with EC2
    /// capacity, the task and the EC2 service.
    private struct Scraper {
        let repositoryUri: StringValue
        let cluster: Cluster
        let service: Ec2Service
    }

    private static func scraper(_ stack: Stack, _ s: Settings, vpc: VpcRef, pipeline: Pipeline) -> Scraper {
        let repository: any RepositoryRef = s.scraperRepositoryName.map { Repository.imported(stack, "ScraperRepository", name: $0) }
            ?? Repository(stack, "ScraperRepository", maxImageCount: 10)
        let cluster = Cluster(stack, "Cluster", vpc: vpc, ec2Capacity: Ec2CapacityOptions(
            instanceType: s.scraperInstanceType, minCapacity: s.scraperMinInstances, maxCapacity: s.scraperMaxInstances,
            subnetType: .privateWithEgress))
        let task = TaskDefinition(stack, "ScraperTask", compatibility: .ec2, networkMode: .bridge,
                                  logRetention: s.logRetention)
        let container = task.addContainer(
            "scraper", image: .fromRepository(repository, tag: s.scraperImageTag,
                                              contextKeys: ["SCRAPER_IMAGE_TAG", "SCRAPER_REPOSITORY_NAME"]),
            environment: [
                "AWS_DEFAULT_REGION": Pseudo.region,
                "DYNAMODB_TABLE_NAME": pipeline.table.tableName,
                "DEDUPLICATED_JOBS_QUEUE_NAME": pipeline.jobs.queueName,
                "DEDUPLICATED_JOBS_QUEUE_URL": pipeline.jobs.queueUrl,
                "SINGLE_JOB_BASE_LINK": StringValue(s.scraperJobBaseUrl),
            ],
            cpu: s.scraperCpu)
        container.memoryReservation = s.scraperMemory
        container.readonlyRootFilesystem = s.scraperReadonlyRootFilesystem
        pipeline.table.grantReadWriteData(task)
        pipeline.jobs.grantSendMessages(task)
        let service = Ec2Service(stack, "ScraperService", cluster: cluster, taskDefinition: task, desiredCount: s.scraperTaskCount)
        return Scraper(repositoryUri: repository.repositoryUri, cluster: cluster, service: service)
    }

    /// The buckets (data, site, access logs) and the topic fanning preprocessed posts out.
    private struct Storage {
        let accessLogs: Bucket?
        let data: Bucket
        let siteBucket: Bucket
        let topic: Topic
    }

    private static func storage(_ stack: Stack, _ s: Settings, pipeline: Pipeline) -> Storage {
        let accessLogs = s.accessLogRetention.map { retention in
            Bucket(stack, "AccessLogsBucket", versioned: true, lifecycleRules: [
                .init(id: "ExpireLogs", expiration: retention, noncurrentVersionExpiration: .days(1)),
            ])
        }
        let data = Bucket(stack, "DataBucket", versioned: true, lifecycleRules: [
            .init(id: "ExpireNoncurrentVersions", noncurrentVersionExpiration: .days(90)),
        ], accessLogs: accessLogs.map { ($0, "data/") })
        let siteBucket = Bucket(stack, "SiteBucket", versioned: true, lifecycleRules: [
            .init(id: "ExpireNoncurrentVersions", noncurrentVersionExpiration: .days(30)),
        ], accessLogs: accessLogs.map { ($0, "site/") })
        let topic = Topic(stack, "PreprocessedJobPostsTopic")
        topic.addSubscription(queue: pipeline.toLabel, rawMessageDelivery: true)
        return Storage(accessLogs: accessLogs, data: data, siteBucket: siteBucket, topic: topic)
    }

    /// The API's two backends (the preprocess and archive functions only feed the pipeline).
    private struct Backends {
        let fetch: Function
        let save: Function
    }

    /// The four functions, each with only the grants it needs.
    private static func functions(_ stack: Stack, _ s: Settings, pipeline: Pipeline, storage: Storage) -> Backends {
        func code(_ name: String) -> Function.Code {
            .directory((s.functionsDirectory as NSString).appendingPathComponent(name))
        }
        let origins = s.effectiveCorsOrigins.joined(separator: ",")
        let (data, topic) = (storage.data, storage.topic)
        let preprocess = Function(
            stack, "PreprocessFunction", code: code("preprocess"), handler: "app.handler", runtime: .python3_12,
            description: "Tokenizes the description of deduplicated job posts and publishes them",
            memory: s.preprocessMemory, timeout: s.preprocessTimeout,
            environment: ["SNS_TOPIC_ARN": topic.topicArn], logRetention: s.logRetention)
        preprocess.addEventSource(queue: pipeline.jobs, batchSize: 10, reportBatchItemFailures: true).scalingConfig = .init {
            $0.maximumConcurrency = NumberValue(s.preprocessMaxConcurrency)
        }
        topic.grantPublish(preprocess)

        let archive = Function(
            stack, "ArchiveFunction", code: code("archive"), handler: "app.handler", runtime: .python3_12,
            description: "Saves preprocessed job posts from the topic to the data bucket",
            timeout: .seconds(30),
            environment: [
                "S3_BUCKET_NAME": data.bucketName,
                "PREPROCESSED_POSTS_PREFIX": StringValue(s.preprocessedPostsPrefix),
                "JOB_ID_KEY": StringValue(s.dedupPartitionKey),
            ],
            logRetention: s.logRetention, deadLetterQueue: pipeline.deadLetters)
        data.grantPut(archive, objectsKeyPattern: "\(s.preprocessedPostsPrefix)*")
        topic.addSubscription(function: archive)

        let fetch = Function(
            stack, "FetchJobsFunction", code: code("fetch"), handler: "app.handler", runtime: .python3_12,
            description: "Hands preprocessed job posts from the queue to the labeling site",
            timeout: .seconds(10),
            environment: ["PREPROCESSED_JOBS_QUEUE_URL": pipeline.toLabel.queueUrl, "CORS_ORIGINS": StringValue(origins)],
            logRetention: s.logRetention)
        pipeline.toLabel.grantConsumeMessages(fetch)

        let save = Function(
            stack, "SaveLabelsFunction", code: code("save"), handler: "app.handler", runtime: .python3_12,
            description: "Saves labeled job posts to the data bucket",
            timeout: .seconds(10),
            environment: [
                "S3_BUCKET_NAME": data.bucketName,
                "LABELED_POSTS_PREFIX": StringValue(s.labeledPostsPrefix),
                "JOB_ID_KEY": StringValue(s.dedupPartitionKey),
                "CORS_ORIGINS": StringValue(origins),
            ],
            logRetention: s.logRetention)
        data.grantPut(save, objectsKeyPattern: "\(s.labeledPostsPrefix)*")
        return Backends(fetch: fetch, save: save)
    }

    /// The REST API: GET (next posts) and POST (labels) on `API_RESOURCE_PATH`.
    private static func api(_ stack: Stack, stackName: String, _ s: Settings, functions: Backends) -> RestApi {
        let api = RestApi(
            stack, "Api", description: "Job posts to label and labels of the \(stackName) labeling site",
            stageName: s.apiStageName,
            defaultCors: .init(allowOrigins: s.effectiveCorsOrigins, allowMethods: ["OPTIONS", "GET", "POST"]),
            throttling: .init(rateLimit: Double(s.apiThrottleRate), burstLimit: s.apiThrottleBurst),
            tracing: s.apiTracing, accessLogging: s.apiAccessLogs, logRetention: s.logRetention,
            cloudWatchRole: s.apiCloudWatchRole)
        let posts = api.root.addResource(s.apiResourcePath)
        posts.addMethod("GET", integration: .lambdaProxy(functions.fetch))
        posts.addMethod("POST", integration: .lambdaProxy(functions.save))
        return api
    }

    /// The labeling site behind CloudFront, with alias records when a hosted zone is given.
    private static func site(_ stack: Stack, stackName: String, _ s: Settings, storage: Storage) -> StaticSite {
        let site = StaticSite(
            stack, "Site", bucket: storage.siteBucket, domainNames: s.siteDomain.map { [$0] } ?? [],
            certificateArn: s.siteCertificateArn.map { StringValue($0) }, singlePageApp: true,
            comment: "\(stackName) labeling site")
        if let zoneId = s.hostedZoneId, let zoneName = s.hostedZoneName, let domain = s.siteDomain {
            let zone = HostedZone.imported(stack, "HostedZone", hostedZoneId: StringValue(zoneId), zoneName: zoneName)
            _ = ARecord(stack, "SiteAliasRecord", zone: zone, recordName: domain, target: .alias(site))
            _ = AaaaRecord(stack, "SiteAliasRecordIPv6", zone: zone, recordName: domain, target: .alias(site))
        }
        return site
    }

    private static func outputs(_ stack: Stack, _ s: Settings, site: StaticSite, api: RestApi, pipeline: Pipeline,
                                storage: Storage, scraper: Scraper) {
        _ = Output(stack, "SiteUrl", value: site.url, description: "The labeling site")
        _ = Output(stack, "SiteBucketName", value: site.bucket.bucketName, description: "Upload the web app here")
        _ = Output(stack, "DistributionId", value: site.distributionId, description: "Invalidate it after an upload")
        _ = Output(stack, "ApiUrl", value: api.urlForPath(s.apiResourcePath), description: "GET: posts to label; POST: labels")
        _ = Output(stack, "DataBucketName", value: storage.data.bucketName, description: "Preprocessed and labeled posts")
        if let accessLogs = storage.accessLogs { _ = Output(stack, "AccessLogsBucketName", value: accessLogs.bucketName) }
        _ = Output(stack, "ScraperRepositoryUri", value: scraper.repositoryUri, description: "Push the scraper image here")
        _ = Output(stack, "ClusterName", value: scraper.cluster.clusterName)
        _ = Output(stack, "ScraperServiceName", value: scraper.service.serviceName)
        _ = Output(stack, "TableName", value: pipeline.table.tableName, description: "De-duplication table")
        _ = Output(stack, "JobPostsQueueUrl", value: pipeline.jobs.queueUrl)
        _ = Output(stack, "LabelQueueUrl", value: pipeline.toLabel.queueUrl)
        _ = Output(stack, "DeadLetterQueueUrl", value: pipeline.deadLetters.queueUrl)
        _ = Output(stack, "TopicArn", value: storage.topic.topicArn)
    }

    /// The sub-folders of `FUNCTIONS_DIR`, one per function.
    public static let functionNames = ["preprocess", "archive", "fetch", "save"]
}
