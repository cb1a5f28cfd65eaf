import Foundation
import InfraContract

/// Parameters of a query-protocol call, in the order they are added (botocore's order:
/// `Action`, `Version`, then the members as given).
public struct QueryParameters: Sendable {
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public mutating func set(_ key: String, _ value: String?) {
        if let value { pairs.append((key, value)) }
    }

    public mutating func set(_ key: String, _ value: Int?) {
        if let value { pairs.append((key, String(value))) }
    }

    public mutating func set(_ key: String, _ value: Bool?) {
        if let value { pairs.append((key, value ? "true" : "false")) }
    }

    /// `Key.member.1=a&Key.member.2=b`; an empty list is sent as `Key=` (botocore does the same,
    /// meaning "set to empty") only when `sendEmpty`.
    public mutating func list(_ key: String, _ values: [String]?, sendEmpty: Bool = false) {
        guard let values else { return }
        if values.isEmpty {
            if sendEmpty { pairs.append((key, "")) }
            return
        }
        for (i, value) in values.enumerated() { pairs.append(("\(key).member.\(i + 1)", value)) }
    }

    /// `Key.member.N.Field=value` for a list of structures.
    public mutating func structures<T>(_ key: String, _ items: [T]?, _ fields: (T) -> [(String, String?)]) {
        guard let items else { return }
        for (i, item) in items.enumerated() {
            for (field, value) in fields(item) {
                if let value { pairs.append(("\(key).member.\(i + 1).\(field)", value)) }
            }
        }
    }

    /// The `application/x-www-form-urlencoded` body of an action.
    public func body(action: String, version: String) -> String {
        PercentEncoding.formBody([("Action", action), ("Version", version)] + pairs)
    }
}

extension AWSClient {
    /// A query-protocol call (CloudFormation, STS, IAM): form-encoded POST, XML answer. Returns
    /// the `<ActionResult>` element (empty when the action has no result). A query call is a POST:
    /// pass `.safe` for read-only actions (the default is `.mutation`).
    public func query(_ service: AWSService, _ action: String, _ parameters: QueryParameters = QueryParameters(),
                      idempotency: Idempotency = .mutation) async throws -> XMLTree {
        guard case .query(let version) = service.protocol else {
            throw AWSClientError.invalidRequest("\(service) does not speak the query protocol")
        }
        let body = parameters.body(action: action, version: version)
        let response = try await send(AWSRequest(
            service: service, operation: action, method: "POST", path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: Data(body.utf8), idempotency: idempotency))
        let tree = try parseXML(response, service: service, operation: action)
        guard tree.name == "\(action)Response" else {
            throw AWSClientError.malformedResponse(service: service.name, operation: action,
                                                   detail: "expected <\(action)Response>, got <\(tree.name)>")
        }
        return tree.child("\(action)Result") ?? XMLTree(name: "\(action)Result")
    }

    /// A JSON 1.x call (ECR, ECS, ACM, ...): POST with `X-Amz-Target`, JSON in and out. Pass
    /// `.safe` for read-only operations (the default is `.mutation`).
    public func json<Output: Decodable>(_ service: AWSService, _ operation: String, _ input: some Encodable,
                                        as output: Output.Type = Output.self,
                                        idempotency: Idempotency = .mutation) async throws -> Output {
        guard case let .json(version, prefix) = service.protocol else {
            throw AWSClientError.invalidRequest("\(service) does not speak the JSON protocol")
        }
        let response = try await send(AWSRequest(
            service: service, operation: operation, method: "POST", path: "/",
            headers: ["Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(prefix).\(operation)"],
            body: try JSONCodec.encode(input), idempotency: idempotency))
        return try JSONCodec.decode(response, service: service, operation: operation)
    }

    /// A REST-JSON call (Lambda): the method and path name the operation, JSON in (when `input`)
    /// and out; the payload hash is signed in `x-amz-content-sha256`, as botocore sends it.
    public func restJSON<Output: Decodable>(_ service: AWSService, _ operation: String, method: String, path: String,
                                            _ input: (any Encodable)? = nil,
                                            as output: Output.Type = Output.self) async throws -> Output {
        var headers = HTTPHeaders()
        var body = Data()
        if let input {
            headers["Content-Type"] = "application/json"
            body = try JSONCodec.encode(input)
        }
        let response = try await send(AWSRequest(service: service, operation: operation, method: method, path: path,
                                                 headers: headers, body: body, payloadSigning: .hashedInHeader))
        return try JSONCodec.decode(response, service: service, operation: operation)
    }

    func parseXML(_ response: HTTPResponse, service: AWSService, operation: String) throws -> XMLTree {
        do {
            return try XMLTree.parse(response.body)
        } catch {
            throw AWSClientError.malformedResponse(service: service.name, operation: operation, detail: "\(error)")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
    }
}

/// A string enumeration that stays open: values AWS adds later still decode.
public protocol OpenStringValue: RawStringValue, ExpressibleByStringLiteral {}

extension OpenStringValue {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
}

/// Follows a paginated API: `page` gets the previous page's token (nil first) and returns the
/// items and the next token; an empty or absent token ends the walk.
func collectPages<T>(_ page: (String?) async throws -> ([T], String?)) async throws -> [T] {
    var all: [T] = []
    var token: String?
    repeat {
        let (items, next) = try await page(token)
        all += items
        token = next.flatMap { $0.isEmpty ? nil : $0 }
    } while token != nil
    return all
}

/// How the JSON protocols encode inputs (sorted keys, dates as epoch seconds) and read answers
/// (dates as epoch seconds or ISO 8601; an empty body is `{}`), in one place for every JSON client.
enum JSONCodec {
    static func encode(_ input: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(input)
    }

    static func decode<Output: Decodable>(_ response: HTTPResponse, service: AWSService, operation: String) throws
        -> Output {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try container.decode(String.self)
            if let date = AWSDate.parseISO8601(text) ?? Double(text).map(Date.init(timeIntervalSince1970:)) {
                return date
            }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
        }
        do {
            return try decoder.decode(Output.self, from: response.body.isEmpty ? Data("{}".utf8) : response.body)
        } catch {
            throw AWSClientError.malformedResponse(service: service.name, operation: operation,
                                                   detail: "invalid JSON: \(AWSClient.describe(error))")
        }
    }
}

/// The value of a read, or nil when the service answers that the thing read does not exist
/// (`code`: `ResourceNotFoundException`, `NoSuchHostedZone`, ...).
func unlessMissing<T>(_ code: String, _ read: () async throws -> T?) async throws -> T? {
    do {
        return try await read()
    } catch let e as AWSError where e.code == code {
        return nil
    }
}
