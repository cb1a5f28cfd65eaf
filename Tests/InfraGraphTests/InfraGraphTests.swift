import BuiltinStacks
import Foundation
import InfraCLI
import InfraDSL
@testable import InfraGraph
import XCTest

/// `infra graph` on the five stacks: the nodes and edges the model records, DOT that Graphviz's
/// `dot` accepts (scripts/test installs Debian's `graphviz`; without it these tests fail, they do
/// not skip), Mermaid that Mermaid's own parser accepts (the parser of mermaid 11 bundled in the
/// pip package `mermaid-parser-py`, run by node; scripts/test installs it), byte-identical
/// output, and docs/diagrams current.
final class InfraGraphTests: XCTestCase {
    /// The CLI library knows no stack definition: these tests use the `infra` executable's.
    override class func setUp() {
        super.setUp()
        InfraCommand.definitions = StackRegistry.all
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let stacks = ["labeling-tool", "data-label", "coral-pipeline", "sign2text", "ml-inference"]

    override func setUp() {
        super.setUp()
        FileManager.default.changeCurrentDirectoryPath(Self.root.path)
    }

    /// The app of the project's configs, and each stack's template.
    static func build() throws -> (App, CloudAssembly) {
        let project = Project(configDirectory: root.appendingPathComponent("config"), definitions: StackRegistry.all)
        let app = try project.buildApp(project.loadConfigs())
        return (app, try app.synthesize())
    }

    static func graph(_ name: String, level: GraphLevel = .constructs) throws -> StackGraph {
        let (app, assembly) = try build()
        let stack = try XCTUnwrap(app.stacks.first { $0.stackName == name }, "no stack \(name)")
        let artifact = try XCTUnwrap(assembly.stacks.first { $0.stackName == name })
        return Diagram.graph(stack, template: artifact.template, level: level)
    }

    func assertEdge(_ g: StackGraph, _ from: String, _ to: String, _ kind: EdgeKind, label: String? = nil,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotNil(g.node(path: from), "\(g.stackName): no node \(from) (nodes: \(g.nodes.map(\.path)))", file: file, line: line)
        XCTAssertNotNil(g.node(path: to), "\(g.stackName): no node \(to)", file: file, line: line)
        let edges = g.edges(from: from, to: to).filter { $0.kind == kind }
        XCTAssertFalse(edges.isEmpty, "\(g.stackName): no \(kind) edge \(from) -> \(to) (edges from it: \(g.edges.filter { $0.from == g.node(path: from)?.id }))", file: file, line: line)
        if let label, let e = edges.first { XCTAssertEqual(e.label, label, "\(from) -> \(to)", file: file, line: line) }
    }

    // MARK: - The expected nodes and edges

    func testCoralPipelineChainsItsThreeStagesBucketFunctionBucket() throws {
        let g = try Self.graph("coral-pipeline")
        let chain = [("ImagesRaw", "Restoration", "ImagesTreated"), ("ImagesTreated", "Reframing", "ImagesReframed"),
                     ("ImagesReframed", "Segmentation", "ImagesSegmented")]
        for (input, worker, output) in chain {
            assertEdge(g, input, worker, .notifies, label: "s3:ObjectCreated:*")
            assertEdge(g, worker, output, .grant, label: "read/write")
            XCTAssertEqual(g.node(path: worker)?.kind, .function)
            XCTAssertEqual(g.node(path: worker)?.gate, "\(worker)ImageReady", "the worker waits for its image")
            assertEdge(g, worker, "\(worker)Repository", .image, label: "latest")
            assertEdge(g, worker, "FailedEvents", .deadLetter)
        }
        assertEdge(g, "Frontend/LoadBalancer", "Frontend/Service", .connection, label: "tcp/8501")
        assertEdge(g, "Internet", "Frontend/LoadBalancer", .connection, label: "tcp/80")
        assertEdge(g, "Schema", "SchemaInitializer", .invokes, label: "provider")
        // The Data API statements name the cluster; the secret is the generated one, not an import.
        assertEdge(g, "Restoration", "Database", .policy)
        assertEdge(g, "Restoration", "Database/Secret", .grant, label: "read")
        XCTAssertNil(g.node(path: "Database/AttachedSecret"))
        XCTAssertFalse(g.nodes.contains { $0.imported }, "coral imports nothing: \(g.nodes.filter(\.imported).map(\.path))")
        // Placement: tiers of the VPC.
        XCTAssertEqual(g.groupChain(g.node(path: "Database")?.group).map(\.kind), [.vpc, .tier])
        XCTAssertTrue(g.node(path: "Database")?.group?.hasSuffix("_isolated") ?? false)
        XCTAssertTrue(g.node(path: "Frontend/LoadBalancer")?.group?.hasSuffix("_public") ?? false)
        XCTAssertTrue(g.node(path: "Frontend/Service")?.group?.hasSuffix("_private") ?? false)
        // The seven pipeline buckets get the same grants: one group, drawn once per grantee.
        let buckets = g.nodes.filter { $0.kind == .bucket && $0.group != nil }
        XCTAssertEqual(buckets.count, 7)
        XCTAssertEqual(Set(buckets.compactMap(\.group)).count, 1)
        let dot = DotRenderer.render(g)
        XCTAssertEqual(dot.components(separatedBy: "label=\"read/write ×7\"").count - 1, 4, "four grantees, one edge each to the group")
        XCTAssertLessThan(g.nodes.count, 40)
    }

    func testLabelingToolServiceReachesTheDatabaseOn5432() throws {
        let g = try Self.graph("labeling-tool")
        assertEdge(g, "Service/Service", "Database", .connection, label: "tcp/5432")
        assertEdge(g, "DatabaseInitializer", "Database", .connection, label: "tcp/5432")
        assertEdge(g, "Service/LoadBalancer", "Service/Service", .connection, label: "tcp/8000")
        assertEdge(g, "Internet", "Service/LoadBalancer", .connection)
        assertEdge(g, "DatabaseInitialization", "DatabaseInitializer", .invokes)
        for secret in ["Database/Secret", "AdminCredentials", "DjangoSecretKey"] {
            assertEdge(g, "Service/Service", secret, .grant, label: "read")
        }
        XCTAssertTrue(g.node(path: "DatabaseInitializer")?.group?.hasSuffix("_private") ?? false, "the initializer runs in the VPC")
        XCTAssertEqual(g.node(path: "Service/Service")?.kind, .service)
        XCTAssertNil(g.node(path: "Service/TaskDefinition"), "a task definition is drawn as its service")
        XCTAssertNil(g.node(path: "Service/TargetGroup"), "a target group is drawn as its load balancer")
    }

    func testLabelingToolExistingVpcIsDrawnAsImported() throws {
        let project = Project(configDirectory: Self.root.appendingPathComponent("config"), definitions: StackRegistry.all)
        let configs = try project.loadConfigs(overrides: [
            ("VPC_ID", "vpc-0123456789abcdef0"), ("PUBLIC_SUBNET_IDS", #"["subnet-0a","subnet-0b"]"#),
            ("PRIVATE_SUBNET_IDS", #"["subnet-1a","subnet-1b"]"#), ("ISOLATED_SUBNET_IDS", #"["subnet-2a","subnet-2b"]"#),
        ], scope: ["labeling-tool"])
        let app = try project.buildApp(configs.filter { $0.stackName == "labeling-tool" })
        let assembly = try app.synthesize()
        let g = Diagram.graph(app.stacks[0], template: assembly.stacks[0].template, level: .constructs)
        let vpc = try XCTUnwrap(g.groups.first { $0.kind == .vpc })
        XCTAssertTrue(vpc.imported)
        XCTAssertTrue(vpc.label.contains("vpc-0123456789abcdef0"), vpc.label)
        XCTAssertTrue(DotRenderer.render(g).contains("style=\"rounded,dashed\""))
        assertEdge(g, "Service/Service", "Database", .connection, label: "tcp/5432")
    }

    func testDataLabelQueueFunctionTopicQueue() throws {
        let g = try Self.graph("data-label")
        assertEdge(g, "DeduplicatedJobPostsQueue", "PreprocessFunction", .eventSource, label: "batch 10")
        assertEdge(g, "PreprocessFunction", "PreprocessedJobPostsTopic", .grant, label: "publish")
        assertEdge(g, "PreprocessedJobPostsTopic", "PreprocessedJobPostsQueue", .subscription, label: "raw messages")
        assertEdge(g, "PreprocessedJobPostsTopic", "ArchiveFunction", .subscription)
        assertEdge(g, "DeduplicatedJobPostsQueue", "DeadLetterQueue", .deadLetter, label: "after 5 receives")
        assertEdge(g, "ArchiveFunction", "DataBucket", .grant, label: "put")
        assertEdge(g, "Api", "FetchJobsFunction", .invokes, label: "GET /Job-Posts")
        assertEdge(g, "Api", "SaveLabelsFunction", .invokes, label: "POST /Job-Posts")
        assertEdge(g, "FetchJobsFunction", "PreprocessedJobPostsQueue", .grant, label: "consume")
        assertEdge(g, "ScraperService", "JobPostsTable", .grant, label: "read/write")
        assertEdge(g, "ScraperService", "DeduplicatedJobPostsQueue", .grant, label: "send")
        assertEdge(g, "ScraperService", "ScraperRepository", .image, label: "v1")
        assertEdge(g, "Site", "SiteBucket", .origin)
        XCTAssertEqual(g.node(path: "ScraperService")?.gate, "ScraperImageReady")
        XCTAssertEqual(g.edges(from: "ScraperService", to: "ScraperRepository").map(\.kind), [.image], "the pull grant is the image edge")
    }

    func testMLInferenceApiInvokesTheFunction() throws {
        let g = try Self.graph("ml-inference")
        assertEdge(g, "Api", "InferenceFunction", .invokes, label: "POST /predict")
        assertEdge(g, "Api", "UserPool", .authorizer)
        assertEdge(g, "InferenceFunction", "SubmissionsTable", .grant, label: "write")
        assertEdge(g, "InferenceFunction", "InferenceRepository", .image, label: "v1")
        XCTAssertEqual(g.node(path: "InferenceFunction")?.gate, "InferenceImageReady")
    }

    func testSign2TextImportedZoneAndAlias() throws {
        let g = try Self.graph("sign2text")
        assertEdge(g, "Api/DnsRecord", "Api/LoadBalancer", .alias, label: "A")
        assertEdge(g, "Api/LoadBalancer", "Api/Service", .connection, label: "tcp/8000")
        let zone = try XCTUnwrap(g.node(path: "HostedZone"))
        XCTAssertTrue(zone.imported, "the zone is named by id in the config")
        XCTAssertEqual(g.groups.first { $0.id == zone.group }?.kind, .imported)
    }

    func testResourcesLevelHasEveryResourceAndItsReferences() throws {
        let (app, assembly) = try Self.build()
        for name in Self.stacks {
            let stack = try XCTUnwrap(app.stacks.first { $0.stackName == name })
            let artifact = try XCTUnwrap(assembly.stacks.first { $0.stackName == name })
            let g = Diagram.graph(stack, template: artifact.template, level: .resources)
            guard case .object(let resources)? = artifact.template["Resources"] else { return XCTFail("no resources") }
            XCTAssertEqual(g.nodes.filter { $0.kind == .resource }.map(\.path), resources.map(\.0), name)
            XCTAssertFalse(g.edges.isEmpty, name)
        }
        let g = try Self.graph("coral-pipeline", level: .resources)
        let service = try XCTUnwrap(g.nodes.first { $0.type == "AWS::ECS::Service" })
        let task = try XCTUnwrap(g.nodes.first { $0.type == "AWS::ECS::TaskDefinition" })
        XCTAssertTrue(g.edges.contains { $0.from == service.id && $0.to == task.id && $0.kind == .ref })
        XCTAssertTrue(g.edges.contains { $0.from == service.id && $0.kind == .dependsOn }, "the service waits for its listener")
        XCTAssertTrue(g.edges.contains { $0.kind == .getAtt && $0.label.contains("Arn") })
        XCTAssertTrue(g.nodes.contains { $0.gate == "RestorationImageReady" }, "conditional resources carry their condition")
    }

    func testReferencesInSubStrings() {
        let refs = ResourceGraph.subReferences("arn:${AWS::Partition}:s3:::${Bucket}/${Fn.Arn}${!Literal}")
        XCTAssertEqual(refs.map(\.resource), ["Bucket", "Fn"])
        XCTAssertEqual(refs.map(\.attribute), [nil, "Arn"])
    }

    // MARK: - Formats

    func testOutputIsByteIdenticalAcrossRuns() throws {
        for format in [GraphFormat.dot, .mermaid, .json, .markdown] {
            for level in GraphLevel.allCases {
                var outputs: [Data] = []
                for _ in 0..<2 {
                    let (app, assembly) = try Self.build()
                    let graphs = assembly.stacks.map { a in Diagram.graph(app.stacks.first { $0.stackName == a.stackName }!, template: a.template, level: level) }
                    outputs.append(try Diagram.render(graphs, format: format))
                }
                XCTAssertEqual(outputs[0], outputs[1], "\(format) \(level) differs between two runs")
            }
        }
    }

    func testDotAcceptsEveryDiagram() throws {
        XCTAssertNotNil(Graphviz.executable(), Graphviz.missingMessage + " (scripts/test installs it)")
        let (app, assembly) = try Self.build()
        for a in assembly.stacks {
            for level in GraphLevel.allCases {
                let g = Diagram.graph(app.stacks.first { $0.stackName == a.stackName }!, template: a.template, level: level)
                let svg = try Graphviz.render(DotRenderer.render(g), format: "svg")
                let text = String(decoding: svg, as: UTF8.self)
                XCTAssertTrue(text.contains("<svg") && text.contains("</svg>"), "\(a.stackName) \(level)")
                for n in g.nodes { XCTAssertTrue(text.contains(">\(n.id)</title>"), "\(a.stackName): node \(n.id) not drawn") }
            }
        }
        XCTAssertThrowsError(try Graphviz.render("digraph { a -> }")) { error in
            XCTAssertTrue("\(error)".contains("dot -Tsvg failed"), "\(error)")
        }
    }

    func testMermaidParsesWithMermaidsOwnParser() throws {
        let (app, assembly) = try Self.build()
        var texts: [(String, StackGraph)] = []
        for a in assembly.stacks where Self.stacks.contains(a.stackName) {
            for level in GraphLevel.allCases {
                let g = Diagram.graph(app.stacks.first { $0.stackName == a.stackName }!, template: a.template, level: level)
                texts.append((MermaidRenderer.render(g), g))
            }
        }
        let parsed = try MermaidParser.parse(texts.map(\.0))
        for ((_, g), result) in zip(texts, parsed) {
            let name = "\(g.stackName) \(g.level.rawValue)"
            XCTAssertEqual(result.type, "flowchart-v2", name)
            // Mermaid keeps subgraphs among its vertices too.
            XCTAssertEqual(Set(result.vertices).subtracting(result.subgraphs), Set(g.nodes.map(\.id)), name)
            XCTAssertEqual(Set(result.subgraphs), Set(g.groups.map(\.id)), name)
            let drawn = DotRenderer.render(g).components(separatedBy: "\n").filter { $0.contains(" -> ") && !$0.contains("style=invis") }.count
            XCTAssertEqual(result.edges.count, drawn, "\(name): the same edges as the DOT drawing")
            for (from, to) in result.edges {
                XCTAssertTrue(g.node(from) != nil || g.groups.contains { $0.id == from }, "\(name): edge from unknown \(from)")
                XCTAssertTrue(g.node(to) != nil || g.groups.contains { $0.id == to }, "\(name): edge to unknown \(to)")
            }
        }
        // And a broken text is refused, so the parser really checks.
        XCTAssertThrowsError(try MermaidParser.parse(["flowchart LR\n  a -->|x| \n  subgrap b\n"]))
    }

    // MARK: - docs/diagrams

    func testDocsDiagramsAreCurrent() throws {
        let dir = Self.root.appendingPathComponent("docs/diagrams")
        let (app, assembly) = try Self.build()
        for name in Self.stacks {
            let stack = try XCTUnwrap(app.stacks.first { $0.stackName == name })
            let artifact = try XCTUnwrap(assembly.stacks.first { $0.stackName == name })
            let g = Diagram.graph(stack, template: artifact.template, level: .constructs)
            for format in [GraphFormat.markdown, .svg] {
                let file = dir.appendingPathComponent("\(name).\(format.fileExtension)")
                let committed = FileManager.default.contents(atPath: file.path)
                XCTAssertNotNil(committed, "missing \(file.path): run scripts/graphs")
                let current = try Diagram.render(g, format: format)
                XCTAssertEqual(committed, current, "docs/diagrams/\(name).\(format.fileExtension) is not current: run scripts/graphs and commit the result")
            }
        }
    }

    // MARK: - The command

    func testCommandWritesFilesAndRefusesBadOptions() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("infra-graph-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var command = try InfraCommand.parseAsRoot(["graph", "coral-pipeline", "sign2text", "--format", "mermaid", "--output", out.path])
        try command.run()
        for name in ["coral-pipeline", "sign2text"] {
            let text = try String(contentsOf: out.appendingPathComponent("\(name).mmd"), encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("flowchart LR\n"), String(text.prefix(20)))  // both have VPC tiers
        }
        for args in [["graph", "--format", "png"], ["graph", "no-such-stack"], ["graph", "--level", "subnets"]] {
            XCTAssertThrowsError(try { var c = try InfraCommand.parseAsRoot(args); try c.run() }(), "\(args)")
        }
    }
}

/// Mermaid's own parser (mermaid 11, bundled as `mermaid_parser/js/parser.bundle.js` in the pip
/// package `mermaid-parser-py`), run by node.
enum MermaidParser {
    struct Result {
        var type: String
        var vertices: [String]
        var subgraphs: [String]
        var edges: [(String, String)]
    }

    static func bundle() throws -> String {
        let find = try run("/usr/bin/env", ["python3", "-c",
            "import importlib.util, os; s = importlib.util.find_spec('mermaid_parser'); print(os.path.join(os.path.dirname(s.origin), 'js', 'parser.bundle.js') if s else '')"])
        let path = find.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty, FileManager.default.fileExists(atPath: path) else {
            throw GraphError("Mermaid's parser is missing: pip install --no-deps mermaid-parser-py==0.0.4 (scripts/test installs it)")
        }
        return path
    }

    /// Parses each text; throws with the parser's message when one is refused.
    static func parse(_ texts: [String]) throws -> [Result] {
        let bundle = try bundle()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mermaid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for (i, t) in texts.enumerated() {
            let f = dir.appendingPathComponent("\(i).mmd")
            try t.write(to: f, atomically: true, encoding: .utf8)
            files.append(f.path)
        }
        let script = dir.appendingPathComponent("parse.js")
        try """
            const parse = require(process.argv[2]);
            const fs = require('fs');
            (async () => {
              const out = [];
              for (const f of process.argv.slice(3)) {
                try {
                  const r = JSON.parse(await parse(fs.readFileSync(f, 'utf8')));
                  const db = r.graph_data;
                  out.push({type: r.graph_type, vertices: Object.keys(db.vertices || {}),
                            subgraphs: (db.subGraphs || []).map(s => s.id), edges: (db.edges || []).map(e => [e.start, e.end])});
                } catch (e) { console.log(JSON.stringify({error: f + ': ' + e.message})); process.exit(1); }
              }
              console.log(JSON.stringify(out));
            })();
            """.write(to: script, atomically: true, encoding: .utf8)
        let output = try run("/usr/bin/env", ["node", script.path, bundle] + files)
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8))
        if let error = (json as? [String: Any])?["error"] as? String { throw GraphError("mermaid refused \(error)") }
        guard let items = json as? [[String: Any]] else { throw GraphError("unexpected parser output: \(output.prefix(300))") }
        return items.map { item in
            Result(type: item["type"] as? String ?? "",
                   vertices: item["vertices"] as? [String] ?? [],
                   subgraphs: item["subgraphs"] as? [String] ?? [],
                   edges: (item["edges"] as? [[String]] ?? []).map { ($0[0], $0[1]) })
        }
    }

    static func run(_ exe: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if p.terminationStatus != 0 {
            if text.contains("\"error\"") { return text }
            throw GraphError("\(args.first ?? exe) exited \(p.terminationStatus): \(text.prefix(500))")
        }
        return text
    }
}
