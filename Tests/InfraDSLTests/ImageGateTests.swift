import Foundation
import InfraDSL
import XCTest

/// The image gate (see `ImageGate`): parameter and condition of the deploy contract, consumers
/// held back while it is "false", and the same resources as an ungated template when "true".
final class ImageGateTests: XCTestCase {
    /// A service, a queue-driven function, a bucket-notified function and an API function, all
    /// running images of repositories the stack creates.
    private func app(gated: Bool) -> App {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let cluster = Cluster(stack, "Cluster", vpc: vpc)
        let webRepo = Repository(stack, "WebRepository")
        let web = FargateService(stack, "Web", cluster: cluster, taskDefinition: {
            let task = TaskDefinition(stack, "WebTask")
            task.addContainer("web", image: .fromRepository(webRepo, tag: "v1", contextKeys: ["WEB_TAG"], gated: gated))
            return task
        }(), desiredCount: 3)
        _ = web
        let workerRepo = Repository(stack, "WorkerRepository")
        let worker = Function(stack, "WorkerFunction", code: .containerImage(.fromRepository(workerRepo, gated: gated)), timeout: .seconds(30))
        worker.addEventSource(queue: Queue(stack, "Jobs", visibilityTimeout: .seconds(60)))
        Bucket(stack, "Uploads").addEventNotification(.objectCreated, function: worker)
        let caller = Function(stack, "Caller", code: .inline("def handler(e, c): pass"), handler: "index.handler", runtime: .python3_12)
        worker.grantInvoke(caller)
        let api = RestApi(stack, "Api", defaultCors: .init(allowOrigins: ["*"]))
        api.root.addResource("run").addMethod("POST", integration: .lambdaProxy(worker))
        _ = Output(stack, "WorkerName", value: worker.functionName, condition: worker.condition)
        return app
    }

    func testGateParameterConditionAndConsumers() throws {
        let t = try NetT.template(app(gated: true))
        for gate in ["WebImageReady", "WorkerImageReady"] {
            XCTAssertEqual(t["Parameters"]?[gate]?["Type"], "String")
            XCTAssertEqual(t["Parameters"]?[gate]?["Default"], "false")
            XCTAssertEqual(t["Parameters"]?[gate]?["AllowedValues"], ["true", "false"])
            XCTAssertEqual(t["Conditions"]?[gate], ["Fn::Equals": [["Ref": .string(gate)], "true"]])
        }
        XCTAssertEqual(NetT.only(t, "AWS::ECS::Service")["DesiredCount"], ["Fn::If": ["WebImageReady", 3, 0]])
        for type in ["AWS::Lambda::EventSourceMapping", "AWS::Lambda::Permission", "AWS::ApiGateway::Method"] {
            for r in NetT.resources(t, type) where type != "AWS::ApiGateway::Method" || r.value["Properties"]?["HttpMethod"] == "POST" {
                XCTAssertEqual(r.value["Condition"], "WorkerImageReady", "\(type) \(r.id)")
            }
        }
        let fn = try XCTUnwrap(NetT.resources(t, "AWS::Lambda::Function").first { $0.value["Properties"]?["PackageType"] == "Image" })
        XCTAssertEqual(fn.value["Condition"], "WorkerImageReady")
        XCTAssertEqual(t["Outputs"]?["WorkerName"]?["Condition"], "WorkerImageReady")
        // Two API deployments: the full one once the image exists, the one without the method before.
        let deployments = NetT.resources(t, "AWS::ApiGateway::Deployment")
        XCTAssertEqual(deployments.count, 2)
        XCTAssertEqual(Set(deployments.compactMap { $0.value["Condition"]?.stringLiteral }).count, 2)
        // Latest needs mutable tags; v1 stays immutable.
        let mutability = NetT.resources(t, "AWS::ECR::Repository").map { $0.value["Properties"]?["ImageTagMutability"] }
        XCTAssertEqual(Set(mutability.compactMap { $0?.stringLiteral }), ["IMMUTABLE", "MUTABLE"])
    }

    func testManifestListsTheImages() throws {
        let assembly = try app(gated: true).synthesize()
        let images = assembly.stacks[0].images
        XCTAssertEqual(images.count, 2)
        let web = try XCTUnwrap(images.first { $0.parameter == "WebImageReady" })
        XCTAssertEqual(web.path, "S/WebTask")
        XCTAssertEqual(web.tag, "v1")
        XCTAssertEqual(web.contextKeys, ["WEB_TAG"])
        let repoId = NetT.resources(assembly.stacks[0].template, "AWS::ECR::Repository").first { $0.id.hasPrefix("WebRepository") }?.id
        XCTAssertEqual(web.repository, .logicalId(try XCTUnwrap(repoId)))
        let worker = try XCTUnwrap(images.first { $0.parameter == "WorkerImageReady" })
        XCTAssertEqual(worker.path, "S/WorkerFunction")
        XCTAssertEqual(worker.tag, "latest")
        XCTAssertEqual(worker.contextKeys, [])
        // An existing repository: no gate, listed by name for the deployer to check.
        let app = App()
        let stack = Stack(app, "S")
        _ = Function(stack, "F", code: .containerImage(.fromRepository(Repository.imported(stack, "R", name: "team/model"), tag: "v2")))
        let imported = try app.synthesize()
        XCTAssertEqual(imported.stacks[0].images, [.init(path: "S/F", repository: .name("team/model"), tag: "v2")])
        XCTAssertNil(imported.stacks[0].template["Parameters"])
    }

    /// With every gate "true", the template is the ungated one; with "false", nothing that runs
    /// the images exists or runs.
    func testGateTrueBehavesAsBeforeAndFalseHoldsBack() throws {
        let gated = try NetT.template(app(gated: true))
        let ungated = try NetT.template(app(gated: false))
        let ready = Evaluated(gated, ["WebImageReady": "true", "WorkerImageReady": "true"])
        // One difference by design: the notifications custom resource is ordered after a gated
        // function's permission by a conditional reference (`Permissions`) instead of DependsOn.
        XCTAssertEqual(JSONRenderer.render(Self.permissionsAsDependsOn(ready.resources)), JSONRenderer.render(ungated["Resources"]!))
        XCTAssertEqual(JSONRenderer.render(ready.outputs), JSONRenderer.render(ungated["Outputs"]!))
        let waiting = Evaluated(gated, [:])
        let types = waiting.types
        XCTAssertFalse(types.contains("AWS::Lambda::EventSourceMapping"))
        XCTAssertEqual(types.filter { $0 == "AWS::Lambda::Function" }.count, 2, "the caller and the notifications handler only")
        XCTAssertEqual(types.filter { $0 == "AWS::Lambda::Permission" }.count, 0)
        XCTAssertEqual(types.filter { $0 == "AWS::ApiGateway::Method" }.count, 2, "the CORS preflights only")
        XCTAssertEqual(types.filter { $0 == "AWS::ApiGateway::Deployment" }.count, 1)
        XCTAssertEqual(waiting.first("AWS::ECS::Service")?["Properties"]?["DesiredCount"], 0)
        XCTAssertNil(waiting.outputs["WorkerName"])
    }

    static func permissionsAsDependsOn(_ resources: Value) -> Value {
        guard case .object(let items) = resources else { return resources }
        return .object(items.map { id, r in
            guard r["Type"] == "Custom::S3BucketNotifications", case .array(let refs)? = r["Properties"]?["Permissions"],
                  case .object(let pairs) = r, case .object(let props)? = r["Properties"] else { return (id, r) }
            var out: [(String, Value)] = []
            for (k, v) in pairs {
                if k == "Properties" {
                    out.append(("DependsOn", .array(refs.compactMap { $0["Ref"] })))
                    out.append((k, .object(props.filter { $0.0 != "Permissions" })))
                } else {
                    out.append((k, v))
                }
            }
            return (id, .object(out))
        })
    }

    func testAnUnconditionalReferenceToAGatedFunctionIsAnError() {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "F", code: .containerImage(.fromRepository(Repository(stack, "R"))))
        _ = Output(stack, "Name", value: fn.functionName)
        NetT.assertError(app, "references 'S/F/Resource', which exists only when condition 'FImageReady' holds")
    }

    func testImmutableRepositoryWithLatestIsAnError() {
        let app = App()
        let stack = Stack(app, "S")
        let repo = Repository(stack, "R", tagMutability: .immutable)
        _ = Function(stack, "F", code: .containerImage(.fromRepository(repo)))
        NetT.assertError(app, "S/R: an image runs the tag 'latest' from this repository, whose tags are immutable")
    }
}

/// A template as CloudFormation sees it for given parameter values: conditions evaluated,
/// resources and outputs with a false condition dropped, `Fn::If` resolved, `AWS::NoValue` removed.
private struct Evaluated {
    var resources: Value = .object([])
    var outputs: Value = .object([])
    var conditions: [String: Bool] = [:]

    init(_ t: Value, _ parameters: [String: String]) {
        var values: [String: String] = [:]
        if case .object(let ps)? = t["Parameters"] {
            for (k, v) in ps { values[k] = parameters[k] ?? v["Default"]?.stringLiteral }
        }
        if case .object(let cs)? = t["Conditions"] {
            var pending = cs
            while !pending.isEmpty {
                pending.removeAll { (k, v) in
                    guard let b = Self.condition(v, values, conditions) else { return false }
                    conditions[k] = b
                    return true
                }
            }
        }
        func section(_ name: String) -> Value {
            guard case .object(let items)? = t[name] else { return .object([]) }
            return .object(items.compactMap { (k, v) -> (String, Value)? in
                if let c = v["Condition"]?.stringLiteral, conditions[c] != true { return nil }
                guard case .object(let pairs) = v else { return (k, v) }
                return (k, resolve(.object(pairs.filter { $0.0 != "Condition" })) ?? .null)
            })
        }
        resources = section("Resources")
        outputs = section("Outputs")
    }

    var types: [String] {
        guard case .object(let items) = resources else { return [] }
        return items.compactMap { $0.1["Type"]?.stringLiteral }
    }

    func first(_ type: String) -> Value? {
        guard case .object(let items) = resources else { return nil }
        return items.first { $0.1["Type"]?.stringLiteral == type }?.1
    }

    static func condition(_ v: Value, _ values: [String: String], _ known: [String: Bool]) -> Bool? {
        guard case .object(let pairs) = v, pairs.count == 1 else { return nil }
        let (name, arg) = pairs[0]
        switch (name, arg) {
        case ("Condition", .string(let c)): return known[c]
        case ("Fn::Equals", .array(let ab)) where ab.count == 2:
            func scalar(_ x: Value) -> String? {
                if case .string(let s) = x { return s }
                if let r = x["Ref"]?.stringLiteral { return values[r] }
                return nil
            }
            guard let a = scalar(ab[0]), let b = scalar(ab[1]) else { return nil }
            return a == b
        case ("Fn::Not", .array(let items)) where items.count == 1:
            return condition(items[0], values, known).map { !$0 }
        case ("Fn::And", .array(let items)):
            let r = items.map { condition($0, values, known) }
            return r.contains(where: { $0 == nil }) ? nil : r.allSatisfy { $0 == true }
        case ("Fn::Or", .array(let items)):
            let r = items.map { condition($0, values, known) }
            return r.contains(where: { $0 == nil }) ? nil : r.contains { $0 == true }
        default: return nil
        }
    }

    /// nil: the value is `AWS::NoValue` (removed).
    func resolve(_ v: Value) -> Value? {
        switch v {
        case .object(let pairs):
            if pairs.count == 1, pairs[0].0 == "Ref", pairs[0].1 == "AWS::NoValue" { return nil }
            if pairs.count == 1, pairs[0].0 == "Fn::If", case .array(let args) = pairs[0].1, args.count == 3,
               let c = args[0].stringLiteral {
                return resolve(conditions[c] == true ? args[1] : args[2])
            }
            return .object(pairs.compactMap { k, x in resolve(x).map { (k, $0) } })
        case .array(let items):
            return .array(items.compactMap(resolve))
        default:
            return v
        }
    }
}

