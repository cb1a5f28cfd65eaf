import Foundation
import InfraAWS
import InfraCore

/// Publishes what a stack needs before CloudFormation sees its template: zip and file assets
/// to the asset bucket (skipped when the content hash is already there), container images to
/// the image repository (built and pushed with the `docker` CLI), and templates too large to
/// send inline. Each asset is published once per region, however many stacks use it.
final class AssetPublisher: @unchecked Sendable {
    private let context: DeployContext
    private let clients: AWSClients
    private let toolkit: ToolkitLookup
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var published: [String: Task<Void, Error>] = [:]
    private var dockerCheck: Task<String?, Never>?

    init(context: DeployContext, clients: AWSClients, toolkit: ToolkitLookup, log: @escaping @Sendable (String) -> Void) {
        self.context = context
        self.clients = clients
        self.toolkit = toolkit
        self.log = log
    }

    /// Publishes every asset of `stack` into `region`.
    func publish(_ assets: [AssemblyAsset], for stack: String, region: String) async throws {
        guard !assets.isEmpty else { return }
        let info = try await toolkit.require(region: region, for: stack,
                                             need: "it has \(assets.count) asset\(assets.count == 1 ? "" : "s")")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for asset in assets {
                let task = lock.withLock { () -> Task<Void, Error> in
                    let key = "\(region)/\(asset.id)"
                    if let t = published[key] { return t }
                    let t = Task { try await self.publishOne(asset, toolkit: info, region: region) }
                    published[key] = t
                    return t
                }
                group.addTask { try await task.value }
            }
            try await group.waitForAll()
        }
    }

    private func publishOne(_ asset: AssemblyAsset, toolkit info: ToolkitInfo, region: String) async throws {
        switch asset.kind {
        case .zip, .file:
            try await publishFile(asset, bucket: info.bucketName, region: region)
        case .containerImage:
            try await publishImage(asset, repository: info.repositoryName, region: region)
        }
    }

    private func publishFile(_ asset: AssemblyAsset, bucket: String, region: String) async throws {
        let s3 = try await assetBucketClient(region: region)
        let key = asset.objectKey
        do {
            if try await s3.headObject(bucket: bucket, key: key) != nil {
                log("\(asset.displayName): already in s3://\(bucket)/\(key)")
                return
            }
            guard let data = FileManager.default.contents(atPath: asset.path.path) else {
                throw DeployError(.asset, "\(asset.displayName): the file \(asset.path.path) is missing from the "
                    + "assembly (synthesize again)")
            }
            try await Resolve.putObject(s3, bucket: bucket, key: key, body: data,
                                        contentType: asset.kind == .zip ? "application/zip" : "application/octet-stream",
                                        log: log)
            log("\(asset.displayName): published to s3://\(bucket)/\(key) (\(data.count) bytes)")
        } catch let e as AWSError where S3Client.isAccessDenied(e) {
            throw Self.notOwned(bucket: bucket, account: s3.expectedBucketOwner, region: region, error: e,
                                what: asset.displayName)
        } catch let e as AWSError {
            throw DeployError(.asset, "\(asset.displayName): publishing to s3://\(bucket)/\(key) failed: \(e)")
        }
    }

    /// An S3 client for the asset bucket of a region that sends the account of the credentials as
    /// the bucket's expected owner on every call.
    func assetBucketClient(region: String) async throws -> S3Client {
        S3Client(client: clients.client(for: region), expectedBucketOwner: try await clients.account())
    }

    /// The asset bucket refused a call that requires it to belong to this account.
    static func notOwned(bucket: String, account: String?, region: String, error: AWSError, what: String) -> DeployError {
        DeployError(.asset, """
            \(what): the asset bucket \(bucket) is not owned by this account (\(account ?? "?")): S3 refused a call \
            that requires the bucket to belong to it (\(error.code), HTTP \(error.statusCode)). Nothing was read from \
            or written to it. The toolkit stack's bucket was probably deleted and the name re-created by someone \
            else; do not deploy into it. Delete the toolkit stack (InfraToolkit in \(region)) and run \
            `infra bootstrap --region \(region)` again, or bootstrap with another toolkit stack. (If the bucket is \
            yours, these credentials lack permission on it.)
            """)
    }

    // MARK: Container images

    /// nil when a Docker engine answers, else why not.
    private func dockerProblem() async -> String? {
        let task = lock.withLock { () -> Task<String?, Never> in
            if let dockerCheck { return dockerCheck }
            let docker = context.docker
            let t = Task { () -> String? in
                do {
                    let r = try await docker.run(["info", "--format", "{{.ServerVersion}}"], input: nil)
                    if r.status == 0 { return nil }
                    let reason = (r.error + "\n" + r.output).split(whereSeparator: \.isNewline)
                        .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
                    return reason ?? "docker info exited with status \(r.status)"
                } catch {
                    return "\(error)"
                }
            }
            dockerCheck = t
            return t
        }
        return await task.value
    }

    private func publishImage(_ asset: AssemblyAsset, repository: String, region: String) async throws {
        let client = clients.client(for: region)
        let ecr = ECRClient(client: client)
        let tag = asset.id
        do {
            let existing = try await ecr.describeImages(repositoryName: repository,
                                                        imageIds: [.init(imageTag: tag)])
            if !existing.isEmpty {
                log("\(asset.displayName): already in \(repository):\(tag.prefix(12))")
                return
            }
        } catch let e as AWSError where e.code == "ImageNotFoundException" {
            // not there yet
        } catch let e as AWSError {
            throw DeployError(.asset, "\(asset.displayName): cannot look the image up in ECR repository "
                + "\(repository): \(e)")
        }
        if let problem = await dockerProblem() {
            throw DeployError(.asset, """
                \(asset.displayName) is a container image that must be built and pushed, which needs a Docker \
                engine, but none answers (`docker info`: \(problem)). Start Docker (or deploy from a machine \
                with Docker) and run the deploy again.
                """)
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: asset.path.path, isDirectory: &isDir), isDir.boolValue else {
            throw DeployError(.asset, "\(asset.displayName): the image's build directory \(asset.path.path) does "
                + "not exist on this machine")
        }
        do {
            guard let repo = try await ecr.describeRepositories(names: [repository]).first,
                  let uri = repo.repositoryUri else {
                throw DeployError(.asset, "\(asset.displayName): ECR repository \(repository) not found: run "
                    + "`infra bootstrap --region \(region)`")
            }
            guard let auth = try await ecr.getAuthorizationToken().first, let login = auth.userAndPassword else {
                throw DeployError(.asset, "\(asset.displayName): ECR returned no authorization token")
            }
            let registry = auth.proxyEndpoint ?? "https://" + (uri.split(separator: "/").first.map(String.init) ?? uri)
            try await docker(["login", "--username", login.user, "--password-stdin", registry],
                             input: Data(login.password.utf8), asset: asset, step: "docker login")
            let image = "\(uri):\(tag)"
            log("\(asset.displayName): building \(image)")
            try await docker(["build", "--tag", image, asset.path.path], input: nil, asset: asset, step: "docker build")
            try await docker(["push", image], input: nil, asset: asset, step: "docker push")
            log("\(asset.displayName): pushed \(image)")
        } catch let e as AWSError {
            throw DeployError(.asset, "\(asset.displayName): \(e)")
        }
    }

    private func docker(_ args: [String], input: Data?, asset: AssemblyAsset, step: String) async throws {
        let r = try await context.docker.run(args, input: input)
        guard r.status == 0 else {
            let detail = (r.error.isEmpty ? r.output : r.error).split(whereSeparator: \.isNewline).suffix(5)
                .joined(separator: "\n    ")
            throw DeployError(.asset, "\(asset.displayName): \(step) failed (exit \(r.status)):\n    \(detail)")
        }
    }

    // MARK: Templates

    /// Uploads a template too large for `TemplateBody`; returns its `TemplateURL`.
    func uploadTemplate(_ stack: AssemblyStack, region: String) async throws -> String {
        let size = stack.templateBody.utf8.count
        let info = try await toolkit.require(
            region: region, for: stack.stackName,
            need: "its template is \(size) bytes, over the \(TemplateLimits.maxInlineTemplateBytes) CloudFormation "
                + "accepts inline")
        let ext = (stack.templateFile as NSString).pathExtension.isEmpty ? "json"
            : (stack.templateFile as NSString).pathExtension
        let key = "\(Toolkit.templatePrefix)\(Hash.sha256Hex(stack.templateBody)).\(ext)"
        let s3 = try await assetBucketClient(region: region)
        do {
            if try await s3.headObject(bucket: info.bucketName, key: key) == nil {
                try await Resolve.putObject(s3, bucket: info.bucketName, key: key, body: Data(stack.templateBody.utf8),
                                            contentType: ext == "json" ? "application/json" : "application/x-yaml",
                                            log: log)
                log("template (\(size) bytes) uploaded to s3://\(info.bucketName)/\(key)")
            }
        } catch let e as AWSError where S3Client.isAccessDenied(e) {
            throw Self.notOwned(bucket: info.bucketName, account: s3.expectedBucketOwner, region: region, error: e,
                                what: "\(stack.stackName)'s template")
        } catch let e as AWSError {
            throw DeployError(.other, "\(stack.stackName): uploading the template to s3://\(info.bucketName)/\(key) "
                + "failed: \(e)")
        }
        let suffix = Partition.of(region: region).dnsSuffix
        return "https://\(info.bucketName).s3.\(region).\(suffix)/\(key)"
    }
}
