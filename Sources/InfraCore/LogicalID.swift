import CInfraOpenSSL

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

/// Digests from the system's libcrypto.
public enum Hash {
    /// SHA-256, fetched once: OpenSSL 3's one-shot `SHA256()` looks the algorithm up again on
    /// every call, which costs more than hashing a short string. An `EVP_MD` is immutable and
    /// may be shared between threads.
    nonisolated(unsafe) private static let sha256Digest: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buf in
            if let md = sha256Digest, EVP_Digest(buf.baseAddress, buf.count, &out, nil, md, nil) == 1 { return }
            _ = SHA256(buf.baseAddress, buf.count, &out)
        }
        return out
    }

    public static func sha256Hex(_ string: String) -> String {
        hex(sha256(Array(string.utf8)))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
