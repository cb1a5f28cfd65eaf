import Foundation
import InfraCore

/// Where a container's image comes from.
public struct ContainerImage {
    /// The repository that `infra bootstrap` creates in each account and region for container
    /// image assets; images are tagged with their content hash.
    public static var assetRepositoryName: String { AssetLocations.imageRepositoryName }

    enum Source {
        case registry(String)
        case repository(any RepositoryRef, String, contextKeys: [String], gated: Bool)
        case asset(directory: String)
    }

    let source: Source

    /// A public image (Docker Hub, `public.ecr.aws/...`, or any registry the task can reach
    /// without credentials): `"nginx:1.27"`.
    public static func fromRegistry(_ name: String) -> ContainerImage {
        ContainerImage(source: .registry(name))
    }

    /// A tag of an ECR repository of this app or imported by name. The task's execution role
    /// is granted pull access to that repository.
    ///
    /// When the consumer's stack creates the repository, the image is gated (see `ImageGate`):
    /// its consumers wait until `infra deploy` finds the image in the repository. Pass
    /// `gated: false` to run it unconditionally (the first deploy then fails until the image is
    /// pushed). `contextKeys` name the config keys that choose the repository and tag, for the
    /// deployer's messages (manifest `images[].contextKeys`).
    public static func fromRepository(_ repository: any RepositoryRef, tag: String = "latest", contextKeys: [String] = [],
                                      gated: Bool = true) -> ContainerImage {
        ContainerImage(source: .repository(repository, tag, contextKeys: contextKeys, gated: gated))
    }

    /// Records the image for the manifest and returns its gate (nil when the stack does not
    /// create the repository, or the image is not gated).
    func register(consumer: Construct) -> ImageGate? {
        guard case .repository(let repo, let tag, let keys, let gated) = source else { return nil }
        consumer.app.addRelation(from: consumer, to: repo, .image, label: tag)
        guard let repo = repo as? Repository else {
            if let name = repo.repositoryName.literal {
                consumer.stack.addContainerImage(StackImage(parameter: nil, consumer: consumer, repository: .name(name),
                                                            tag: tag, contextKeys: keys))
            }
            return nil
        }
        if tag == "latest" { repo.usedWithLatestTag = true }
        guard gated, let gate = ImageGate.gate(for: repo, tag: tag, consumer: consumer) else { return nil }
        consumer.stack.addContainerImage(StackImage(parameter: gate.parameter, consumer: consumer,
                                                    repository: .resource(repo.resource), tag: tag, contextKeys: keys))
        return gate
    }

    /// An image built from a local directory with a `Dockerfile` (relative paths are resolved
    /// against the current directory). Synthesis registers it as a `.containerImage` asset
    /// whose id is the directory's content hash; the deployer builds it and pushes it to the
    /// bootstrap repository `infra-assets` (created by `infra bootstrap`) as
    /// `<account>.dkr.ecr.<region>.<url suffix>/infra-assets:<hash>`, before the stack deploys.
    /// The execution role is granted pull access to that repository.
    public static func fromAsset(directory: String) -> ContainerImage {
        ContainerImage(source: .asset(directory: directory))
    }

    /// The image as a task definition uses it.
    struct Bound {
        var uri: StringValue
        var assetId: String?
    }

    /// Resolves the image for `task`: grants its execution role what pulling needs and
    /// registers an asset with the app. Problems (a missing directory or Dockerfile) are
    /// reported at `task`'s path.
    func bind(to task: TaskDefinition) -> Bound {
        switch source {
        case .registry(let name):
            return Bound(uri: StringValue(name), assetId: nil)
        case .repository(let repo, let tag, _, _):
            repo.grantPull(task.executionRole)
            if let gate = register(consumer: task) { task.imageGates.append(gate) }
            return Bound(uri: repo.imageUri(tag: tag), assetId: nil)
        case .asset(let directory):
            let fm = FileManager.default
            let absolute = directory.hasPrefix("/") ? directory
                : (fm.currentDirectoryPath as NSString).appendingPathComponent(directory)
            let path = (absolute as NSString).standardizingPath
            var hash = "0000000000000000000000000000000000000000000000000000000000000000"
            do {
                hash = try Asset.hashDirectory(path)
                if !fm.fileExists(atPath: (path as NSString).appendingPathComponent("Dockerfile")) {
                    task.app.report(path: task.path, "container image directory '\(path)' has no Dockerfile")
                }
                task.app.addAsset(Asset(id: hash, kind: .containerImage, sourcePath: path, assemblyPath: "asset.\(hash)"))
            } catch {
                task.app.report(path: task.path, "container image asset: \(error)")
            }
            let repoArn = Fn.sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/\(AssetLocations.imageRepositoryName)")
            task.executionRole.addToPrincipalPolicy(PolicyStatement(
                actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                resources: [repoArn]))
            task.executionRole.addToPrincipalPolicy(PolicyStatement(actions: ["ecr:GetAuthorizationToken"], resources: ["*"]))
            return Bound(uri: AssetLocations.imageUri(hash), assetId: hash)
        }
    }
}
