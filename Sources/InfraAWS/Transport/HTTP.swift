import Foundation

/// An ordered, case-insensitive list of HTTP header fields. Repeated names are kept in order
/// (SigV4 joins their values with commas).
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of `name` (case-insensitive); setting replaces every field of that name.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            let index = fields.firstIndex { $0.name.caseInsensitiveEquals(name) }
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
            guard let newValue else { return }
            fields.insert((name: name, value: newValue), at: Swift.min(index ?? fields.count, fields.count))
        }
    }

    /// Adds a field, keeping any existing fields of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0 == $1 }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}

/// Whether sending a call twice can do harm.
///
/// - `safe`: reading (Describe*, Get*, List*, HEAD/GET): retried on any transient failure.
/// - `mutation`: changes something: retried only when the failure proves the request never left
///   (connection refused, DNS failure) or when the service answered with an error AWS documents as
///   not applied (throttling, 500/502/503/504). A lost answer ends in `AWSClientError.ambiguous`,
///   so the caller reads the real state instead of sending the operation blindly again.
public enum Idempotency: Sendable {
    case safe, mutation

    /// `.safe` for GET and HEAD, `.mutation` otherwise.
    public static func of(method: String) -> Idempotency {
        switch method.uppercased() {
        case "GET", "HEAD": return .safe
        default: return .mutation
        }
    }
}

/// A request as it goes on the wire.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: Data
    /// A transport may resend a `.safe` request on a fresh connection by itself; a `.mutation`
    /// never is (`CurlTransport` opens a fresh connection for it, because libcurl silently resends
    /// a request whose reused connection died before any answer byte).
    public var idempotency: Idempotency

    public init(method: String, url: URL, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(),
                idempotency: Idempotency? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotency = idempotency ?? Idempotency.of(method: method)
    }
}

public struct HTTPResponse: Sendable {
    public var statusCode: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(statusCode: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A failure below HTTP: no connection, reset, timeout. `isRetryable` marks the transient ones;
/// `delivery` says whether the request can have reached the server.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Whether the server can have received (and acted on) the request.
    public enum Delivery: Sendable, Equatable {
        /// Provably never sent: DNS failure, connection refused, connect timeout, TLS handshake failure.
        case notSent
        /// Sent, or possibly sent: reset, empty reply, timeout after the request went out.
        case maybeSent
    }

    public var message: String
    public var isRetryable: Bool
    public var isTimeout: Bool
    public var delivery: Delivery

    public init(_ message: String, isRetryable: Bool, isTimeout: Bool = false, delivery: Delivery = .maybeSent) {
        self.message = message
        self.isRetryable = isRetryable
        self.isTimeout = isTimeout
        self.delivery = delivery
    }

    public var description: String { message }
}

/// Sends one HTTP request and returns the answer as it is: a 3xx is returned, never followed.
/// `timeout` is the deadline of this one attempt (connect + send + answer), not an idle timer.
/// `CurlTransport` is the real one; tests plug scripted ones.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse
}

/// The transport infra uses unless told otherwise.
public func defaultHTTPTransport() -> any HTTPTransport {
    CurlTransport.shared
}
