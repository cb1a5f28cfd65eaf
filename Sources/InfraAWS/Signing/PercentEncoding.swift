import Foundation

/// Percent-encoding as SigV4 and the AWS protocols need it.
public enum PercentEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// RFC 3986 encoding: only `A-Za-z0-9-_.~` stay raw (plus `/` when `keepSlash`),
    /// everything else becomes `%XX` with upper-case hex over the UTF-8 bytes.
    public static func uriEncode(_ string: String, keepSlash: Bool = false) -> String {
        encode(string.utf8) { isUnreserved($0) || (keepSlash && $0 == UInt8(ascii: "/")) }
    }

    /// The body encoding of query-protocol calls, identical to botocore's
    /// (`urllib.parse.urlencode`, i.e. `quote_plus`): `A-Za-z0-9-_.~` raw, space as `+`,
    /// everything else `%XX` upper-case.
    public static func formEncode(_ string: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(string.utf8.count)
        for b in string.utf8 {
            if isUnreserved(b) {
                out.append(b)
            } else if b == UInt8(ascii: " ") {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A form body from ordered pairs: `k=v&k=v`, both sides form-encoded.
    public static func formBody(_ pairs: [(String, String)]) -> String {
        pairs.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
    }

    /// A query string from pairs, RFC 3986 encoded (`%20` for space), in the given order.
    public static func queryString(_ pairs: [(String, String)]) -> String {
        pairs.map { uriEncode($0.0) + "=" + uriEncode($0.1) }.joined(separator: "&")
    }

    /// Decodes `%XX` sequences (and nothing else: `+` stays `+`). Invalid sequences are kept.
    static func percentDecode(_ string: String) -> String {
        let bytes = Array(string.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return string }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func encode(_ bytes: String.UTF8View, keep: (UInt8) -> Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if keep(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// S3's path rule: existing `%XX` escapes are kept (no double encoding); any other byte
    /// that is neither unreserved nor `/` is encoded.
    static func encodeKeepingEscapes(_ string: String) -> String {
        let bytes = Array(string.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if isUnreserved(b) || b == UInt8(ascii: "/") {
                out.append(b)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count,
                      let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(h)])
                out.append(hexDigits[Int(l)])
                i += 3
                continue
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
