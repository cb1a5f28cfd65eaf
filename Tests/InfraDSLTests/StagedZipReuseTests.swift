import Foundation
import InfraCore
import InfraDSL
import XCTest

/// A repeated synth into the same output folder takes an unchanged function folder's zip from
/// the previous output instead of zipping it again (`CloudAssembly.write`), with the same bytes
/// as a fresh synth; anything that does not match is zipped again.
final class StagedZipReuseTests: XCTestCase {
    private func synth(_ code: String, into out: URL) throws -> String {
        let app = App()
        let stack = Stack(app, "S")
        _ = Function(stack, "Fn", code: .directory(code), handler: "index.handler", runtime: .python3_12)
        let assembly = try app.synthesize()
        try assembly.write(to: out)
        return assembly.assets[0].assemblyPath
    }

    private func inode(_ url: URL) throws -> Int {
        try XCTUnwrap((try FileManager.default.attributesOfItem(atPath: url.path))[.systemFileNumber] as? Int)
    }

    /// Writes a fresh synth into a new folder and returns the zip's bytes there.
    private func freshZip(_ code: String) throws -> Data {
        let out = URL(fileURLWithPath: try dtTempDir(self)).appendingPathComponent("fresh")
        let name = try synth(code, into: out)
        return try Data(contentsOf: out.appendingPathComponent(name))
    }

    func testSecondSynthReusesTheZipWithTheSameBytes() throws {
        let code = try dtTempDir(self, files: ["index.py": "def handler(e, c): return 1\n", "lib/util.py": "X = 1\n"])
        let out = URL(fileURLWithPath: try dtTempDir(self)).appendingPathComponent("infra.out")
        let name = try synth(code, into: out)
        let zip = out.appendingPathComponent(name)
        let first = try Data(contentsOf: zip)
        let firstInode = try inode(zip)
        let manifest = try Data(contentsOf: out.appendingPathComponent("manifest.json"))

        let reused = CloudAssembly.reusedZips
        XCTAssertEqual(try synth(code, into: out), name)
        XCTAssertEqual(CloudAssembly.reusedZips, reused + 1, "the unchanged folder is not zipped again")
        XCTAssertEqual(try inode(zip), firstInode, "the previous file is linked, not rewritten")
        XCTAssertEqual(try Data(contentsOf: zip), first)
        XCTAssertEqual(try Data(contentsOf: zip), try freshZip(code), "same bytes as a fresh synth")
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("manifest.json")), manifest)
    }

    func testSameSizeSameTimeContentChangeIsZippedAgain() throws {
        let code = try dtTempDir(self, files: ["index.py": "def handler(e, c): return 1\n"])
        let file = code + "/index.py"
        let out = URL(fileURLWithPath: try dtTempDir(self)).appendingPathComponent("infra.out")
        let fm = FileManager.default
        let mtime = try XCTUnwrap(try fm.attributesOfItem(atPath: file)[.modificationDate] as? Date)
        let before = try synth(code, into: out)

        try Data("def handler(e, c): return 2\n".utf8).write(to: URL(fileURLWithPath: file))
        try fm.setAttributes([.modificationDate: mtime], ofItemAtPath: file)
        let reused = CloudAssembly.reusedZips
        let after = try synth(code, into: out)
        XCTAssertNotEqual(after, before, "new content, new asset name")
        XCTAssertEqual(CloudAssembly.reusedZips, reused, "nothing reused")
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent(before).path), "the old zip is gone with the old output")
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(after)), try freshZip(code))
    }

    func testDeletedOrDamagedZipAndBadRecordAreZippedAgain() throws {
        let code = try dtTempDir(self, files: ["index.py": "def handler(e, c): return 1\n"])
        let out = URL(fileURLWithPath: try dtTempDir(self)).appendingPathComponent("infra.out")
        let name = try synth(code, into: out)
        let zip = out.appendingPathComponent(name)
        let good = try Data(contentsOf: zip)
        let reused = CloudAssembly.reusedZips

        try FileManager.default.removeItem(at: zip)
        XCTAssertEqual(try synth(code, into: out), name)
        XCTAssertEqual(try Data(contentsOf: zip), good, "a deleted zip is made again")

        var damaged = good
        damaged[damaged.count / 2] ^= 0xFF
        try damaged.write(to: zip)
        XCTAssertEqual(try synth(code, into: out), name)
        XCTAssertEqual(try Data(contentsOf: zip), good, "a zip whose bytes changed (same size) is made again")

        try Data("not a record\n".utf8).write(to: out.appendingPathComponent(".staged-zips"))
        let otherInode = try inode(zip)
        XCTAssertEqual(try synth(code, into: out), name)
        XCTAssertNotEqual(try inode(zip), otherInode, "a malformed record is ignored: the zip is written anew")
        XCTAssertEqual(try Data(contentsOf: zip), good)
        XCTAssertEqual(CloudAssembly.reusedZips, reused, "nothing was reused on the way")

        XCTAssertEqual(try synth(code, into: out), name)
        XCTAssertEqual(CloudAssembly.reusedZips, reused + 1, "the rewritten record is trusted again")
    }
}
