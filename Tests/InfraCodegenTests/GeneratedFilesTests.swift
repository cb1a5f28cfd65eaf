import Foundation
import XCTest
@testable import InfraCodegen

/// The committed `Sources/InfraResources` and `Sources/InfraContract/ResourceSpecsData.swift` must
/// be exactly what the generator makes of the pinned schemas and codegen/resources.txt: a hand
/// edit, or a generator change without regenerating, fails here.
final class GeneratedFilesTests: XCTestCase {
    /// The package root, from this file's path (`Tests/InfraCodegenTests/<file>`).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testCommittedFilesMatchTheGenerator() throws {
        let files = try Generator(root: Self.root).generate()
        let diff = Generator.differences(files, in: Self.root)
        XCTAssertEqual(diff, [], "the generated files are stale; run scripts/codegen")
        XCTAssertNotNil(files["Sources/InfraContract/ResourceSpecsData.swift"])
    }

    func testGenerationIsDeterministic() throws {
        let generator = Generator(root: Self.root)
        XCTAssertEqual(try generator.generate(), try generator.generate())
    }

    func testCheckAndWriteFindChangedMissingAndStaleFiles() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("InfraCodegenTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = "Sources/InfraResources/", c = "Sources/InfraContract/"
        let files = [r + "A.swift": "a\n", r + "B.swift": "b\n", c + "ResourceSpecsData.swift": "s\n"]
        XCTAssertEqual(try Generator.write(files, to: dir), [c + "ResourceSpecsData.swift", r + "A.swift", r + "B.swift"])
        XCTAssertEqual(Generator.differences(files, in: dir), [])
        XCTAssertEqual(try Generator.write(files, to: dir), [])
        try Data("edited\n".utf8).write(to: dir.appendingPathComponent(r + "A.swift"))
        try Data("old\n".utf8).write(to: dir.appendingPathComponent(r + "Placeholder.swift"))
        // Not the generator's: the other files of InfraContract are never touched.
        try Data("other\n".utf8).write(to: dir.appendingPathComponent(c + "Manifest.swift"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent(r + "B.swift"))
        XCTAssertEqual(Generator.differences(files, in: dir), [r + "A.swift", r + "B.swift", r + "Placeholder.swift"])
        XCTAssertEqual(try Generator.write(files, to: dir), [r + "A.swift", r + "B.swift", r + "Placeholder.swift"])
        XCTAssertEqual(Generator.differences(files, in: dir), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(c + "Manifest.swift").path))
    }

    func testEveryFileStartsWithTheBanner() throws {
        let files = try Generator(root: Self.root).generate()
        XCTAssertGreaterThan(files.count, 26)
        for (name, text) in files {
            XCTAssertTrue(text.hasPrefix("// DO NOT EDIT."), name)
        }
    }
}
