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
