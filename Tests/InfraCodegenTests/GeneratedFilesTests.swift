import Foundation
import XCTest
@testable import InfraCodegen

/// The committed `Sources/InfraResources` must be exactly what the generator makes of the
/// pinned schemas: a hand edit, or a generator change without regenerating, fails here.
final class GeneratedFilesTests: XCTestCase {
    /// The package root, from this file's path (`Tests/InfraCodegenTests/<file>`).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testCommittedFilesMatchTheGenerator() throws {
        let generator = Generator(schemasDirectory: Self.root.appendingPathComponent("codegen/schemas"))
        let files = try generator.generate()
        let diff = Generator.differences(files, in: Self.root.appendingPathComponent("Sources/InfraResources"))
        XCTAssertEqual(diff, [], "Sources/InfraResources is stale; run scripts/codegen")
    }

    func testGenerationIsDeterministic() throws {
        let generator = Generator(schemasDirectory: Self.root.appendingPathComponent("codegen/schemas"))
        XCTAssertEqual(try generator.generate(), try generator.generate())
    }

    func testCheckAndWriteFindChangedMissingAndStaleFiles() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("InfraCodegenTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["A.swift": "a\n", "B.swift": "b\n"]
        XCTAssertEqual(try Generator.write(files, to: dir), ["A.swift", "B.swift"])
        XCTAssertEqual(Generator.differences(files, in: dir), [])
        XCTAssertEqual(try Generator.write(files, to: dir), [])
        try Data("edited\n".utf8).write(to: dir.appendingPathComponent("A.swift"))
        try Data("old\n".utf8).write(to: dir.appendingPathComponent("Placeholder.swift"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("B.swift"))
        XCTAssertEqual(Generator.differences(files, in: dir), ["A.swift", "B.swift", "Placeholder.swift"])
        XCTAssertEqual(try Generator.write(files, to: dir), ["A.swift", "B.swift", "Placeholder.swift"])
        XCTAssertEqual(Generator.differences(files, in: dir), [])
    }

    func testEveryFileStartsWithTheBanner() throws {
        let generator = Generator(schemasDirectory: Self.root.appendingPathComponent("codegen/schemas"))
        let files = try generator.generate()
        XCTAssertGreaterThan(files.count, 26)
        for (name, text) in files {
            XCTAssertTrue(text.hasPrefix("// DO NOT EDIT."), name)
        }
    }
}
