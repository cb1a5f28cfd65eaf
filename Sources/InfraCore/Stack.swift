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
