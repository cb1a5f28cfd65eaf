import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InfraAWS

/// HTTPS (and plain HTTP for loopback tests) through Foundation's URLSession (libcurl on Linux).
///
/// Kept for comparison only (scripts/bench-transport) and for tests: on Linux it reports a
/// connection closed after the request was sent only when its timeout expires, its timeout is an
/// idle timer, and it follows redirects with the request's `Authorization` header. infra uses
/// `CurlTransport`. A module of its own: FoundationNetworking links libcurl and its dependencies,
/// which the `infra` executable loads only when it makes its first request.
///
/// URLSession adds `User-Agent`, `Accept`, `Accept-Language` and `Accept-Encoding` itself and
/// derives `Host` from the URL (with a non-default port); none of those are signed except `host`,
/// whose signed value is computed the same way (`Endpoint.hostHeader`).
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init(configuration: URLSessionConfiguration = .ephemeral) {
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    public func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = timeout
        for field in request.headers where field.name.lowercased() != "host" {
            urlRequest.addValue(field.value, forHTTPHeaderField: field.name)
        }
        if !request.body.isEmpty || ["POST", "PUT"].contains(request.method) {
            urlRequest.httpBody = request.body
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError {
            throw Self.transportError(error, url: request.url)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TransportError("\(request.method) \(Self.withoutQuery(request.url)): \(error.localizedDescription)",
                                 isRetryable: false)
        }
        guard let http = response as? HTTPURLResponse else {
            throw TransportError("\(Self.withoutQuery(request.url)): not an HTTP response", isRetryable: true)
        }
        var headers = HTTPHeaders()
        for (key, value) in http.allHeaderFields {
            headers.add(String(describing: key), String(describing: value))
        }
        return HTTPResponse(statusCode: http.statusCode, headers: headers, body: data)
    }

    /// The URL for messages: without its query (a presigned URL's signature and token stay out).
    static func withoutQuery(_ url: URL) -> String {
        let text = url.absoluteString
        return text.firstIndex(of: "?").map { String(text[..<$0]) } ?? text
    }

    static func transportError(_ error: URLError, url: URL) -> TransportError {
        let retryable: Set<URLError.Code> = [
            .timedOut, .networkConnectionLost, .cannotConnectToHost, .notConnectedToInternet,
            .badServerResponse, .cannotParseResponse, .resourceUnavailable,
            .secureConnectionFailed, .zeroByteResource, .cannotLoadFromNetwork,
        ]
        let detail = (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
            ?? error.localizedDescription
        let host = url.host.map { $0 + (url.port.map { ":\($0)" } ?? "") } ?? url.absoluteString
        let what: String
        switch error.code {
        case .timedOut: what = "timed out"
        case .cannotConnectToHost: what = "could not connect"
        case .networkConnectionLost: what = "connection lost"
        case .cannotFindHost, .dnsLookupFailed: what = "host not found"
        default: what = "network error \(error.code.rawValue)"
        }
        let notSent: Set<URLError.Code> = [.cannotConnectToHost, .cannotFindHost, .dnsLookupFailed,
                                           .notConnectedToInternet]
        return TransportError("\(host): \(what) (\(detail))", isRetryable: retryable.contains(error.code),
                              isTimeout: error.code == .timedOut,
                              delivery: notSent.contains(error.code) ? .notSent : .maybeSent)
    }
}
