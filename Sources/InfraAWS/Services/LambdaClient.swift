import Foundation

/// Lambda: the calls `infra deploy --hotswap` needs (update a function's code or configuration,
/// read its state until the update has finished).
public struct LambdaClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// What GetFunctionConfiguration / UpdateFunction* answer (the fields infra reads).
    public struct FunctionConfiguration: Sendable, Decodable, Equatable {
        public struct EnvironmentResponse: Sendable, Decodable, Equatable {
            public var variables: [String: String]?
            enum CodingKeys: String, CodingKey { case variables = "Variables" }
        }
        public var functionName: String?
        public var functionArn: String?
        public var codeSha256: String?
        public var codeSize: Int64?
        public var handler: String?
        public var runtime: String?
        public var memorySize: Int?
        public var timeout: Int?
        public var description: String?
        public var environment: EnvironmentResponse?
        /// Pending, Active, Inactive, Failed.
        public var state: String?
        public var stateReason: String?
        /// InProgress, Successful, Failed (absent right after creation).
        public var lastUpdateStatus: String?
        public var lastUpdateStatusReason: String?
        public var lastUpdateStatusReasonCode: String?
        public var packageType: String?

        enum CodingKeys: String, CodingKey {
            case functionName = "FunctionName", functionArn = "FunctionArn", codeSha256 = "CodeSha256"
            case codeSize = "CodeSize", handler = "Handler", runtime = "Runtime", memorySize = "MemorySize"
            case timeout = "Timeout", description = "Description", environment = "Environment", state = "State"
            case stateReason = "StateReason", lastUpdateStatus = "LastUpdateStatus"
            case lastUpdateStatusReason = "LastUpdateStatusReason"
            case lastUpdateStatusReasonCode = "LastUpdateStatusReasonCode", packageType = "PackageType"
        }
    }

    /// The code of UpdateFunctionCode: an object in S3, a container image, or zip bytes.
    public enum Code: Sendable, Equatable {
        case s3(bucket: String, key: String, objectVersion: String?)
        case image(uri: String)
        case zip(Data)
    }

    /// The configuration fields of UpdateFunctionConfiguration infra changes (nil: unchanged).
    public struct ConfigurationUpdate: Sendable, Equatable, Encodable {
        public struct EnvironmentUpdate: Sendable, Equatable, Encodable {
            public var variables: [String: String]
            enum CodingKeys: String, CodingKey { case variables = "Variables" }
        }
        public var environment: EnvironmentUpdate?
        public var memorySize: Int?
        public var timeout: Int?
        public var description: String?
        public var handler: String?
        public var runtime: String?

        public init(environment: [String: String]? = nil, memorySize: Int? = nil, timeout: Int? = nil,
                    description: String? = nil, handler: String? = nil, runtime: String? = nil) {
            self.environment = environment.map(EnvironmentUpdate.init(variables:))
            self.memorySize = memorySize
            self.timeout = timeout
            self.description = description
            self.handler = handler
            self.runtime = runtime
        }

        public var isEmpty: Bool {
            environment == nil && memorySize == nil && timeout == nil && description == nil && handler == nil
                && runtime == nil
        }

        enum CodingKeys: String, CodingKey {
            case environment = "Environment", memorySize = "MemorySize", timeout = "Timeout"
            case description = "Description", handler = "Handler", runtime = "Runtime"
        }
    }

    /// GetFunctionConfiguration (a read).
    public func getFunctionConfiguration(_ name: String) async throws -> FunctionConfiguration {
        try await client.restJSON(.lambda, "GetFunctionConfiguration", method: "GET",
                                  path: functionPath(name) + "/configuration")
    }

    /// UpdateFunctionCode: the function runs the new code once `LastUpdateStatus` is `Successful`.
    @discardableResult
    public func updateFunctionCode(_ name: String, code: Code) async throws -> FunctionConfiguration {
        var body: [String: String] = [:]
        switch code {
        case let .s3(bucket, key, version):
            body["S3Bucket"] = bucket
            body["S3Key"] = key
            if let version { body["S3ObjectVersion"] = version }
        case .image(let uri):
            body["ImageUri"] = uri
        case .zip(let data):
            body["ZipFile"] = data.base64EncodedString()
        }
        return try await client.restJSON(.lambda, "UpdateFunctionCode", method: "PUT",
                                         path: functionPath(name) + "/code", body)
    }

    /// UpdateFunctionConfiguration of the given fields.
    @discardableResult
    public func updateFunctionConfiguration(_ name: String, _ update: ConfigurationUpdate) async throws
        -> FunctionConfiguration {
        try await client.restJSON(.lambda, "UpdateFunctionConfiguration", method: "PUT",
                                  path: functionPath(name) + "/configuration", update)
    }

    private func functionPath(_ name: String) -> String {
        "/2015-03-31/functions/" + PercentEncoding.uriEncode(name, keepSlash: false)
    }
}
