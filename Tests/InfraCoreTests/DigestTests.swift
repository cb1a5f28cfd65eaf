import CInfraDigest
import InfraCore
import XCTest

/// The project's own SHA-256, HMAC-SHA256 and MD5 (CInfraDigest) against the published test
/// vectors (FIPS 180-2 examples, RFC 4231, RFC 1321), on the CPU's SHA extensions and on the
/// portable code, and both paths against each other at every length around the block size.
final class DigestTests: XCTestCase {
    override func tearDown() {
        cinfra_sha256_force_portable(0)
    }

    private func sha256Vectors(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Hash.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", file: file, line: line)
        XCTAssertEqual(Hash.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", file: file, line: line)
        XCTAssertEqual(Hash.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", file: file, line: line)
        XCTAssertEqual(Hash.sha256Hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", file: file, line: line)
    }

    func testSHA256Vectors() {
        sha256Vectors()
    }

    func testSHA256PortableVectors() {
        cinfra_sha256_force_portable(1)
        XCTAssertEqual(cinfra_sha256_uses_cpu_extensions(), 0)
        sha256Vectors()
    }

    /// Where the CPU has SHA extensions (x86-64 since ~2017), they and the portable code agree at
    /// every length from 0 to 300 bytes (padding into one or two final blocks) and for large inputs.
    func testSHA256PathsAgree() throws {
        cinfra_sha256_force_portable(0)
        try XCTSkipUnless(cinfra_sha256_uses_cpu_extensions() == 1, "this CPU has no SHA extensions: the portable code is the only path")
        var bytes = [UInt8]()
        var state: UInt32 = 12345
        for _ in 0..<70_000 { state = state &* 1_103_515_245 &+ 12345; bytes.append(UInt8(truncatingIfNeeded: state >> 16)) }
        for length in Array(0...300) + [4095, 4096, 65_537, 70_000] {
            let input = Array(bytes.prefix(length))
            cinfra_sha256_force_portable(0)
            let fast = Hash.sha256(input)
            cinfra_sha256_force_portable(1)
            XCTAssertEqual(fast, Hash.sha256(input), "length \(length)")
        }
    }

    func testHMACSHA256Vectors() {
        XCTAssertEqual(Hash.hex(Hash.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), string: "Hi There")),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(Hash.hex(Hash.hmacSHA256(key: Array("Jefe".utf8), string: "what do ya want for nothing?")),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // A key longer than the block is hashed first.
        XCTAssertEqual(Hash.hex(Hash.hmacSHA256(key: [UInt8](repeating: 0xaa, count: 131),
                                                string: "Test Using Larger Than Block-Size Key - Hash Key First")),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testMD5Vectors() {
        XCTAssertEqual(Hash.hex(Hash.md5([UInt8]())), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(Hash.hex(Hash.md5(Array("abc".utf8))), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(Hash.hex(Hash.md5(Array("message digest".utf8))), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertEqual(Hash.hex(Hash.md5(Array(String(repeating: "1234567890", count: 8).utf8))),
                       "57edf4a22be3c955ac49da2e2107b67a")
    }
}
