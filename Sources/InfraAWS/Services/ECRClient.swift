import Foundation

/// ECR (JSON 1.1, target `AmazonEC2ContainerRegistry_V20150921`).
public struct ECRClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct AuthorizationData: Sendable, Decodable, Equatable {
        /// base64 of `user:password`.
        public var authorizationToken: String
        public var expiresAt: Date?
        /// `https://<account>.dkr.ecr.<region>.amazonaws.com`.
        public var proxyEndpoint: String?

        /// The decoded user name and password for `docker login`.
        public var userAndPassword: (user: String, password: String)? {
            guard let data = Data(base64Encoded: authorizationToken) else { return nil }
            let text = String(decoding: data, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }

        public static func == (a: AuthorizationData, b: AuthorizationData) -> Bool {
            a.authorizationToken == b.authorizationToken && a.expiresAt == b.expiresAt
                && a.proxyEndpoint == b.proxyEndpoint
        }
    }

    public struct Repository: Sendable, Decodable, Equatable {
        public var repositoryArn: String?
        public var registryId: String?
        public var repositoryName: String
        public var repositoryUri: String?
        public var createdAt: Date?
        public var imageTagMutability: String?
    }

    public struct ImageIdentifier: Sendable, Codable, Equatable {
        public var imageDigest: String?
        public var imageTag: String?
        public init(imageDigest: String? = nil, imageTag: String? = nil) {
            self.imageDigest = imageDigest
            self.imageTag = imageTag
        }
    }

    public struct ImageDetail: Sendable, Decodable, Equatable {
        public var registryId: String?
        public var repositoryName: String?
        public var imageDigest: String?
        public var imageTags: [String]?
        public var imageSizeInBytes: Int64?
        public var imagePushedAt: Date?
        public var imageManifestMediaType: String?
    }

    public func getAuthorizationToken(registryIds: [String]? = nil) async throws -> [AuthorizationData] {
        struct Input: Encodable { var registryIds: [String]? }
        struct Output: Decodable { var authorizationData: [AuthorizationData]? }
        let out: Output = try await client.json(.ecr, "GetAuthorizationToken", Input(registryIds: registryIds),
                                              idempotency: .safe)
        return out.authorizationData ?? []
    }

    /// DescribeRepositories (all pages).
    public func describeRepositories(names: [String]? = nil, registryId: String? = nil) async throws -> [Repository] {
        struct Input: Encodable {
            var registryId: String?
            var repositoryNames: [String]?
            var nextToken: String?
        }
        struct Output: Decodable { var repositories: [Repository]?; var nextToken: String? }
        return try await collectPages { token in
            let out: Output = try await client.json(.ecr, "DescribeRepositories",
                                                    Input(registryId: registryId, repositoryNames: names,
                                                          nextToken: token),
                                                    idempotency: .safe)
            return (out.repositories ?? [], out.nextToken)
        }
    }

    /// DescribeImages (all pages), optionally only some image ids or `tagStatus` (TAGGED/UNTAGGED/ANY).
    public func describeImages(repositoryName: String, imageIds: [ImageIdentifier]? = nil,
                               tagStatus: String? = nil, registryId: String? = nil) async throws -> [ImageDetail] {
        struct Filter: Encodable { var tagStatus: String }
        struct Input: Encodable {
            var registryId: String?
            var repositoryName: String
            var imageIds: [ImageIdentifier]?
            var nextToken: String?
            var filter: Filter?
        }
        struct Output: Decodable { var imageDetails: [ImageDetail]?; var nextToken: String? }
        return try await collectPages { token in
            let out: Output = try await client.json(
                .ecr, "DescribeImages",
                Input(registryId: registryId, repositoryName: repositoryName, imageIds: imageIds,
                      nextToken: token, filter: tagStatus.map(Filter.init(tagStatus:))),
                idempotency: .safe)
            return (out.imageDetails ?? [], out.nextToken)
        }
    }

    /// CreateRepository (bootstrap and tests).
    @discardableResult
    public func createRepository(name: String, imageTagMutability: String? = nil, scanOnPush: Bool? = nil)
        async throws -> Repository {
        struct Scanning: Encodable { var scanOnPush: Bool }
        struct Input: Encodable {
            var repositoryName: String
            var imageTagMutability: String?
            var imageScanningConfiguration: Scanning?
        }
        struct Output: Decodable { var repository: Repository }
        let out: Output = try await client.json(
            .ecr, "CreateRepository",
            Input(repositoryName: name, imageTagMutability: imageTagMutability,
                  imageScanningConfiguration: scanOnPush.map(Scanning.init(scanOnPush:))))
        return out.repository
    }

    // h5 (preflight): additive.

    /// Whether an image with this tag is in the repository (DescribeImages for the tag): false
    /// when the tag is absent (`ImageNotFoundException`); a missing repository is an `AWSError`
    /// (`RepositoryNotFoundException`).
    public func imageExists(repositoryName: String, tag: String, registryId: String? = nil) async throws -> Bool {
        let found = try await unlessMissing("ImageNotFoundException") {
            try await describeImages(repositoryName: repositoryName, imageIds: [ImageIdentifier(imageTag: tag)],
                                     registryId: registryId)
        }
        return found?.contains { $0.imageTags?.contains(tag) ?? false } ?? false
    }

    /// PutImage: tags an image manifest (what `docker push` does last; tests push with it).
    @discardableResult
    public func putImage(repositoryName: String, imageManifest: String, imageTag: String,
                         mediaType: String? = nil) async throws -> ImageIdentifier {
        struct Input: Encodable {
            var repositoryName: String
            var imageManifest: String
            var imageTag: String
            var imageManifestMediaType: String?
        }
        struct Image: Decodable { var imageId: ImageIdentifier? }
        struct Output: Decodable { var image: Image? }
        let out: Output = try await client.json(
            .ecr, "PutImage", Input(repositoryName: repositoryName, imageManifest: imageManifest, imageTag: imageTag,
                                    imageManifestMediaType: mediaType))
        return out.image?.imageId ?? ImageIdentifier(imageTag: imageTag)
    }
}
