import Foundation
import InfraCore

/// A synthesized CloudFormation template to assert on, in the spirit of CDK's
/// `Template.fromStack`: resources by type and properties, counts, outputs, lookups by construct
/// path. A failed assertion reports through `report` (XCTest or Swift Testing, see `Failure`)
/// with the nearest candidates and the property paths that differ.
///
/// ```swift
/// let t = try Template(stack: stack)
/// t.resourceCountIs("AWS::SQS::Queue", 2)
/// t.hasResourceProperties("AWS::SQS::Queue", ["RedrivePolicy": ["maxReceiveCount": 5]])
/// let q = t.resource(at: "Jobs")          // the L2 queue's resource, whatever its logical id
/// ```
public struct Template {
    /// The template (resolved: references are `{"Ref": id}` objects).
    public let json: Value
    /// The stack's name (empty for `Template(json:)`).
    public let stackName: String
    /// The stack's construct id (empty for `Template(json:)`).
    public private(set) var stackId: String
    /// Construct paths below the stack -> logical ids of the elements there.
    public let logicalIds: [(path: String, logicalId: String)]
    /// Where failures go; by default `Failure.record` (XCTFail, or Swift Testing's issue).
    public var report: @Sendable (_ message: String, _ file: StaticString, _ line: UInt) -> Void = Failure.record

    /// The template of `stack`, synthesized with the rest of its app. Throws `SynthesisError`
    /// (its diagnostics name the construct paths) when the app does not synthesize.
    public init(stack: Stack) throws {
        let assembly = try stack.app.synthesize()
        guard let artifact = assembly.stacks.first(where: { $0.id == stack.id || $0.stackName == stack.stackNameForTesting }) else {
            throw AssemblyError("stack '\(stack.path)' is not in the synthesized assembly")
        }
        self.init(json: artifact.template, stackName: artifact.stackName, logicalIds: Self.paths(of: stack))
        self.stackId = stack.id
    }

    /// The template of the stack named `stack` (its id or stack name) in `app`, or its only stack.
    public init(app: App, stack name: String? = nil) throws {
        let stacks = app.stacks
        let chosen: Stack
        if let name {
            guard let s = stacks.first(where: { $0.id == name || $0.stackNameForTesting == name }) else {
                throw AssemblyError("no stack '\(name)' in the app (stacks: \(stacks.map(\.id).joined(separator: ", ")))")
            }
            chosen = s
        } else {
            guard stacks.count == 1 else {
                throw AssemblyError("the app has \(stacks.count) stacks (\(stacks.map(\.id).joined(separator: ", "))): name one with Template(app:stack:)")
            }
            chosen = stacks[0]
        }
        try self.init(stack: chosen)
    }

    /// A template from its JSON value (e.g. read from a file), without construct paths.
    public init(json: Value, stackName: String = "", logicalIds: [(path: String, logicalId: String)] = []) {
        self.json = json
        self.stackName = stackName
        self.stackId = ""
        self.logicalIds = logicalIds
    }

    /// A template from JSON text.
    public init(jsonText: String) throws {
        self.init(json: try JSONParser.parse(jsonText))
    }

    // MARK: Lookups

    /// Every resource: logical id and body (`Type`, `Properties`, `DependsOn`, ...), in template order.
    public var resources: [(logicalId: String, body: Value)] {
        guard case .object(let pairs)? = json["Resources"] else { return [] }
        return pairs.map { (logicalId: $0.0, body: $0.1) }
    }

    /// The resources of `type`.
    public func resources(ofType type: String) -> [(logicalId: String, body: Value)] {
        resources.filter { $0.body["Type"] == .string(type) }
    }

    /// The resources of `type` whose properties match `properties`.
    public func findResources(_ type: String, _ properties: Match = .anyValue()) -> [(logicalId: String, body: Value)] {
        resources(ofType: type).filter { properties.test($0.body["Properties"] ?? .object([]), "/Properties").isEmpty }
    }

    /// The outputs: name and body (`Value`, `Export`, `Description`, ...).
    public var outputs: [(name: String, body: Value)] {
        guard case .object(let pairs)? = json["Outputs"] else { return [] }
        return pairs.map { (name: $0.0, body: $0.1) }
    }

    /// The construct path (below the stack) of a logical id, when known.
    public func path(ofLogicalId id: String) -> String? {
        logicalIds.first { $0.logicalId == id }?.path
    }

    /// The logical id of the element at construct `path` (below the stack, e.g. `Jobs` or
    /// `Worker/ServiceRole`; a leading `<stack id>/` is accepted). An L2 construct resolves to its
    /// `Resource` (or `Default`) child, or to its only resource. Nil when nothing is there.
    public func logicalId(at path: String) -> String? {
        let p = normalize(path)
        if let exact = logicalIds.first(where: { $0.path == p }) { return exact.logicalId }
        for child in ["Resource", "Default"] {
            if let e = logicalIds.first(where: { $0.path == p + "/" + child }) { return e.logicalId }
        }
        let below = logicalIds.filter { $0.path.hasPrefix(p + "/") && resourceBody($0.logicalId) != nil }
        return below.count == 1 ? below[0].logicalId : nil
    }

    /// The resource at construct `path` (see `logicalId(at:)`); reports a failure listing the
    /// paths that exist near it when there is none.
    @discardableResult
    public func resource(at path: String, file: StaticString = #filePath, line: UInt = #line) -> (logicalId: String, body: Value)? {
        if let id = logicalId(at: path), let body = resourceBody(id) { return (id, body) }
        report(pathFailure(path), file, line)
        return nil
    }

    /// The properties of the resource at construct `path` ({} when it has none; nil with a failure when there is no resource).
    public func properties(at path: String, file: StaticString = #filePath, line: UInt = #line) -> Value? {
        resource(at: path, file: file, line: line).map { $0.body["Properties"] ?? .object([]) }
    }

    func resourceBody(_ id: String) -> Value? { json["Resources"]?[id] }

    /// Strips a leading `/` and a leading `<stack id or name>/`.
    func normalize(_ path: String) -> String {
        var p = path.hasPrefix("/") ? String(path.dropFirst()) : path
        for prefix in [stackId, stackName] where !prefix.isEmpty && p.hasPrefix(prefix + "/") {
            let rest = String(p.dropFirst(prefix.count + 1))
            if !logicalIds.contains(where: { $0.path == p || $0.path.hasPrefix(p + "/") }) { p = rest; break }
        }
        return p
    }

    func pathFailure(_ path: String) -> String {
        let p = normalize(path)
        if logicalIds.isEmpty {
            return "no construct paths are known for this template (Template(json:)); look resources up by type"
        }
        let parent = p.split(separator: "/").dropLast().joined(separator: "/")
        var near = logicalIds.filter { parent.isEmpty || $0.path.hasPrefix(parent + "/") }.map(\.path)
        if near.isEmpty { near = logicalIds.map(\.path) }
        let depth = p.split(separator: "/").count
        func score(_ candidate: String) -> Int {
            let head = candidate.split(separator: "/").prefix(depth).joined(separator: "/")
            return min(Self.distance(candidate, p), Self.distance(head, p))
        }
        let scored: [(path: String, score: Int)] = near.map { (path: $0, score: score($0)) }
        let sorted = scored.sorted { (a: (path: String, score: Int), b: (path: String, score: Int)) -> Bool in
            a.score != b.score ? a.score < b.score : a.path < b.path
        }
        let ranked: [String] = sorted.prefix(8).map { $0.path }
        return "no resource at construct path '\(p)'\(stackName.isEmpty ? "" : " in stack \(stackName)"); nearest paths: \(ranked.joined(separator: ", "))"
    }

    // MARK: Assertions

    /// Passes when a resource of `type` has properties matching `properties` (a dictionary
    /// literal matches partially: see `Match`). The failure names the closest resource of that
    /// type (by construct path) and every property path that differs.
    public func hasResourceProperties(_ type: String, _ properties: Match, file: StaticString = #filePath, line: UInt = #line) {
        if let message = failure(type: type, part: "Properties", properties) { report(message, file, line) }
    }

    /// Passes when a resource of `type` matches `resource` as a whole (`Type`, `Properties`,
    /// `DeletionPolicy`, `DependsOn`, `Condition`, ...).
    public func hasResource(_ type: String, _ resource: Match, file: StaticString = #filePath, line: UInt = #line) {
        if let message = failure(type: type, part: nil, resource) { report(message, file, line) }
    }

    /// Passes when no resource of `type` matches `properties`.
    public func hasNoResource(_ type: String, _ properties: Match = .anyValue(), file: StaticString = #filePath, line: UInt = #line) {
        let found = findResources(type, properties)
        if !found.isEmpty {
            report("expected no \(type) matching \(properties.name), found \(found.map { describe($0.logicalId) }.joined(separator: ", "))", file, line)
        }
    }

    /// Passes when the template holds exactly `count` resources of `type`.
    public func resourceCountIs(_ type: String, _ count: Int, file: StaticString = #filePath, line: UInt = #line) {
        let found = resources(ofType: type)
        if found.count != count {
            var message = "expected \(count) resource\(count == 1 ? "" : "s") of type \(type), found \(found.count)"
            if !found.isEmpty { message += ": " + found.map { describe($0.logicalId) }.joined(separator: ", ") }
            else { message += typeHint(type) }
            report(message, file, line)
        }
    }

    /// Passes when the resource at construct `path` has properties matching `properties`.
    public func hasProperties(at path: String, _ properties: Match, file: StaticString = #filePath, line: UInt = #line) {
        guard let r = resource(at: path, file: file, line: line) else { return }
        let m = properties.test(r.body["Properties"] ?? .object([]), "/Properties")
        if !m.isEmpty {
            report("the resource at '\(normalize(path))' (\(r.logicalId), \(r.body["Type"]?.stringLiteral ?? "?")) does not match:\n"
                   + m.map { "  " + $0.description }.joined(separator: "\n"), file, line)
        }
    }

    /// Passes when an output named `name` (a glob: `"QueueUrl*"`) matches `output` (its body:
    /// `["Value": ..., "Export": ...]`).
    public func hasOutput(_ name: String, _ output: Match = .anyValue(), file: StaticString = #filePath, line: UInt = #line) {
        let named = outputs.filter { Match.globMatch(Array(name), Array($0.name)) }
        if named.isEmpty {
            report("no output named '\(name)' (outputs: \(outputs.map(\.name).joined(separator: ", ").ifEmpty("none")))", file, line)
            return
        }
        let tried = named.map { (name: $0.name, m: output.test($0.body, "")) }
        if tried.contains(where: { $0.m.isEmpty }) { return }
        let best = tried.min { $0.m.count < $1.m.count }!
        report("output '\(best.name)' does not match \(output.name):\n" + best.m.map { "  " + $0.description }.joined(separator: "\n"), file, line)
    }

    /// Passes when the template (as a whole) matches `pattern`, e.g. `["Parameters": ["Env": .anyValue()]]`.
    public func templateMatches(_ pattern: Match, file: StaticString = #filePath, line: UInt = #line) {
        let m = pattern.test(json, "")
        if !m.isEmpty { report("the template does not match:\n" + m.map { "  " + $0.description }.joined(separator: "\n"), file, line) }
    }

    // MARK: Failure messages

    /// The failure message of `hasResourceProperties` / `hasResource` (nil when one matches).
    func failure(type: String, part: String?, _ pattern: Match) -> String? {
        let candidates = resources(ofType: type)
        if candidates.isEmpty {
            return "no resource of type \(type) in the template" + typeHint(type)
        }
        let tried = candidates.map { c -> (id: String, m: [Mismatch]) in
            let value = part.map { c.body[$0] ?? .object([]) } ?? c.body
            return (c.logicalId, pattern.test(value, part.map { "/" + $0 } ?? ""))
        }
        if tried.contains(where: { $0.m.isEmpty }) { return nil }
        let ranked = tried.sorted { $0.m.count < $1.m.count }
        let best = ranked[0]
        var lines = ["no \(type) matches (\(candidates.count) of that type). Closest: \(describe(best.id)), \(best.m.count) difference\(best.m.count == 1 ? "" : "s"):"]
        lines += best.m.prefix(20).map { "  " + $0.description }
        if best.m.count > 20 { lines.append("  ... \(best.m.count - 20) more") }
        if ranked.count > 1 {
            lines.append("others: " + ranked.dropFirst().prefix(5).map { "\(describe($0.id)) (\($0.m.count))" }.joined(separator: ", ")
                         + (ranked.count > 6 ? ", ..." : ""))
        }
        return lines.joined(separator: "\n")
    }

    /// `LogicalId (path)` when the path is known.
    func describe(_ id: String) -> String {
        path(ofLogicalId: id).map { "\(id) (\($0))" } ?? id
    }

    /// The types of the template nearest to a missing one.
    func typeHint(_ type: String) -> String {
        let types = Array(Set(resources.compactMap { $0.body["Type"]?.stringLiteral })).sorted()
        if types.isEmpty { return " (it has no resources)" }
        let near = types.sorted { Self.distance($0.lowercased(), type.lowercased()) < Self.distance($1.lowercased(), type.lowercased()) }.prefix(3)
        return " (types present, nearest first: \(near.joined(separator: ", "))\(types.count > 3 ? ", ..." : ""))"
    }

    /// Levenshtein distance (for "nearest" hints).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var prev = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where j <= b.count {
                let tmp = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = tmp
            }
        }
        return row[b.count]
    }

    /// The stack-relative paths of the stack's template elements.
    static func paths(of stack: Stack) -> [(path: String, logicalId: String)] {
        var out: [(String, String)] = []
        let prefix = stack.path + "/"
        func walk(_ c: Construct) {
            for child in c.children {
                if child is Stack { continue }  // a nested stack has its own template
                if let e = child as? TemplateElement {
                    out.append((String(e.path.dropFirst(prefix.count)), e.logicalId))
                }
                walk(child)
            }
        }
        walk(stack)
        return out
    }
}

extension Stack {
    /// The stack's deployed name (for matching assembly artifacts).
    var stackNameForTesting: String { stackName }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
