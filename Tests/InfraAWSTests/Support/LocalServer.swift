import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1, in-process, that misbehaves on request: it answers,
/// closes after reading a request (an answer lost after the server acted), resets, trickles, or
/// hangs. Keep-alive connections are served until the script closes them. Test use only.
final class LocalServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [(String, String)]
        var body: Data
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    enum Action: Sendable {
        case respond(Int, [(String, String)], Data)
        /// Reads the request, then shuts the connection down without answering.
        case closeAfterRead
        /// Reads the request, then closes with RST.
        case reset
        /// Sends headers for `total` bytes and then one byte every `interval` seconds.
        case trickle(total: Int, interval: TimeInterval)
        /// Reads the request and never answers (until the client goes away).
        case hang

        static func ok(_ body: String, headers: [(String, String)] = []) -> Action {
            .respond(200, headers, Data(body.utf8))
        }
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private var connections = 0
    private let handler: @Sendable (Request, Int) -> Action
    private var stopped = false

    var requests: [Request] { lock.withLock { received } }
    var connectionCount: Int { lock.withLock { connections } }
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init(_ handler: @escaping @Sendable (Request, Int) -> Action) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        listener = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// A port on which nothing listens (bound, then closed).
    static func closedPort() throws -> Int {
        let server = try LocalServer { _, _ in .hang }
        server.stop()
        return server.port
    }

    /// Stops listening (connections are refused from now on). The descriptor is closed by the
    /// accept thread when it ends, never here: closed here, its number could be reused by the next
    /// server's socket before a late-starting accept thread of this one calls accept on it, and
    /// that thread would take the next server's connection (a test's request then hung).
    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { if !lock.withLock({ stopped }) { stop() } }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            lock.withLock { connections += 1 }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        var buffer = Data()
        defer { close(fd) }
        while true {
            guard let request = readRequest(fd, &buffer) else { return }
            let index = lock.withLock { () -> Int in
                received.append(request)
                return received.count - 1
            }
            switch handler(request, index) {
            case let .respond(status, headers, body):
                var head = "HTTP/1.1 \(status) X\r\n"
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                head += "Content-Length: \(body.count)\r\n\r\n"
                guard writeAll(fd, Data(head.utf8) + (request.method == "HEAD" ? Data() : body)) else { return }
            case .closeAfterRead:
                shutdown(fd, Int32(SHUT_RDWR))
                return
            case .reset:
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                return
            case let .trickle(total, interval):
                guard writeAll(fd, Data("HTTP/1.1 200 X\r\nContent-Length: \(total)\r\n\r\n".utf8)) else { return }
                for _ in 0..<total {
                    Thread.sleep(forTimeInterval: interval)
                    guard writeAll(fd, Data("x".utf8)) else { return }
                }
            case .hang:
                var byte: UInt8 = 0
                while recv(fd, &byte, 1, 0) > 0 {}
                return
            }
        }
    }

    private func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout Data) -> Request? {
        let separator = Data("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while buffer.range(of: separator) == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
        let end = buffer.range(of: separator)!
        let head = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
        buffer = Data(buffer[end.upperBound...])
        var lines = head.components(separatedBy: "\r\n")
        let first = lines.removeFirst().split(separator: " ")
        guard first.count >= 2 else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        while buffer.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
        let body = Data(buffer.prefix(length))
        buffer = Data(buffer.dropFirst(length))
        return Request(method: String(first[0]), path: String(first[1]), headers: headers, body: body)
    }
}
