import Foundation

/// Cognito user pools: the read call preflight needs (is a hosted-UI domain prefix taken).
public struct CognitoIdentityProviderClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct DomainDescription: Sendable, Decodable, Equatable {
        public var userPoolId: String?
        public var awsAccountId: String?
        public var domain: String?
        public var status: String?

        enum CodingKeys: String, CodingKey {
            case userPoolId = "UserPoolId", awsAccountId = "AWSAccountId", domain = "Domain", status = "Status"
        }
    }

    /// DescribeUserPoolDomain: who holds a domain prefix (or custom domain), nil when nobody does
    /// (AWS answers an empty description then).
    public func describeUserPoolDomain(_ domain: String) async throws -> DomainDescription? {
        struct Input: Encodable {
            var domain: String
            enum CodingKeys: String, CodingKey { case domain = "Domain" }
        }
        struct Output: Decodable {
            var domainDescription: DomainDescription?
            enum CodingKeys: String, CodingKey { case domainDescription = "DomainDescription" }
        }
        return try await unlessMissing("ResourceNotFoundException") {
            let out: Output = try await client.json(.cognitoIdentityProvider, "DescribeUserPoolDomain",
                                                    Input(domain: domain), idempotency: .safe)
            guard let d = out.domainDescription, let pool = d.userPoolId, !pool.isEmpty else { return nil }
            return d
        }
    }

    /// CreateUserPool + CreateUserPoolDomain (tests take a prefix with it); returns the pool id.
    public func createUserPoolWithDomain(poolName: String, domain: String) async throws -> String {
        struct PoolInput: Encodable {
            var poolName: String
            enum CodingKeys: String, CodingKey { case poolName = "PoolName" }
        }
        struct Pool: Decodable {
            var id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        struct PoolOutput: Decodable {
            var userPool: Pool
            enum CodingKeys: String, CodingKey { case userPool = "UserPool" }
        }
        struct DomainInput: Encodable {
            var domain: String
            var userPoolId: String
            enum CodingKeys: String, CodingKey { case domain = "Domain", userPoolId = "UserPoolId" }
        }
        struct Empty: Decodable {}
        let pool: PoolOutput = try await client.json(.cognitoIdentityProvider, "CreateUserPool",
                                                     PoolInput(poolName: poolName))
        let _: Empty = try await client.json(.cognitoIdentityProvider, "CreateUserPoolDomain",
                                             DomainInput(domain: domain, userPoolId: pool.userPool.id))
        return pool.userPool.id
    }
}
