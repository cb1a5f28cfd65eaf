// How each HTTP transport behaves when the network misbehaves: run by scripts/bench-transport
// against scripts/transport-fault-server.py on 127.0.0.1. Prints one line per case and transport.
//
//   InfraTransportBench <port> [timeout-seconds]
import Foundation
import InfraAWS
import InfraURLSession

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: InfraTransportBench <port> [timeout-seconds]\n".utf8))
    exit(2)
}
let timeout = arguments.count > 2 ? Double(arguments[2]) ?? 10 : 10
let base = "http://127.0.0.1:\(port)"

func elapsed(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
}

func ms(_ value: Double) -> String { String(format: "%8.1f ms", value) }

func request(_ path: String, method: String = "POST", headers: HTTPHeaders = [:]) -> HTTPRequest {
    var h = headers
    h["Content-Type"] = "text/plain"
    return HTTPRequest(method: method, url: URL(string: base + path)!, headers: h,
                       body: method == "POST" ? Data("x=1".utf8) : Data())
}

func outcome(_ transport: any HTTPTransport, _ req: HTTPRequest, timeout t: Double = timeout) async -> (Double, String) {
    let start = DispatchTime.now()
    do {
        let r = try await transport.send(req, timeout: t)
        return (elapsed(start), "HTTP \(r.statusCode)")
    } catch let e as TransportError {
        return (elapsed(start), "error (\(e.delivery == .notSent ? "not sent" : "maybe sent")): \(e.message)")
    } catch {
        return (elapsed(start), "error: \(error)")
    }
}

let transports: [(String, any HTTPTransport)] = [
    ("URLSession", URLSessionTransport()),
    ("libcurl", CurlTransport(connectTimeout: 5)),
]

print("timeout per attempt: \(timeout) s; server \(base)")
for (name, transport) in transports {
    // keep-alive round trips
    _ = await outcome(transport, request("/ok"))
    var samples: [Double] = []
    for _ in 0..<50 { samples.append(await outcome(transport, request("/ok", method: "GET")).0) }
    samples.sort()
    print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) keep-alive GET round trip (median of 50)  \(ms(samples[25]))")

    for (label, path, warm, method) in [
        ("dropped after read, fresh connection ", "/drop-after-read", false, "POST"),
        ("dropped after read, reused connection", "/drop-after-read", true, "POST"),
        ("dropped after read, reused, GET      ", "/drop-after-read", true, "GET"),
        ("reset (RST) after read               ", "/reset", true, "POST"),
    ] {
        if warm { _ = await outcome(transport, request("/ok", method: "GET")) }
        let (t, what) = await outcome(transport, request(path, method: method))
        print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(label) \(ms(t))  \(what.prefix(110))")
    }
    let connRefused = HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:1/")!, body: Data("x".utf8))
    let (t, what) = await outcome(transport, connRefused)
    print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) connection refused                   \(ms(t))  \(what.prefix(110))")

    let secret: HTTPHeaders = ["Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x, Signature=00",
                               "X-Amz-Security-Token": "session-token"]
    let (rt, rwhat) = await outcome(transport, request("/redirect", method: "GET", headers: secret))
    let sink = await (try? transport.send(request("/sink-log", method: "GET"), timeout: 5))?.bodyText ?? "?"
    let leaked = sink.contains("auth=True") || sink.contains("token=True")
    print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) 302 to another path                  \(ms(rt))  \(rwhat); Location host received credentials: \(leaked ? "YES" : "no")")
    // reset the sink log between transports
    _ = await outcome(transport, request("/sink-log-clear", method: "GET"))

    let slowTimeout = min(timeout, 3)
    let (st, swhat) = await outcome(transport, request("/slow", method: "GET"), timeout: slowTimeout)
    print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) 1 byte/s for 30 s, timeout \(slowTimeout) s      \(ms(st))  \(swhat.prefix(90))")
}
