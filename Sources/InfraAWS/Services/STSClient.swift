import Foundation

/// STS (query protocol): who am I, and AssumeRole.
public struct STSClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public struct CallerIdentity: Sendable, Equatable {
        public var account: String
        public var arn: String
        public var userId: String
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let r = try await client.query(.sts, "GetCallerIdentity", idempotency: .safe)
        guard let account = r.string("Account"), let arn = r.string("Arn") else {
            throw AWSClientError.malformedResponse(service: "STS", operation: "GetCallerIdentity",
                                                   detail: "no Account/Arn in the answer")
        }
        return CallerIdentity(account: account, arn: arn, userId: r.string("UserId") ?? "")
    }

    public struct AssumedRole: Sendable {
        public var credentials: Credentials
        public var assumedRoleArn: String?
        public var assumedRoleId: String?
    }

    public func assumeRole(roleArn: String, sessionName: String, durationSeconds: Int? = nil,
                           externalId: String? = nil, policy: String? = nil) async throws -> AssumedRole {
        var p = QueryParameters()
        p.set("RoleArn", roleArn)
        p.set("RoleSessionName", sessionName)
        p.set("DurationSeconds", durationSeconds)
        p.set("ExternalId", externalId)
        p.set("Policy", policy)
        // AssumeRole changes nothing: a repeat only hands out other temporary credentials
        let r = try await client.query(.sts, "AssumeRole", p, idempotency: .safe)
        guard let id = r.string("Credentials/AccessKeyId"), let secret = r.string("Credentials/SecretAccessKey") else {
            throw AWSClientError.malformedResponse(service: "STS", operation: "AssumeRole",
                                                   detail: "no Credentials in the answer")
        }
        let credentials = Credentials(accessKeyId: id, secretAccessKey: secret,
                                      sessionToken: r.string("Credentials/SessionToken"),
                                      expiration: r.date("Credentials/Expiration"),
                                      source: "AssumeRole \(roleArn)")
        return AssumedRole(credentials: credentials, assumedRoleArn: r.string("AssumedRoleUser/Arn"),
                           assumedRoleId: r.string("AssumedRoleUser/AssumedRoleId"))
    }
}

/// The few IAM calls tests need to set up a signing identity on moto (query protocol, global).
public struct IAMClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// Creates a user; returns its ARN.
    @discardableResult
    public func createUser(_ userName: String) async throws -> String {
        var p = QueryParameters()
        p.set("UserName", userName)
        return try await client.query(.iam, "CreateUser", p).string("User/Arn") ?? ""
    }

    /// Creates an access key for a user.
    public func createAccessKey(userName: String) async throws -> Credentials {
        var p = QueryParameters()
        p.set("UserName", userName)
        let r = try await client.query(.iam, "CreateAccessKey", p)
        guard let id = r.string("AccessKey/AccessKeyId"), let secret = r.string("AccessKey/SecretAccessKey") else {
            throw AWSClientError.malformedResponse(service: "IAM", operation: "CreateAccessKey",
                                                   detail: "no AccessKey in the answer")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, source: "IAM user \(userName)")
    }

    public func putUserPolicy(userName: String, policyName: String, policyDocument: String) async throws {
        var p = QueryParameters()
        p.set("UserName", userName)
        p.set("PolicyName", policyName)
        p.set("PolicyDocument", policyDocument)
        _ = try await client.query(.iam, "PutUserPolicy", p)
    }
}
