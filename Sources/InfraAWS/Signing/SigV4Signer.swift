import Foundation

/// The parts of a request SigV4 looks at, as they go on the wire.
public struct SignableRequest: Sendable {
    public var method: String
    /// The path as sent (percent-encoded or raw), without the query.
    public var path: String
    /// The query as sent (without `?`), or empty.
    public var query: String
    public var headers: HTTPHeaders
    /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(method: String, path: String, query: String = "", headers: HTTPHeaders,
                payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// What a signature was computed from (the test suite compares every step).
public struct SigV4Signature: Sendable {
    public var canonicalRequest: String
    public var stringToSign: String
    public var signedHeaders: String
    public var credentialScope: String
    public var signature: String
    public var authorization: String
}

/// Thread-safe cache of derived signing keys, one per secret/date/region/service.
public final class SigningKeyCache: @unchecked Sendable {
    private struct Key: Hashable {
        var secret: String, date: String, region: String, service: String
    }
    private let lock = NSLock()
    private var keys: [Key: [UInt8]] = [:]
    private(set) var derivations = 0

    public init() {}

    func key(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let k = Key(secret: secret, date: date, region: region, service: service)
        lock.lock()
        defer { lock.unlock() }
        if let cached = keys[k] { return cached }
        var key = Crypto.hmacSHA256(key: Array(("AWS4" + secret).utf8), string: date)
        for part in [region, service, "aws4_request"] {
            key = Crypto.hmacSHA256(key: key, string: part)
        }
        if keys.count >= 32 { keys.removeAll() } // dates roll over; never grows without bound
        keys[k] = key
        derivations += 1
        return key
    }

    var derivationCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return derivations
    }
}

/// AWS Signature Version 4 (header and presigned-query forms).
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = Crypto.sha256Hex([UInt8]())

    /// How the canonical path is formed.
    public enum PathRule: Sendable {
        /// Every service but S3: remove `.`/`..` segments and repeated slashes, then URI-encode each
        /// segment (so an already-escaped `%3D` is encoded again as `%253D`).
        case normalizeAndEncode
        /// S3: the path as sent, never normalized, never encoded twice.
        case s3
    }

    /// Which headers go into the signature.
    public enum HeaderRule: Sendable {
        /// `host`, `content-type`, `content-md5` and every `x-amz-*` header (what infra sends).
        case awsDefault
        /// Every header present except the ones proxies and clients rewrite
        /// (`user-agent`, `authorization`, `expect`, `x-amzn-trace-id`, `content-length`).
        case all
    }

    public var service: String
    public var region: String
    public var pathRule: PathRule
    public var headerRule: HeaderRule
    private let keyCache: SigningKeyCache

    public init(service: String, region: String, pathRule: PathRule? = nil,
                headerRule: HeaderRule = .awsDefault, keyCache: SigningKeyCache = SigningKeyCache()) {
        self.service = service
        self.region = region
        self.pathRule = pathRule ?? (service == "s3" ? .s3 : .normalizeAndEncode)
        self.headerRule = headerRule
        self.keyCache = keyCache
    }

    // MARK: Header signing

    /// Signs a request in place: sets `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials), `x-amz-content-sha256` when `addContentHashHeader`, then `Authorization`.
    @discardableResult
    public func sign(_ request: inout HTTPRequest, credentials: Credentials, date: Date,
                     payloadHash: String? = nil, addContentHashHeader: Bool = false) -> SigV4Signature {
        let hash = payloadHash ?? Crypto.sha256Hex(request.body)
        if request.headers["host"] == nil {
            request.headers["Host"] = Self.hostHeader(request.url)
        }
        let parts = Self.pathAndQuery(request.url)
        var signable = SignableRequest(method: request.method, path: parts.path, query: parts.query,
                                       headers: request.headers, payloadHash: hash)
        if addContentHashHeader { signable.headers["x-amz-content-sha256"] = hash }
        let result = sign(&signable, credentials: credentials, date: date)
        request.headers = signable.headers
        return result
    }

    /// Signs a `SignableRequest` in place (adds `X-Amz-Date`, token and `Authorization` headers).
    @discardableResult
    public func sign(_ request: inout SignableRequest, credentials: Credentials, date: Date) -> SigV4Signature {
        let amzDate = AWSDate.amzDate(date)
        request.headers["Authorization"] = nil
        request.headers["X-Amz-Date"] = amzDate
        if let token = credentials.sessionToken {
            request.headers["X-Amz-Security-Token"] = token
        }
        let result = signature(request, credentials: credentials, amzDate: amzDate)
        request.headers["Authorization"] = result.authorization
        return result
    }

    /// Computes the signature of a request exactly as given (no headers added).
    public func signature(_ request: SignableRequest, credentials: Credentials, amzDate: String) -> SigV4Signature {
        let (canonicalHeaders, signedHeaders) = canonicalHeaders(request.headers)
        let canonical = [
            request.method.uppercased(),
            canonicalPath(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return finish(canonical: canonical, signedHeaders: signedHeaders, credentials: credentials,
                      amzDate: amzDate)
    }

    private func finish(canonical: String, signedHeaders: String, credentials: Credentials,
                        amzDate: String) -> SigV4Signature {
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [Self.algorithm, amzDate, scope, Crypto.sha256Hex(canonical)]
            .joined(separator: "\n")
        let key = keyCache.key(secret: credentials.secretAccessKey, date: day, region: region, service: service)
        let signature = Crypto.hex(Crypto.hmacSHA256(key: key, string: stringToSign))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(canonicalRequest: canonical, stringToSign: stringToSign,
                              signedHeaders: signedHeaders, credentialScope: scope,
                              signature: signature, authorization: authorization)
    }

    // MARK: Presigned URLs

    /// A presigned URL: the signature goes into the query (`X-Amz-Signature`), only `host`
    /// (plus any `extraSignedHeaders`) is signed, and the payload is `UNSIGNED-PAYLOAD` unless
    /// `payloadHash` says otherwise.
    public func presign(method: String, url: URL, credentials: Credentials, date: Date,
                        expires: Int, extraSignedHeaders: HTTPHeaders = HTTPHeaders(),
                        payloadHash: String = SigV4Signer.unsignedPayload) -> (url: URL, signature: SigV4Signature) {
        let parts = Self.pathAndQuery(url)
        var headers = extraSignedHeaders
        headers["Host"] = Self.hostHeader(url)
        let amzDate = AWSDate.amzDate(date)
        let signed = presignedQuery(method: method, path: parts.path, query: parts.query, headers: headers,
                                    credentials: credentials, amzDate: amzDate, expires: expires,
                                    payloadHash: payloadHash)
        var s = url.absoluteString
        if let q = s.firstIndex(of: "?") { s = String(s[..<q]) }
        if let f = s.firstIndex(of: "#") { s = String(s[..<f]) }
        return (URL(string: s + "?" + signed.query)!, signed.signature)
    }

    /// The query string of a presigned request (original parameters + `X-Amz-*` + signature).
    public func presignedQuery(method: String, path: String, query: String, headers: HTTPHeaders,
                               credentials: Credentials, amzDate: String, expires: Int,
                               payloadHash: String) -> (query: String, signature: SigV4Signature) {
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let (canonicalHeaders, signedHeaders) = canonicalHeaders(headers, forceAll: true)
        var query = query
        var added: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        added.append(("X-Amz-SignedHeaders", signedHeaders))
        let extra = PercentEncoding.queryString(added)
        query = query.isEmpty ? extra : query + "&" + extra
        let canonical = [
            method.uppercased(), canonicalPath(path), Self.canonicalQuery(query),
            canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let result = finish(canonical: canonical, signedHeaders: signedHeaders, credentials: credentials,
                            amzDate: amzDate)
        return (query + "&X-Amz-Signature=" + result.signature, result)
    }

    // MARK: Canonical parts

    func canonicalPath(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        switch pathRule {
        case .s3:
            return PercentEncoding.encodeKeepingEscapes(path)
        case .normalizeAndEncode:
            return PercentEncoding.uriEncode(Self.normalize(path), keepSlash: true)
        }
    }

    /// RFC 3986 dot-segment removal plus collapsing of empty segments; keeps a trailing slash.
    static func normalize(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments {
            switch segment {
            case ".": continue
            case "..": if !output.isEmpty { output.removeLast() }
            default: output.append(segment)
            }
        }
        var result = "/" + output.joined(separator: "/")
        let last = segments.last
        if path.hasSuffix("/") || last == "." || last == "..", result != "/" { result += "/" }
        return result
    }

    /// Query pairs decoded and re-encoded with the RFC 3986 rules, sorted by key then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentEncoding.uriEncode(PercentEncoding.percentDecode(String(kv[0])))
            let value = kv.count > 1 ? PercentEncoding.uriEncode(PercentEncoding.percentDecode(String(kv[1]))) : ""
            pairs.append((key, value))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static let neverSigned: Set<String> = [
        "user-agent", "authorization", "expect", "x-amzn-trace-id", "content-length", "connection",
        "accept", "accept-encoding", "accept-language", "transfer-encoding",
    ]

    private func shouldSign(_ lowercased: String) -> Bool {
        if Self.neverSigned.contains(lowercased) { return false }
        switch headerRule {
        case .all: return true
        case .awsDefault:
            return lowercased == "host" || lowercased == "content-type" || lowercased == "content-md5"
                || lowercased.hasPrefix("x-amz-")
        }
    }

    /// Lower-cased names sorted, values trimmed with inner runs of spaces collapsed, repeated
    /// names joined by commas in their original order.
    private func canonicalHeaders(_ headers: HTTPHeaders, forceAll: Bool = false) -> (String, String) {
        var merged: [String: [String]] = [:]
        for field in headers {
            let name = field.name.lowercased()
            guard forceAll || shouldSign(name), name != "authorization" else { continue }
            merged[name, default: []].append(Self.trimAll(field.value))
        }
        let names = merged.keys.sorted()
        let lines = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    // MARK: URL helpers

    /// The `Host` header value for a URL: host, plus the port when it is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let scheme = url.scheme?.lowercased()
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return bracketed }
        return "\(bracketed):\(port)"
    }

    static func pathAndQuery(_ url: URL) -> (path: String, query: String) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? "/"
        return (path.isEmpty ? "/" : path, components?.percentEncodedQuery ?? "")
    }
}
