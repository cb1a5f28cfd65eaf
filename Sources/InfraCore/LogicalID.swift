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
            if !id.isEmpty, id.first!.isLetter { return id }
        }
        var human: [String] = []
        for c in components where c != "Resource" && c != "Default" {
            if human.last != c { human.append(c) }
        }
        var readable = human.map(sanitize).joined()
        if readable.count > maxHumanLength { readable = String(readable.suffix(maxHumanLength)) }
        if readable.isEmpty || !readable.first!.isLetter { readable = "R" + readable }
        let hash = Hash.sha256Hex(components.joined(separator: "/")).prefix(8).uppercased()
        return readable + hash
    }

    /// Letters and digits only (ASCII), as CloudFormation requires of logical IDs.
    public static func sanitize(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9")
        }))
    }

    /// True when `id` is a valid logical ID (1-255 ASCII letters and digits).
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 255 && sanitize(id) == id
    }
}

/// Digests from the system's libcrypto.
public enum Hash {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buf in
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
