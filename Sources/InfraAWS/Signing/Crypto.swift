import CInfraOpenSSL
import Foundation

/// SHA-256, HMAC-SHA256 and MD5 from the system's libcrypto (OpenSSL), no Swift crypto package.
enum Crypto {
    static func sha256(_ data: some ContiguousBytes) -> [UInt8] {
        digest(data, EVP_sha256(), length: 32)
    }

    static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    static func sha256Hex(_ data: some ContiguousBytes) -> String {
        hex(sha256(data))
    }

    static func sha256Hex(_ string: String) -> String {
        hex(sha256(string))
    }

    /// MD5 is only used for S3's `Content-MD5` integrity header (never for security).
    static func md5(_ data: some ContiguousBytes) -> [UInt8] {
        digest(data, EVP_md5(), length: 16)
    }

    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    HMAC(EVP_sha256(), k.baseAddress, Int32(k.count),
                         d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                         o.baseAddress?.assumingMemoryBound(to: UInt8.self), &outLength)
                }
            }
        }
        precondition(ok != nil && outLength == 32, "libcrypto HMAC-SHA256 failed")
        return Array(out.prefix(32))
    }

    static func hmacSHA256(key: [UInt8], string: String) -> [UInt8] {
        hmacSHA256(key: key, data: Array(string.utf8))
    }

    private static func digest(_ data: some ContiguousBytes, _ md: OpaquePointer?, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        let ok = data.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { o in
                // An empty buffer may have a nil base address; libcrypto wants a valid pointer.
                withUnsafeBytes(of: UInt8(0)) { empty in
                    EVP_Digest(d.count == 0 ? empty.baseAddress : d.baseAddress, d.count,
                               o.baseAddress?.assumingMemoryBound(to: UInt8.self), &outLength, md, nil)
                }
            }
        }
        precondition(ok == 1 && Int(outLength) == length, "libcrypto digest failed")
        return Array(out.prefix(length))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(bytes.count * 2)
        for b in bytes {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}
