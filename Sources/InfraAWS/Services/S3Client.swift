import Foundation

/// S3 (rest-xml): the object calls the deployer's asset publishing needs.
public struct S3Client: Sendable {
    public let client: AWSClient
    private let service = AWSService.s3
    /// The account that must own every bucket this client calls (`x-amz-expected-bucket-owner`
    /// on each request): S3 refuses the call with 403 `AccessDenied` when another account owns
    /// the bucket, so a predictable bucket name re-created by someone else is never read from
    /// or written to. nil: not checked.
    public let expectedBucketOwner: String?

    public init(client: AWSClient, expectedBucketOwner: String? = nil) {
        self.client = client
        self.expectedBucketOwner = expectedBucketOwner
    }

    /// The header S3 checks the bucket's owner against.
    public static let expectedBucketOwnerHeader = "x-amz-expected-bucket-owner"

    /// The lower-case hex MD5 of a body: the ETag S3 gives a single-part upload.
    public static func md5Hex(_ body: Data) -> String {
        Crypto.md5(body).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether an error is S3 refusing a call to a bucket another account owns (with an expected
    /// owner set, S3 answers 403 AccessDenied; a HEAD's 403 has no body).
    public static func isAccessDenied(_ error: Error) -> Bool {
        guard let e = error as? AWSError else { return false }
        return e.statusCode == 403 && ["AccessDenied", "Forbidden", "AllAccessDisabled"].contains(e.code)
    }

    public struct BucketInfo: Sendable, Equatable {
        /// `x-amz-bucket-region`, when the server says.
        public var region: String?
    }

    public struct ObjectMetadata: Sendable, Equatable {
        public var contentLength: Int64?
        public var contentType: String?
        public var eTag: String?
        public var lastModified: Date?
        public var versionId: String?
        /// `x-amz-meta-*` headers, keys lower-cased without the prefix.
        public var metadata: [String: String]

        init(headers: HTTPHeaders) {
            contentLength = headers["Content-Length"].flatMap { Int64($0) }
            contentType = headers["Content-Type"]
            eTag = headers["ETag"]
            lastModified = headers["Last-Modified"].flatMap(AWSDate.parseHTTPDate)
            versionId = headers["x-amz-version-id"]
            var metadata: [String: String] = [:]
            for field in headers where field.name.lowercased().hasPrefix("x-amz-meta-") {
                metadata[String(field.name.lowercased().dropFirst(11))] = field.value
            }
            self.metadata = metadata
        }
    }

    public struct Object: Sendable, Equatable {
        public var key: String
        public var size: Int64
        public var eTag: String?
        public var lastModified: Date?
        public var storageClass: String?
    }

    public struct ListPage: Sendable, Equatable {
        public var objects: [Object]
        public var commonPrefixes: [String]
        public var nextContinuationToken: String?
    }

    public struct PutResult: Sendable, Equatable {
        public var eTag: String?
        public var versionId: String?
    }

    public struct DeleteResult: Sendable, Equatable {
        public struct Failure: Sendable, Equatable {
            public var key: String
            public var code: String
            public var message: String
        }
        public var deleted: [String]
        public var errors: [Failure]
    }

    // MARK: Buckets

    /// HeadBucket: the bucket's info, or nil when it does not exist (404). A bucket owned by
    /// someone else is an `AWSError` (403).
    public func headBucket(_ bucket: String) async throws -> BucketInfo? {
        let response = try await client.send(try request("HeadBucket", "HEAD", bucket: bucket, accept: [404, 301]))
        if response.statusCode == 404 { return nil }
        return BucketInfo(region: response.headers["x-amz-bucket-region"])
    }

    /// ListBuckets: the names of the buckets the credentials' account owns (h5: preflight tells a
    /// bucket of this account, e.g. one a destroy retained, from one of another account).
    public func listBuckets() async throws -> [String] {
        var call = AWSRequest(service: service, operation: "ListBuckets", method: "GET", path: "/")
        call.payloadSigning = .hashedInHeader
        let response = try await client.send(call)
        let tree = try client.parseXML(response, service: service, operation: "ListBuckets")
        guard tree.name == "ListAllMyBucketsResult" else {
            throw AWSClientError.malformedResponse(service: "S3", operation: "ListBuckets",
                                                   detail: "expected <ListAllMyBucketsResult>, got <\(tree.name)>")
        }
        return tree.child("Buckets")?.children("Bucket").compactMap { $0.string("Name") } ?? []
    }

    /// CreateBucket in the client's region (`LocationConstraint` outside us-east-1).
    public func createBucket(_ bucket: String) async throws {
        var body = Data()
        var headers = HTTPHeaders()
        if client.region != "us-east-1" {
            let config = XMLTree(name: "CreateBucketConfiguration",
                                 children: [XMLTree(name: "LocationConstraint", text: client.region)])
            body = Data(config.xmlString(namespace: Self.namespace).utf8)
            headers["Content-Type"] = "application/xml"
        }
        _ = try await client.send(try request("CreateBucket", "PUT", bucket: bucket, headers: headers, body: body))
    }

    // MARK: Objects

    /// HeadObject: metadata, or nil when the object does not exist (404).
    public func headObject(bucket: String, key: String) async throws -> ObjectMetadata? {
        let response = try await client.send(try request("HeadObject", "HEAD", bucket: bucket, key: key, accept: [404]))
        if response.statusCode == 404 { return nil }
        return ObjectMetadata(headers: response.headers)
    }

    /// PutObject with a `Content-MD5` integrity check; over HTTPS the payload is not hashed into
    /// the signature (`UNSIGNED-PAYLOAD`, which S3 allows), over HTTP it is.
    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String = "application/octet-stream",
                          metadata: [String: String] = [:], headers extra: HTTPHeaders = HTTPHeaders()) async throws
        -> PutResult {
        var headers = extra
        headers["Content-Type"] = contentType
        headers["Content-MD5"] = Data(Crypto.md5(body)).base64EncodedString()
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            headers["x-amz-meta-\(name)"] = value
        }
        let call = try request("PutObject", "PUT", bucket: bucket, key: key, headers: headers, body: body,
                               unsignedOverTLS: true)
        let response = try await client.send(call)
        return PutResult(eTag: response.headers["ETag"], versionId: response.headers["x-amz-version-id"])
    }

    /// GetObject: body and metadata. A missing key is an `AWSError` with code `NoSuchKey`.
    public func getObject(bucket: String, key: String) async throws -> (body: Data, metadata: ObjectMetadata) {
        let response = try await client.send(try request("GetObject", "GET", bucket: bucket, key: key))
        return (response.body, ObjectMetadata(headers: response.headers))
    }

    /// One page of ListObjectsV2.
    public func listObjectsV2(bucket: String, prefix: String? = nil, delimiter: String? = nil,
                              maxKeys: Int? = nil, continuationToken: String? = nil) async throws -> ListPage {
        var query: [(String, String)] = [("list-type", "2")]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        if let prefix { query.append(("prefix", prefix)) }
        var call = try request("ListObjectsV2", "GET", bucket: bucket)
        call.query = query
        let response = try await client.send(call)
        let tree = try client.parseXML(response, service: service, operation: "ListObjectsV2")
        guard tree.name == "ListBucketResult" else {
            throw AWSClientError.malformedResponse(service: "S3", operation: "ListObjectsV2",
                                                   detail: "expected <ListBucketResult>, got <\(tree.name)>")
        }
        let objects = tree.children("Contents").map { c in
            Object(key: c.string("Key") ?? "", size: c.string("Size").flatMap { Int64($0) } ?? 0,
                   eTag: c.string("ETag"), lastModified: c.date("LastModified"), storageClass: c.string("StorageClass"))
        }
        let truncated = tree.bool("IsTruncated") ?? false
        return ListPage(objects: objects, commonPrefixes: tree.children("CommonPrefixes").compactMap { $0.string("Prefix") },
                        nextContinuationToken: truncated ? tree.string("NextContinuationToken") : nil)
    }

    /// ListObjectsV2 following every page.
    public func listAllObjects(bucket: String, prefix: String? = nil, pageSize: Int? = nil) async throws -> [Object] {
        try await collectPages { token in
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, maxKeys: pageSize,
                                               continuationToken: token)
            return (page.objects, page.nextContinuationToken)
        }
    }

    /// DeleteObjects, in batches of 1,000 keys (the API's limit). Per-key failures are returned,
    /// not thrown.
    public func deleteObjects(bucket: String, keys: [String]) async throws -> DeleteResult {
        var result = DeleteResult(deleted: [], errors: [])
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            start += batch.count
            let doc = XMLTree(name: "Delete", children: batch.map {
                XMLTree(name: "Object", children: [XMLTree(name: "Key", text: $0)])
            } + [XMLTree(name: "Quiet", text: "false")])
            let body = Data(doc.xmlString(namespace: Self.namespace).utf8)
            var call = try request("DeleteObjects", "POST", bucket: bucket,
                               headers: ["Content-Type": "application/xml",
                                         "Content-MD5": Data(Crypto.md5(body)).base64EncodedString()],
                               body: body)
            call.query = [("delete", "")]
            let response = try await client.send(call)
            let tree = try client.parseXML(response, service: service, operation: "DeleteObjects")
            result.deleted += tree.children("Deleted").compactMap { $0.string("Key") }
            result.errors += tree.children("Error").map {
                DeleteResult.Failure(key: $0.string("Key") ?? "", code: $0.string("Code") ?? "",
                                     message: $0.string("Message") ?? "")
            }
        }
        return result
    }

    /// A presigned GET URL valid for `expires` seconds (at most 7 days).
    public func presignedGetURL(bucket: String, key: String, expires: Int = 3600) async throws -> URL {
        try await client.presignedURL(try request("GetObject", "GET", bucket: bucket, key: key),
                                      expires: min(max(1, expires), 604_800))
    }

    // MARK: Helpers

    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// An S3 call with S3's rules: the expected bucket owner, the bucket's addressing (host or
    /// path) and the payload hash in `x-amz-content-sha256` (`UNSIGNED-PAYLOAD` for an upload
    /// over HTTPS with `unsignedOverTLS`, which S3 allows; over plain HTTP the body is hashed).
    private func request(_ operation: String, _ method: String, bucket: String, key: String? = nil,
                         headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(), accept: Set<Int> = [],
                         unsignedOverTLS: Bool = false) throws -> AWSRequest {
        if let key { try Self.validate(key: key) }
        var headers = headers
        if let expectedBucketOwner { headers[Self.expectedBucketOwnerHeader] = expectedBucketOwner }
        let endpoint = try client.endpoints.endpoint(for: service, region: client.region)
        var call = AWSRequest(service: service, operation: operation, method: method,
                              path: key.map { "/" + PercentEncoding.uriEncode($0, keepSlash: true) } ?? "/",
                              headers: headers, body: body)
        call = try Self.addressed(call, bucket: bucket, endpoint: endpoint)
        call.payloadSigning = unsignedOverTLS && endpoint.url.scheme == "https" ? .unsigned : .hashedInHeader
        call.acceptedErrorStatuses = accept
        return call
    }

    /// The call addressed to a bucket: virtual-host style (`bucket.s3.region.amazonaws.com/key`)
    /// on AWS's own endpoints for names that are safe in a TLS host name, path style
    /// (`/bucket/key`) for the rest, for custom endpoints and when the profile asks for it.
    static func addressed(_ call: AWSRequest, bucket: String, endpoint: Endpoint) throws -> AWSRequest {
        guard !bucket.isEmpty else { throw AWSClientError.invalidRequest("S3 bucket name is empty") }
        var call = call
        if !endpoint.isCustom, endpoint.s3VirtualHostStyle, isVirtualHostCompatible(bucket) {
            call.hostPrefix = bucket + "."
        } else {
            let path = call.path.hasPrefix("/") ? call.path : "/" + call.path
            call.path = "/" + PercentEncoding.uriEncode(bucket) + (path == "/" ? "" : path)
        }
        return call
    }

    /// Keys infra can send. libcurl (under URLSession) removes `.` and `..` path segments before
    /// sending, so the object addressed would not be the one signed; such keys are refused.
    static func validate(key: String) throws {
        guard !key.isEmpty else { throw AWSClientError.invalidRequest("S3 object key is empty") }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0 == "." || $0 == ".." }) {
            throw AWSClientError.invalidRequest(
                "S3 object key '\(key)' has a '.' or '..' path segment, which the HTTP client would rewrite; "
                + "infra does not send such keys")
        }
    }

    /// Whether a bucket can be addressed as `bucket.s3.region.amazonaws.com` over TLS.
    static func isVirtualHostCompatible(_ bucket: String) -> Bool {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        let ok = bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        return ok && bytes.first != 45 && bytes.last != 45
    }
}
