/// Deterministic JSON: keys in the order the value holds them, two-space indentation,
/// integers without a fraction, shortest round-tripping doubles, UTF-8 kept as it is.
public enum JSONRenderer {
    public static func render(_ value: Value, pretty: Bool = true) -> String {
        String(decoding: renderBytes(value, pretty: pretty), as: UTF8.self)
    }

    /// The rendering as UTF-8 bytes (what `render` returns as a string).
    public static func renderBytes(_ value: Value, pretty: Bool = true) -> [UInt8] {
        var w = JSONWriter(pretty: pretty)
        w.write(value, depth: 0)
        if pretty { w.out.append(UInt8(ascii: "\n")) }
        return w.out
    }

    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}

/// Writes JSON straight into a byte buffer: no intermediate strings, and strings without
/// characters to escape are copied in one piece.
private struct JSONWriter {
    var out: [UInt8] = []
    let pretty: Bool
    /// A newline and indentation, appended from here in one piece (deeper levels add more).
    private static let newlineAndSpaces: StaticString = "\n                                                                "

    init(pretty: Bool) {
        self.pretty = pretty
        out.reserveCapacity(16_384)
    }

    mutating func write(_ value: Value, depth: Int) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): appendASCII(String(i))
        case .double(let d): appendASCII(JSONRenderer.format(d))
        case .string(let s): writeString(s)
        case .array(let items):
            if items.isEmpty { append("[]"); return }
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(depth + 1)
                write(item, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { append("{}"); return }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in pairs {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(depth + 1)
                writeString(k)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                write(v, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "}"))
        case .ref, .getAtt, .pseudo, .condition, .intrinsic, .lazy:
            preconditionFailure("unresolved value in rendering: resolve it in a RenderContext first")
        }
    }

    private mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private mutating func appendASCII(_ s: String) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        var count = 1 + 2 * depth
        Self.newlineAndSpaces.withUTF8Buffer { text in
            let n = min(count, text.count)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<n]))
            count -= n
        }
        while count > 0 {
            out.append(UInt8(ascii: " "))
            count -= 1
        }
    }

    /// A JSON string: `"` and backslash escaped, control characters as their short escapes or
    /// `\u00xx`; everything else (all of UTF-8 from U+0020 up) copied as it is.
    private mutating func writeString(_ s: String) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { continue }
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                escape(b)
                start = i + 1
            }
            if start == 0 {
                out.append(contentsOf: bytes)
            } else if start < bytes.count {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00")
            hex.withUTF8Buffer { digits in
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 0xF)])
            }
        }
    }
}
