/// A CloudFormation stack: the unit of deployment. Everything below it renders into its template.
open class Stack: Construct {
    /// The CloudFormation stack name (defaults to the construct id).
    public let stackName: String
    /// The target account (nil: whatever the credentials resolve to at deploy time).
    public var account: String?
    /// The target region (nil: the region the deployer resolves).
    public var region: String?
    /// The template's description.
    public var templateDescription: String?
    /// Protects the deployed stack from deletion.
    public var terminationProtection: Bool
    /// Template metadata.
    public var templateMetadata: [(String, Value)] = []
    /// Template transforms (e.g. `AWS::Serverless-2016-10-31`).
    public var transforms: [String] = []
    /// Explicit dependencies on other stacks of the app, besides the ones references imply.
    public private(set) var explicitDependencies: [Stack] = []
    /// The config file the stack was built from, relative to the project root (manifest
    /// `configFile`; set by the CLI).
    public var configFile: String?
    /// The stack's effective context (file values merged with `-c` overrides; manifest `context`).
    public var configContext: [String: Value] = [:]
    /// Context keys whose value is an example (manifest `exampleKeys`).
    public var exampleKeys: [String] = []
    /// The container images the stack's resources run (manifest `images`), in the order added.
    public private(set) var containerImages: [StackImage] = []

    /// Records a container image for the manifest (done by the constructs that use images).
    public func addContainerImage(_ image: StackImage) { containerImages.append(image) }

    public init(
        _ app: App, _ id: String, stackName: String? = nil, account: String? = nil, region: String? = nil,
        description: String? = nil, tags: [String: String] = [:], terminationProtection: Bool = false
    ) {
        self.stackName = stackName ?? id
        self.account = account
        self.region = region
        self.templateDescription = description
        self.terminationProtection = terminationProtection
        super.init(app, id)
        for key in tags.keys.sorted() { tag(key, tags[key]!) }
    }

    /// Deploys this stack after `other`.
    public func addDependency(_ other: Stack) {
        if !explicitDependencies.contains(where: { $0 === other }) { explicitDependencies.append(other) }
    }

    /// The stack's template elements in tree order.
    func elements() -> [TemplateElement] {
        descendants().compactMap { $0 as? TemplateElement }
    }

    /// The resources of the stack in tree order.
    public var resources: [Resource] { descendants().compactMap { $0 as? Resource } }

    public override func validate() -> [String] {
        var errors: [String] = []
        let name = stackName
        let validName = name.count <= 128 && name.first.map { $0.isASCII && $0.isLetter } == true
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        if !validName {
            errors.append("stack name '\(name)' is invalid: 1-128 letters, digits and hyphens, starting with a letter")
        }
        if let r = region, r.isEmpty { errors.append("region must not be empty") }
        if let a = account, a.count != 12 || !a.allSatisfy(\.isNumber) {
            errors.append("account '\(a)' is not a 12-digit AWS account id")
        }
        return errors
    }
}

/// A container image one of the stack's resources runs, as the manifest lists it: the deployer
/// checks it exists before deploying and sets `parameter` (the image gate) to "true" when it does.
public struct StackImage {
    /// Where the image lives.
    public enum Repository {
        /// A repository the same stack creates (its `AWS::ECR::Repository` resource).
        case resource(Resource)
        /// An existing repository, by name.
        case name(String)
    }

    /// The gate parameter (`<Name>ImageReady`); nil for an image the stack does not create.
    public let parameter: Parameter?
    /// The construct that runs the image (a service's task definition, a function).
    public let consumer: Construct
    public let repository: Repository
    public let tag: String
    /// The context keys that choose this image (repository, tag), for messages.
    public let contextKeys: [String]

    public init(parameter: Parameter?, consumer: Construct, repository: Repository, tag: String, contextKeys: [String] = []) {
        self.parameter = parameter
        self.consumer = consumer
        self.repository = repository
        self.tag = tag
        self.contextKeys = contextKeys
    }

    /// The manifest entry (context keys sorted and unique).
    func manifestEntry() -> AssemblyManifest.Image {
        let repository: AssemblyManifest.Repository
        switch self.repository {
        case .resource(let r): repository = .logicalId(r.logicalId)
        case .name(let n): repository = .name(n)
        }
        return AssemblyManifest.Image(contextKeys: Array(Set(contextKeys)).sorted(), parameter: parameter?.logicalId,
                                      path: consumer.path, repository: repository, tag: tag)
    }
}

/// The root of the construct tree. Holds the stacks and the context values they read.
public final class App: Construct {
    /// Context values (from the config file's `context`, overridden by `-c KEY=VALUE`).
    public var context: [String: Value]
    /// Assets registered by constructs (function code, container images), by id.
    public private(set) var assets: [Asset] = []
    private(set) var constructionErrors: [(String, String)] = []
    /// Relations between constructs that constructs record as they are wired (see `ConstructRelation`).
    public internal(set) var relations: [ConstructRelation] = []

    public init(context: [String: Value] = [:]) {
        self.context = context
        super.init(rootId: "")
    }

    /// The stacks in the order they were added.
    public var stacks: [Stack] { children.compactMap { $0 as? Stack } }

    /// Records a problem found while building the tree; synthesis reports it and fails.
    public func report(path: String, _ message: String) {
        constructionErrors.append((path.isEmpty ? "App" : path, message))
    }

    /// Registers an asset (once per id); returns the registered one.
    @discardableResult
    public func addAsset(_ asset: Asset) -> Asset {
        if let existing = assets.first(where: { $0.id == asset.id }) { return existing }
        assets.append(asset)
        return asset
    }

    /// Renders every stack. Throws `SynthesisError` with all problems found; on success the
    /// assembly holds each stack's template and the manifest data.
    public func synthesize() throws -> CloudAssembly {
        try Synthesis(app: self).run()
    }
}
