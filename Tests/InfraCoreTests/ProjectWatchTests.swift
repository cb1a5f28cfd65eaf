import Foundation
import InfraDeploy
@testable import InfraCLI
import XCTest

/// What `infra watch` watches of a project's app beyond its own package: the folders of the
/// modules the app links from a dependency resolved by path (a local infra checkout).
final class ProjectWatchTests: XCTestCase {
    /// A plan in SwiftPM's format (`.build/debug.yaml`): the product's link, and the compile
    /// commands of a module of the package, of two modules of the path dependency (one linked,
    /// one not) and of a module checked out by URL.
    static let plan = """
        client:
          name: basic
        commands:
          "C.AppInfra-x86_64-unknown-linux-gnu-debug.exe":
            tool: shell
            inputs: ["/p/.build/x86_64-unknown-linux-gnu/debug/AppInfra.build/main.swift.o","/p/.build/x86_64-unknown-linux-gnu/debug/InfraDSL.build/A.swift.o","/p/.build/x86_64-unknown-linux-gnu/debug/InfraGraph.build/B.swift.o","/p/.build/x86_64-unknown-linux-gnu/debug/Yams.build/C.swift.o","/p/.build/x86_64-unknown-linux-gnu/debug/CYaml.build/src/api.c.o"]
            outputs: ["/p/.build/x86_64-unknown-linux-gnu/debug/AppInfra"]

          "C.AppInfra-x86_64-unknown-linux-gnu-debug.module":
            tool: shell
            inputs: ["/p/Sources/AppInfra/main.swift"]
            outputs: []

          "C.InfraDSL-x86_64-unknown-linux-gnu-debug.module":
            tool: shell
            inputs: ["/infra/Sources/InfraDSL/A.swift","/infra/Sources/InfraDSL/L2/Queue.swift","/p/.build/x86_64-unknown-linux-gnu/debug/InfraCore.swiftmodule"]
            outputs: []

          "C.InfraGraph-x86_64-unknown-linux-gnu-debug.module":
            tool: shell
            inputs: ["/infra/Sources/InfraGraph/B.swift"]
            outputs: []

          "C.InfraDeploy-x86_64-unknown-linux-gnu-debug.module":
            tool: shell
            inputs: ["/infra/Sources/InfraDeploy/D.swift"]
            outputs: []

          "C.Yams-x86_64-unknown-linux-gnu-debug.module":
            tool: shell
            inputs: ["/p/.build/checkouts/Yams/Sources/Yams/C.swift"]
            outputs: []

        """

    func testTheLinkedModulesOfPathDependenciesAreWatched() {
        let folders = ProjectApp.dependencySources(plan: Self.plan, product: "AppInfra", triple: "x86_64-unknown-linux-gnu",
                                                   dependencies: ["/infra"])
        XCTAssertEqual(folders, ["/infra/Sources/InfraDSL/", "/infra/Sources/InfraGraph/"])
        XCTAssertEqual(ProjectApp.dependencySources(plan: Self.plan, product: "AppInfra", triple: "x86_64-unknown-linux-gnu",
                                                    dependencies: []), [])
        XCTAssertEqual(ProjectApp.dependencySources(plan: Self.plan, product: "Other", triple: "x86_64-unknown-linux-gnu",
                                                    dependencies: ["/infra"]), [])
    }

    /// A package depending on this checkout by path (as `infra init` writes it), built: its
    /// app's watched roots include this checkout's InfraDSL and InfraApp folders, not InfraDeploy.
    func testAnInitPackagesAppWatchesTheInfraCheckout() throws {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let package = URL(fileURLWithPath: ProcessInfo.processInfo.environment["INFRA_E2E_SCRATCH"]
            ?? checkout.appendingPathComponent(".build/e2e-init").path).appendingPathComponent("orders-app")
        // Runs where the package is built: scripts/test's end-to-end step (INFRA_E2E_INIT=1), after
        // InitProjectTests, in the same process.
        try XCTSkipUnless(ProcessInfo.processInfo.environment["INFRA_E2E_INIT"] == "1",
                          "needs the built init package: run with INFRA_E2E_INIT=1 after InitProjectTests (scripts/test does)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: package.appendingPathComponent(".build/debug.yaml").path),
                      "no built init package at \(package.path) (InitProjectTests with INFRA_E2E_INIT=1 builds it)")
        let app = ProjectApp(project: ProjectFile(app: "swift run --quiet OrdersAppInfra"), directory: package)
        let roots = app.sources().map(\.path)
        let root = checkout.standardizedFileURL.path
        for module in ["InfraDSL", "InfraApp", "InfraCore"] {
            XCTAssertTrue(roots.contains(root + "/Sources/\(module)"), "\(module) not in \(roots)")
        }
        XCTAssertTrue(roots.contains(root + "/Package.swift"), "\(roots)")
        XCTAssertFalse(roots.contains { $0.hasPrefix(root + "/Sources/InfraDeploy") }, "\(roots)")
        let watched = WatchedPaths(roots: app.sources())
        let clock = ContinuousClock()
        var files = 0
        let took = clock.measure { for _ in 0..<20 { files = watched.snapshot().count } }
        print("[watch] \(files) files under \(watched.roots.count) roots; one snapshot: \(took / 20)")
    }
}
