// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "infra",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "InfraDSL", targets: ["InfraDSL"]),
        .library(name: "InfraAWS", targets: ["InfraAWS"]),
        // Assertions on synthesized templates for users' tests (matchers, captures, golden files).
        .library(name: "InfraTesting", targets: ["InfraTesting"]),
        .library(name: "ExampleStack", targets: ["ExampleStack"]),
        .library(name: "LabelingTool", targets: ["LabelingTool"]),
        .library(name: "DataLabel", targets: ["DataLabel"]),
        .library(name: "CoralPipeline", targets: ["CoralPipeline"]),
        .library(name: "Sign2Text", targets: ["Sign2Text"]),
        .library(name: "MLInference", targets: ["MLInference"]),
        .executable(name: "infra", targets: ["infra"]),
        // The CLI as a library: a user's executable is a complete `infra` for its own stacks
        // (InfraCommand.main(definitions:)).
        .library(name: "InfraCLI", targets: ["InfraCLI"]),
        // A project's app, synthesis only (InfraApp.main(definitions:)): what `infra init` packages
        // link; the shipped `infra` runs it and deploys the assembly it writes.
        .library(name: "InfraApp", targets: ["InfraApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // SHA-256, HMAC-SHA256 and MD5 in C (no crypto library linked: faster start), and their
        // Swift API (`Hash`), shared by synthesis and deployment.
        .target(name: "CInfraDigest"),
        .target(name: "InfraDigest", dependencies: ["CInfraDigest"]),

        // The contracts synthesis and deployment share: assembly manifest, toolkit names and
        // template, resource specs, stack and resource statuses (Foundation only).
        .target(name: "InfraContract"),
        // Construct tree, tokens, intrinsics, parameters/outputs, validation, rendering, assembly.
        .target(name: "InfraCore", dependencies: ["InfraContract", "InfraDigest", "Yams"]),
        // GENERATED typed CloudFormation resources (swift run InfraCodegen).
        .target(name: "InfraResources", dependencies: ["InfraCore"]),
        // What users import: re-exports InfraCore and InfraResources, adds L2 constructs.
        .target(name: "InfraDSL", dependencies: ["InfraCore", "InfraResources", "ZIPFoundation"]),
        // Assertions on synthesized templates (XCTest and Swift Testing).
        .target(name: "InfraTesting", dependencies: ["InfraCore"]),
        // The generator of Sources/InfraResources from codegen/schemas.
        .executableTarget(name: "InfraCodegen"),

        // HTTP through the system's libcurl (Debian: libcurl4-openssl-dev), see docs/TRANSPORT.md.
        .systemLibrary(name: "CInfraCurl", path: "Sources/CInfraCurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        // SigV4, credentials, endpoints, transport, service clients.
        .target(name: "InfraAWS", dependencies: ["InfraContract", "InfraDigest", "CInfraCurl"]),
        // Foundation's URLSession as a transport (comparisons, tests): its own module, because
        // FoundationNetworking links libcurl, which InfraAWS opens only on first use.
        .target(name: "InfraURLSession", dependencies: ["InfraAWS"]),

        // Deployment: assembly reading, assets, change sets, live progress, diff, destroy, bootstrap.
        .target(name: "InfraDeploy", dependencies: ["InfraContract", "InfraAWS", "InfraCore", "Yams"]),

        // Ready stacks.
        .target(name: "ExampleStack", dependencies: ["InfraDSL"], path: "Sources/Stacks/Example"),
        .target(name: "LabelingTool", dependencies: ["InfraDSL"], path: "Sources/Stacks/LabelingTool"),
        .target(name: "DataLabel", dependencies: ["InfraDSL"], path: "Sources/Stacks/DataLabel"),
        .target(name: "CoralPipeline", dependencies: ["InfraDSL"], path: "Sources/Stacks/CoralPipeline"),
        .target(name: "Sign2Text", dependencies: ["InfraDSL"], path: "Sources/Stacks/Sign2Text"),
        .target(name: "MLInference", dependencies: ["InfraDSL"], path: "Sources/Stacks/MLInference"),

        // `infra graph`: the architecture as a diagram (DOT, Mermaid, SVG, JSON) from the construct tree.
        .target(name: "InfraGraph", dependencies: ["InfraDSL"]),

        // Config loading (StackDefinition, Project) and the app protocol (synth, ls, context, graph)
        // of a project's app: the DSL and the diagrams, nothing of deployment.
        .target(name: "InfraApp", dependencies: ["InfraDSL", "InfraGraph"]),
        // The CLI's commands (a library, so tests and users' executables use it;
        // it links none of the ready stacks).
        .target(name: "InfraCLI", dependencies: [
            "InfraDSL", "InfraApp", "InfraDeploy", "InfraGraph",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The `infra` executable's stack registry: the ready stacks by their config `app` name.
        .target(name: "BuiltinStacks", dependencies: [
            "InfraCLI", "ExampleStack", "LabelingTool", "DataLabel", "CoralPipeline", "Sign2Text", "MLInference",
        ]),
        .executableTarget(name: "infra", dependencies: ["InfraCLI", "BuiltinStacks"]),
        // Benchmark: builds a generated app of N resources and writes its assembly (scripts/bench).
        .executableTarget(name: "InfraBench", dependencies: ["InfraDSL"]),
        // Benchmark: deploy completion latency against a scripted CloudFormation (scripts/bench-deploy).
        .executableTarget(name: "InfraDeployBench", dependencies: ["InfraDeploy", "InfraAWS"]),
        // Benchmark: how each HTTP transport reports dropped connections, redirects, slow answers (scripts/bench-transport).
        .executableTarget(name: "InfraTransportBench", dependencies: ["InfraAWS", "InfraURLSession"]),

        .testTarget(name: "InfraCoreTests", dependencies: ["InfraDSL", "InfraCLI", "BuiltinStacks"]),
        // The synthesis/deployment contracts alone (Foundation only: builds in seconds).
        .testTarget(name: "InfraContractTests", dependencies: ["InfraContract"]),
        .testTarget(name: "InfraDSLTests", dependencies: ["InfraDSL", "InfraTesting", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "InfraTestingTests", dependencies: ["InfraTesting", "InfraDSL"]),
        .testTarget(name: "InfraCodegenTests", dependencies: ["InfraCodegen"]),
        // moto_server for the integration tests (started on a free port, signature checks on).
        .target(name: "InfraTestSupport", dependencies: ["InfraAWS", "InfraURLSession"], path: "Tests/Support"),
        .testTarget(name: "InfraDeployTests", dependencies: ["InfraDeploy", "InfraCLI", "BuiltinStacks", "InfraAWS", "InfraURLSession", "InfraCore", "InfraTestSupport"]),
        .testTarget(name: "InfraAWSTests", dependencies: ["InfraAWS", "InfraContract", "InfraURLSession", "InfraTestSupport"],
                    exclude: ["Resources"]),
        .testTarget(name: "InfraGraphTests", dependencies: ["InfraGraph", "InfraCLI", "BuiltinStacks"]),
        .testTarget(name: "SnapshotTests", dependencies: ["InfraDSL", "InfraCLI", "BuiltinStacks", "Yams"],
                    path: "Tests/Snapshots", exclude: ["golden"]),
    ]
)
