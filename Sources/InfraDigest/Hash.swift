import CInfraDigest
import Foundation

/// SHA-256, HMAC-SHA256 and MD5, the one implementation synthesis (logical IDs, asset hashes)
/// and deployment (SigV4 signing, S3 integrity headers) use. The digests are the project's own C
/// code (CInfraDigest, on the CPU's SHA extensions where there are any), so `infra` loads no
/// crypto library: libcrypto and OpenSSL 3's provider set-up cost every start more than all the
/// hashing a synth does.
public enum Hash {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in cinfra_sha256(b.baseAddress, b.count, o.baseAddress!) }
        }
        return out
    }

    public static func sha256(_ data: some ContiguousBytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { b in
            out.withUnsafeMutableBufferPointer { o in cinfra_sha256(b.baseAddress, b.count, o.baseAddress!) }
        }
        return out
    }

    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    public static func sha256Hex(_ string: String) -> String {
        hex(sha256(Array(string.utf8)))
    }

    public static func sha256Hex(_ data: some ContiguousBytes) -> String {
        hex(sha256(data))
    }

    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    cinfra_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, o.baseAddress!)
                }
            }
        }
        return out
    }

    public static func hmacSHA256(key: [UInt8], string: String) -> [UInt8] {
        hmacSHA256(key: key, data: Array(string.utf8))
    }

    /// MD5 is only used for S3's `Content-MD5` integrity header (never for security).
    public static func md5(_ data: some ContiguousBytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        data.withUnsafeBytes { b in
            out.withUnsafeMutableBufferPointer { o in cinfra_md5(b.baseAddress, b.count, o.baseAddress!) }
        }
        return out
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
