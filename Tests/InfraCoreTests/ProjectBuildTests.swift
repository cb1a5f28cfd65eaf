import Foundation
@testable import InfraCLI
import XCTest

/// How `infra` builds a project's `swift run PRODUCT` app (ProjectBuild): the command forms it
/// takes over, SwiftPM's plan as llbuild reads it, and, with a real SwiftPM package and the real
/// toolchain, that the binary it runs is never stale: an edited file is compiled by the fast
/// build, a new file, an edited manifest or another environment's plan make it a full build, a
/// compile error is reported by SwiftPM with a non-zero status.
final class ProjectBuildTests: XCTestCase {
    func testSwiftRunForms() {
        XCTAssertEqual(SwiftRunApp.parse("swift run --quiet OrdersInfra"), SwiftRunApp(product: "OrdersInfra"))
        XCTAssertEqual(SwiftRunApp.parse("swift run OrdersInfra"), SwiftRunApp(product: "OrdersInfra"))
        XCTAssertEqual(SwiftRunApp.parse("swift  run -q  orders-infra"), SwiftRunApp(product: "orders-infra"))
        // anything else runs as written
        for command in ["swift run", "swift run --quiet", "swift run -c release OrdersInfra", "swift build OrdersInfra",
                        "swift run --quiet --skip-build OrdersInfra", "swift run --quiet 'Orders Infra'", "swift run --quiet $APP",
                        "./run.sh", "swift run --quiet OrdersInfra; rm -rf /", "xswift run OrdersInfra", "swift run --quiet -OrdersInfra"] {
            XCTAssertNil(SwiftRunApp.parse(command), command)
        }
    }

    func testFastPlan() {
        let plan = """
            client:
              name: basic
              file-system: device-agnostic
            tools: {}
            targets:
              "app-x86_64-unknown-linux-gnu-debug.exe": ["<app-x86_64-unknown-linux-gnu-debug.exe>"]
            default: "main"
            nodes:
              "/p/Sources/app/":
                is-directory-structure: true
            commands:
              "/p/.build/debug/app.build/sources":
                tool: write-auxiliary-file
                inputs: ["<sources-file-list>","/p/Sources/app/main.swift"]
                outputs: ["/p/.build/debug/app.build/sources"]

              "C.app-x86_64-unknown-linux-gnu-debug.module":
                tool: shell
                inputs: ["/p/Sources/app/main.swift","/p/.build/debug/app.build/sources"]
                outputs: ["/p/.build/debug/app.build/main.swift.o"]
                args: ["swiftc","-c"]

              "PackageStructure":
                tool: package-structure-tool
                inputs: ["/p/Sources/app/","/p/Package.swift"]
                outputs: ["<PackageStructure>"]


            """
        let fast = ProjectBuild.fastPlan(plan)
        XCTAssertNotNil(fast)
        guard let fast else { return }
        XCTAssertTrue(fast.hasPrefix("client:\n  name: swift-build\n  file-system: device-agnostic\n"), fast)
        XCTAssertTrue(fast.contains("\"C.app-x86_64-unknown-linux-gnu-debug.module\":\n    tool: shell\n"), fast)
        XCTAssertFalse(fast.contains("write-auxiliary-file"), fast)
        XCTAssertFalse(fast.contains("package-structure-tool"), fast)
        XCTAssertEqual(ProjectBuild.structureInputs(plan), ["/p/Sources/app/", "/p/Package.swift"])
        // a step llbuild cannot run alone (resources), another client: no fast plan
        XCTAssertNil(ProjectBuild.fastPlan(plan.replacingOccurrences(of: "tool: shell", with: "tool: copy-tool")))
        XCTAssertNil(ProjectBuild.fastPlan(plan.replacingOccurrences(of: "name: basic", with: "name: other")))
        XCTAssertEqual(ProjectBuild.binaryPath(target: "x", planText: "\n  \"<x>\":\n    tool: phony\n    inputs: [\"/p/.build/debug/x\"]\n"), "/p/.build/debug/x")
    }

    func testDiagnosticsFromParseableOutput() {
        let message = #"{"kind": "finished", "name": "compile", "output": "a.swift:1:5: warning: unused\n", "exit-status": 0}"#
        let output = "Compiling Swift Module 'A' (1 sources)\n\(message.utf8.count)\n\(message)\nLinking ./.build/debug/a\n"
        XCTAssertEqual(ProjectBuild.diagnostics(output), "a.swift:1:5: warning: unused\n")
    }

    // MARK: A real package

    var package: URL!

    override func setUpWithError() throws {
        package = FileManager.default.temporaryDirectory.appendingPathComponent("infra-project-build-\(UUID().uuidString)")
        try write("Package.swift", """
            // swift-tools-version:6.0
            import PackageDescription
            let package = Package(name: "tiny", targets: [
                .target(name: "Lib"),
                .executableTarget(name: "tiny", dependencies: ["Lib"]),
            ])

            """)
        try write("Sources/Lib/Lib.swift", "public let value = 1\n")
        try write("Sources/tiny/main.swift", "import Lib\nprint(\"value \\(value)\")\n")
    }

    override func tearDownWithError() throws {
        if let package { try? FileManager.default.removeItem(at: package) }
    }

    func write(_ path: String, _ text: String) throws {
        let url = package.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Builds as `infra <command>` does; the binary's output and whether the build was the fast one.
    func build(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> (output: String, fast: Bool) {
        var build = ProjectBuild(package: package, product: "tiny")
        build.verbose = false
        let outcome = build.run()
        guard case .built(let binary, let fast) = outcome else {
            XCTFail("\(name): \(outcome)", file: file, line: line)
            return ("", false)
        }
        let ran = ProjectBuild.capture([binary])
        XCTAssertEqual(ran.status, 0, "\(name): \(ran.output)", file: file, line: line)
        return (ran.output, fast)
    }

    func testNeverStale() throws {
        guard let toolchain = ProjectBuild.Toolchain.find(), toolchain.buildTool != nil else {
            throw XCTSkip("no swift with swift-build-tool on PATH")
        }
        var r = try build("first")
        XCTAssertEqual(r.output, "value 1\n")
        XCTAssertFalse(r.fast, "nothing recorded yet: a full build")
        // the first build had no plan to take the structure's fingerprint from: nothing recorded
        r = try build("second")
        XCTAssertEqual(r.output, "value 1\n")
        XCTAssertFalse(r.fast, "the first build had no plan before it")

        try write("Sources/Lib/Lib.swift", "public let value = 2\n")
        r = try build("edited file")
        XCTAssertEqual(r.output, "value 2\n")
        XCTAssertTrue(r.fast, "only a file's contents changed")

        r = try build("nothing changed")
        XCTAssertEqual(r.output, "value 2\n")
        XCTAssertTrue(r.fast)

        // a new file: SwiftPM must plan again (the fast plan does not know it)
        try write("Sources/Lib/More.swift", "public let more = 40\n")
        try write("Sources/tiny/main.swift", "import Lib\nprint(\"value \\(value + more)\")\n")
        r = try build("new file")
        XCTAssertEqual(r.output, "value 42\n")
        XCTAssertFalse(r.fast, "the package's structure changed")

        // a file removed
        try FileManager.default.removeItem(at: package.appendingPathComponent("Sources/Lib/More.swift"))
        try write("Sources/tiny/main.swift", "import Lib\nprint(\"value \\(value + 1)\")\n")
        r = try build("file removed")
        XCTAssertEqual(r.output, "value 3\n")
        XCTAssertFalse(r.fast)

        // the manifest edited
        var manifest = try String(contentsOf: package.appendingPathComponent("Package.swift"), encoding: .utf8)
        manifest = manifest.replacingOccurrences(of: ".target(name: \"Lib\")", with: ".target(name: \"Lib\", swiftSettings: [.define(\"TWO\")])")
        try write("Package.swift", manifest)
        try write("Sources/Lib/Lib.swift", "#if TWO\npublic let value = 20\n#else\npublic let value = 10\n#endif\n")
        r = try build("manifest")
        XCTAssertEqual(r.output, "value 21\n")
        XCTAssertFalse(r.fast, "Package.swift changed")

        // the user's own `swift build` with another environment rewrites SwiftPM's plan: not the recorded one
        let p = Process()
        p.executableURL = URL(fileURLWithPath: toolchain.swift)
        p.arguments = ["build", "-q", "--product", "tiny"]
        p.currentDirectoryURL = package
        p.environment = ProcessInfo.processInfo.environment.merging(["INFRA_TEST_OTHER_ENVIRONMENT": "1"]) { $1 }
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        try write("Sources/Lib/Lib.swift", "#if TWO\npublic let value = 30\n#else\npublic let value = 10\n#endif\n")
        r = try build("after another build")
        XCTAssertEqual(r.output, "value 31\n")

        // a compile error: the failed fast build gives way to SwiftPM, which reports it
        r = try build("settled")
        XCTAssertTrue(r.fast)
        print("ProjectBuildTests: the compile error SwiftPM prints next is this test's (a broken file on purpose)")
        try write("Sources/Lib/Lib.swift", "public let value: Int = \"not a number\"\n")
        let failed = ProjectBuild(package: package, product: "tiny").run()
        guard case .failed(let status) = failed else { return XCTFail("\(failed)") }
        XCTAssertNotEqual(status, 0)
        try write("Sources/Lib/Lib.swift", "public let value = 5\n")
        r = try build("fixed")
        XCTAssertEqual(r.output, "value 6\n")
    }
}
