import CInfraOpenSSL

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
