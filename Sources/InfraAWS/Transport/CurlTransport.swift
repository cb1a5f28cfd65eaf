import CInfraCurl
import Foundation

/// HTTP(S) through the system's libcurl, driven directly (docs/TRANSPORT.md says why and what it
/// measured).
///
/// - A connection the server closes or resets is reported at once (`Empty reply from server`,
///   `Connection reset`), never after a timer: Foundation's URLSession on Linux waited for its
///   whole timeout (60 s) for the same event.
/// - `timeout` is a deadline for the whole attempt (connect, send, answer: `CURLOPT_TIMEOUT_MS`),
///   not an idle timer, so a server that trickles bytes cannot hold a call forever. The connect
///   phase has its own, shorter deadline (`connectTimeout`).
/// - Redirects are returned to the caller as they are (`CURLOPT_FOLLOWLOCATION` off), so no
///   `Authorization` or `X-Amz-Security-Token` ever goes to a `Location` host.
/// - Only `http` and `https` URLs; HTTP/1.1; no compression; no `User-Agent`; the request's own
///   (signed) `Host`; no `Expect: 100-continue`; no default `Content-Type`.
/// - A `.mutation` goes over a fresh connection: on a reused connection that dies before any
///   answer byte, libcurl resends the request by itself ("Connection died, retrying a fresh
///   connect"), which would apply a mutation twice when the answer, not the request, was lost.
/// - Errors say whether the request can have reached the server (`TransportError.delivery`):
///   nothing was written before a DNS failure, a refused connection, a connect timeout or a TLS
///   handshake failure; anything after the request headers went out is `maybeSent`.
/// - Cancelling the calling task aborts the transfer (checked by libcurl's progress callback, at
///   least once a second and on every byte moved).
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    /// One transport for the process: connections are kept alive across clients. It trusts the
    /// CA bundle named by `AWS_CA_BUNDLE` (as the AWS CLI does) besides the system's.
    public static let shared = CurlTransport(caBundle: ProcessInfo.processInfo.environment["AWS_CA_BUNDLE"])

    /// Deadline of the TCP + TLS connect phase.
    public let connectTimeout: TimeInterval
    /// A PEM file of certificate authorities to trust instead of the system's (nil: the system's).
    public let caBundle: String?
    private let lock = NSLock()
    private var idle: [OpaquePointer] = []
    private let maxIdleHandles = 16

    /// libcurl is opened on first use (see CInfraCurl's shim.h): false when it cannot be loaded
    /// or initialized, and then every request fails with `loadError`.
    private static let globalInit: Bool = {
        cinfra_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    /// Why libcurl is unavailable (the library or a symbol missing, or its initialization failed).
    static var loadError: String {
        cinfra_curl_error().map { String(cString: $0) } ?? "libcurl's initialization (curl_global_init) failed"
    }

    public init(connectTimeout: TimeInterval = 10, caBundle: String? = nil) {
        self.connectTimeout = connectTimeout
        self.caBundle = caBundle.flatMap { $0.isEmpty ? nil : $0 }
        _ = Self.globalInit
    }

    deinit {
        for handle in idle { cinfra_easy_cleanup(UnsafeMutableRawPointer(handle)) }
    }

    public func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let state = Transfer()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try self.perform(request, timeout: timeout, state: state) })
                }
            }
        } onCancel: {
            state.cancel()
        }
    }

    // MARK: - One transfer

    private func takeHandle() -> OpaquePointer? {
        if let handle = lock.withLock({ idle.popLast() }) { return handle }
        guard Self.globalInit else { return nil }
        return cinfra_easy_init().map { OpaquePointer($0) }
    }

    private func returnHandle(_ handle: OpaquePointer) {
        cinfra_easy_reset(UnsafeMutableRawPointer(handle))  // keeps the handle's live connections
        let kept = lock.withLock { () -> Bool in
            guard idle.count < maxIdleHandles else { return false }
            idle.append(handle)
            return true
        }
        if !kept { cinfra_easy_cleanup(UnsafeMutableRawPointer(handle)) }
    }

    func perform(_ request: HTTPRequest, timeout: TimeInterval, state: Transfer) throws -> HTTPResponse {
        let target = Self.describe(request.url)
        guard let scheme = request.url.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw TransportError("\(target): only http and https URLs are supported", isRetryable: false,
                                 delivery: .notSent)
        }
        for field in request.headers where Self.hasLineBreak(field.name) || Self.hasLineBreak(field.value) {
            throw TransportError("\(target): header \(field.name) contains a line break", isRetryable: false,
                                 delivery: .notSent)
        }
        if state.isCancelled { throw CancellationError() }
        guard let handle = takeHandle() else {
            let why = Self.globalInit ? "libcurl could not create a handle" : Self.loadError
            throw TransportError("\(target): \(why)", isRetryable: false, delivery: .notSent)
        }
        let h = UnsafeMutableRawPointer(handle)
        defer { returnHandle(handle) }

        var list: UnsafeMutablePointer<curl_slist>?
        defer { cinfra_slist_free_all(list) }
        var hasContentType = false
        for field in request.headers {
            if field.name.caseInsensitiveEquals("content-type") { hasContentType = true }
            // an empty value would make libcurl drop the header: `Name;` sends it empty
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            list = cinfra_slist_append(list, line)
        }
        list = cinfra_slist_append(list, "Expect:")
        if !hasContentType { list = cinfra_slist_append(list, "Content-Type:") }

        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        let box = Unmanaged.passUnretained(state).toOpaque()
        cinfra_setopt_str(h, CURLOPT_URL, request.url.absoluteString)
        cinfra_setopt_long(h, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        cinfra_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        cinfra_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        cinfra_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        cinfra_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(connectTimeout, timeout)))
        cinfra_setopt_long(h, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        cinfra_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        cinfra_setopt_slist(h, CURLOPT_HTTPHEADER, list)
        if request.idempotency == .mutation { cinfra_setopt_long(h, CURLOPT_FRESH_CONNECT, 1) }
        if let caBundle { cinfra_setopt_str(h, CURLOPT_CAINFO, caBundle) }

        let method = request.method.uppercased()
        switch method {
        case "GET" where request.body.isEmpty:
            cinfra_setopt_long(h, CURLOPT_HTTPGET, 1)
        case "HEAD":
            cinfra_setopt_long(h, CURLOPT_NOBODY, 1)
        default:
            if !request.body.isEmpty || method == "POST" || method == "PUT" {
                cinfra_setopt_long(h, CURLOPT_POST, 1)
                cinfra_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                request.body.withUnsafeBytes { raw in
                    // COPYPOSTFIELDS copies the bytes; an empty body still needs a valid pointer
                    let empty: StaticString = ""
                    cinfra_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, raw.baseAddress ?? UnsafeRawPointer(empty.utf8Start))
                }
            }
            if method != "POST" { cinfra_setopt_str(h, CURLOPT_CUSTOMREQUEST, method) }
        }

        cinfra_setopt_write(h, CURLOPT_WRITEFUNCTION, curlWriteBody)
        cinfra_setopt_ptr(h, CURLOPT_WRITEDATA, box)
        cinfra_setopt_write(h, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        cinfra_setopt_ptr(h, CURLOPT_HEADERDATA, box)
        cinfra_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        cinfra_setopt_xferinfo(h, curlProgress)
        cinfra_setopt_ptr(h, CURLOPT_XFERINFODATA, box)
        cinfra_setopt_long(h, CURLOPT_VERBOSE, 1)
        cinfra_setopt_debug(h, curlDebug)
        cinfra_setopt_ptr(h, CURLOPT_DEBUGDATA, box)

        let started = DispatchTime.now()
        let code = withExtendedLifetime(state) { cinfra_easy_perform(h) }
        if code == CURLE_OK {
            var status = 0
            cinfra_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
            return HTTPResponse(statusCode: status, headers: state.responseHeaders(), body: state.body)
        }
        if state.isCancelled { throw CancellationError() }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let detail = String(cString: errorBuffer).isEmpty ? String(cString: cinfra_easy_strerror(code))
            : String(cString: errorBuffer)
        throw Self.error(code, sent: state.requestSent, target: target, detail: detail, elapsed: elapsed,
                         timeout: timeout)
    }

    /// Maps a libcurl failure to a `TransportError` that says whether the request can have been sent.
    static func error(_ code: CURLcode, sent: Bool, target: String, detail: String, elapsed: TimeInterval,
                      timeout: TimeInterval) -> TransportError {
        let delivery: TransportError.Delivery = sent ? .maybeSent : .notSent
        let when = sent ? "after the request was sent" : "before the request was sent"
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError("\(target): host not found (\(detail))", isRetryable: true, delivery: .notSent)
        case CURLE_COULDNT_CONNECT:
            return TransportError("\(target): could not connect (\(detail))", isRetryable: true, delivery: .notSent)
        case CURLE_OPERATION_TIMEDOUT:
            let phase = sent ? "no complete answer within \(format(timeout)) s" : "could not connect within the deadline"
            return TransportError("\(target): timed out, \(phase) (\(detail))", isRetryable: true, isTimeout: true,
                                  delivery: delivery)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return TransportError("\(target): TLS certificate not trusted (\(detail))", isRetryable: false,
                                  delivery: .notSent)
        case CURLE_SSL_CONNECT_ERROR:
            return TransportError("\(target): TLS handshake failed (\(detail))", isRetryable: true, delivery: delivery)
        case CURLE_GOT_NOTHING:
            return TransportError("\(target): connection closed \(when), no answer (\(detail))", isRetryable: true,
                                  delivery: delivery)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_READ_ERROR:
            return TransportError("\(target): connection lost \(when) (\(detail))", isRetryable: true,
                                  delivery: delivery)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return TransportError("\(target): invalid URL (\(detail))", isRetryable: false, delivery: .notSent)
        default:
            return TransportError("\(target): network error \(code.rawValue) \(when) (\(detail))", isRetryable: false,
                                  delivery: delivery)
        }
    }

    static func describe(_ url: URL) -> String {
        guard let host = url.host else { return url.redactedForLog }
        return host + (url.port.map { ":\($0)" } ?? "")
    }

    private static func format(_ seconds: TimeInterval) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }

    private static func milliseconds(_ seconds: TimeInterval) -> Int {
        Int(max(0.001, min(seconds, 86_400)) * 1000)
    }

    private static func hasLineBreak(_ s: String) -> Bool {
        s.utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }
    }
}

/// The state one transfer shares with libcurl's callbacks.
final class Transfer: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    var body = Data()
    var headerLines: [String] = []
    /// Set when libcurl reports request headers written to the connection.
    var requestSent = false

    var isCancelled: Bool { lock.withLock { cancelled } }
    func cancel() { lock.withLock { cancelled = true } }

    func responseHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                        String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return headers
    }
}

private func transfer(_ pointer: UnsafeMutableRawPointer?) -> Transfer {
    Unmanaged<Transfer>.fromOpaque(pointer!).takeUnretainedValue()
}

private let curlWriteBody: cinfra_data_cb = { data, size, count, user in
    let n = size * count
    if n > 0, let data { transfer(user).body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n) }
    return n
}

private let curlWriteHeader: cinfra_data_cb = { data, size, count, user in
    let n = size * count
    guard n > 0, let data else { return n }
    let state = transfer(user)
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
        .trimmingCharacters(in: .newlines)
    if line.hasPrefix("HTTP/") {
        state.headerLines = []  // a new response (after 1xx): start over
    } else if !line.isEmpty {
        state.headerLines.append(line)
    }
    return n
}

private let curlProgress: cinfra_xferinfo_cb = { user, _, _, _, _ in
    transfer(user).isCancelled ? 1 : 0
}

private let curlDebug: cinfra_debug_cb = { _, type, _, _, user in
    if type == CURLINFO_HEADER_OUT { transfer(user).requestSent = true }
    return 0
}
