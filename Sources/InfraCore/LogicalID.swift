/// Logical IDs derived from construct paths, as CDK derives them: a readable part (the path's
/// ids with everything but letters and digits removed) and a short stable hash of the full
/// path, so two paths that read the same never collide. An element directly under its stack
/// keeps its id alone.
public enum LogicalID {
    static let maxHumanLength = 240

    public static func make(stackRelativePath components: [String]) -> String {
        if components.count == 1 {
            let id = sanitize(components[0])
            if let first = id.utf8.first, isLetter(first) { return id }
        }
        var human: [String] = []
        for c in components where c != "Resource" && c != "Default" {
            if human.last != c { human.append(c) }
        }
        // Sanitized text is ASCII, so bytes and characters count the same.
        var readable: [UInt8] = []
        readable.reserveCapacity(64)
        for h in human {
            for b in h.utf8 where isLetterOrDigit(b) { readable.append(b) }
        }
        if readable.count > maxHumanLength { readable.removeFirst(readable.count - maxHumanLength) }
        if readable.first.map(isLetter) != true { readable.insert(UInt8(ascii: "R"), at: 0) }
        // The first 8 hex digits (upper case) of the SHA-256 of the path.
        let digest = Hash.sha256(Array(components.joined(separator: "/").utf8))
        let digits: StaticString = "0123456789ABCDEF"
        digits.withUTF8Buffer { hex in
            for b in digest.prefix(4) {
                readable.append(hex[Int(b >> 4)])
                readable.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: readable, as: UTF8.self)
    }

    /// Letters and digits only (ASCII), as CloudFormation requires of logical IDs.
    public static func sanitize(_ s: String) -> String {
        // Every byte of a non-ASCII scalar is >= 0x80, so filtering the UTF-8 bytes filters
        // the scalars.
        if s.utf8.allSatisfy(isLetterOrDigit) { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 where isLetterOrDigit(b) { out.append(b) }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `id` is a valid logical ID (1-255 ASCII letters and digits).
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 255 && id.utf8.allSatisfy(isLetterOrDigit)
    }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    @inline(__always)
    static func isLetterOrDigit(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}
