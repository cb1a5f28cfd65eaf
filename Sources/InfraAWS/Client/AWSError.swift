import Foundation

/// An error answer from an AWS service.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var service: String
    public var operation: String
    public var statusCode: Int
    /// The error code without namespace prefixes, e.g. `ValidationError`, `NoSuchKey`.
    public var code: String
    public var message: String
    public var requestID: String?

    public init(service: String, operation: String, statusCode: Int, code: String, message: String,
                requestID: String? = nil) {
        self.service = service
        self.operation = operation
        self.statusCode = statusCode
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// One line: `CloudFormation CreateStack failed: ValidationError: Template format error (HTTP 400, request id 1a2b)`.
    public var description: String {
        let msg = message.isEmpty ? "" : ": " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
        let id = requestID.map { ", request id \($0)" } ?? ""
        return "\(service) \(operation) failed: \(code)\(msg) (HTTP \(statusCode)\(id))"
    }

    public var isThrottling: Bool { RetryPolicy.throttlingCodes.contains(code) || statusCode == 429 }

    /// Parses an error response of any of the three protocols. Never fails: an unreadable body
    /// yields a code derived from the HTTP status.
    public static func parse(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError {
        var code: String?
        var message: String?
        var requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
            ?? response.headers["x-amzn-request-id"]

        if let header = response.headers["x-amzn-ErrorType"] {
            code = header
        }
        let body = response.body
        let firstByte = body.first { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }
        if firstByte == UInt8(ascii: "<"), let tree = try? XMLTree.parse(body) {
            // query: <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>
            // S3:    <Error><Code/><Message/><RequestId/></Error>
            // EC2-style: <Response><Errors><Error>...</Error></Errors><RequestID/></Response>
            let error = tree.name == "Error" ? tree : tree.find("Error")
            if let error {
                code = error.string("Code").map(trim) ?? code
                message = error.string("Message").map(trim)
            }
            requestID = tree.string("RequestId") ?? tree.string("RequestID") ?? error?.string("RequestId")
                ?? requestID
        } else if firstByte == UInt8(ascii: "{"),
                  let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let type = object["__type"] as? String { code = type }
            else if code == nil, let c = object["code"] as? String ?? object["Code"] as? String { code = c }
            message = object["message"] as? String ?? object["Message"] as? String
                ?? object["errorMessage"] as? String
        }
        let cleaned = code.map(cleanCode).flatMap { $0.isEmpty ? nil : $0 }
        return AWSError(service: service.name, operation: operation, statusCode: response.statusCode,
                        code: cleaned ?? statusCode(response.statusCode),
                        message: message ?? "",
                        requestID: requestID?.isEmpty == true ? nil : requestID)
    }

    /// `aws.protocoltests#ThrottlingException` → `ThrottlingException`;
    /// `ThrottlingException:http://internal.amazon.com/` → `ThrottlingException`.
    static func cleanCode(_ raw: String) -> String {
        var code = trim(raw)
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        return code
    }

    private static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The code S3 (and others) imply for a body-less answer such as a HEAD 404.
    static func statusCode(_ status: Int) -> String {
        switch status {
        case 301: return "PermanentRedirect"
        case 304: return "NotModified"
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 412: return "PreconditionFailed"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "HTTP\(status)"
        }
    }
}

/// Failures on infra's side of the wire (or a service that answered with garbage).
public enum AWSClientError: Error, Sendable, CustomStringConvertible {
    /// The network failed on every attempt.
    case transport(service: String, operation: String, attempts: Int, underlying: String)
    /// A 2xx answer whose body could not be decoded.
    case malformedResponse(service: String, operation: String, detail: String)
    /// An argument infra cannot send (e.g. an empty bucket name).
    case invalidRequest(String)
    /// A waiter gave up.
    case timedOut(String)
    /// A mutation was sent (or may have been) and its answer was lost: the server may or may not
    /// have acted. infra did not send it again; the caller finds out by reading the real state.
    case ambiguous(service: String, operation: String, underlying: String)
    /// The server's clock differs from ours by more than infra corrects (a day).
    case clockSkew(service: String, operation: String, offsetSeconds: Double, underlying: String)

    public var description: String {
        switch self {
        case let .transport(service, operation, attempts, underlying):
            return "\(service) \(operation) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(underlying)"
        case let .malformedResponse(service, operation, detail):
            return "\(service) \(operation) returned a response infra cannot read: \(detail)"
        case let .invalidRequest(message), let .timedOut(message):
            return message
        case let .ambiguous(service, operation, underlying):
            return "\(service) \(operation): the answer was lost (\(underlying)); the request may or may not "
                + "have been applied, and was not sent again"
        case let .clockSkew(service, operation, offset, underlying):
            let hours = Int((abs(offset) / 3600).rounded())
            return "\(service) \(operation) failed: \(underlying); the server's Date is \(hours) h "
                + (offset > 0 ? "ahead of" : "behind") + " this machine's clock, more than infra corrects "
                + "(24 h): set the system clock right"
        }
    }
}
