import Foundation
import InfraContract
import InfraCore

/// The differences between a deployed template and a new one: resources added, removed and
/// changed property by property (marking the changes that replace the resource, from the
/// resource schemas' create-only properties), the other sections, and the security changes.
public struct TemplateDiff: Sendable {
    public enum Kind: String, Sendable { case added = "+", removed = "-", modified = "~" }

    /// Whether a change replaces the resource.
    public enum Replacement: Int, Sendable, Comparable {
        case never = 0, conditional = 1, always = 2
        public static func < (a: Replacement, b: Replacement) -> Bool { a.rawValue < b.rawValue }
    }

    public struct PropertyChange: Sendable {
        /// `Properties.VpcConfig.SubnetIds`, `DeletionPolicy`, `Type`, ...
        public var path: String
        public var old: String
        public var new: String
        public var kind: Kind
        public var replacement: Replacement
    }

    public struct ResourceDifference: Sendable {
        public var logicalId: String
        public var type: String
        public var kind: Kind
        public var changes: [PropertyChange]
        public var replacement: Replacement { changes.map(\.replacement).max() ?? .never }
    }

    /// A parameter, output, condition, mapping or other top-level entry.
    public struct EntryDifference: Sendable {
        public var section: String
        public var name: String
        public var kind: Kind
        public var old: String
        public var new: String
    }

    public var resources: [ResourceDifference] = []
    public var others: [EntryDifference] = []
    public var security = SecurityChanges()

    public var isEmpty: Bool { resources.isEmpty && others.isEmpty }

    /// Compares two templates; `old` nil means the stack is not deployed (everything is added).
    public static func compare(old: Value?, new: Value?) -> TemplateDiff {
        var diff = TemplateDiff()
        for section in ["AWSTemplateFormatVersion", "Description", "Transform", "Metadata"] {
            let a = old?[section], b = new?[section]
            if !TemplateDocument.equal(a, b) {
                diff.others.append(EntryDifference(section: section, name: section,
                                                   kind: a == nil ? .added : b == nil ? .removed : .modified,
                                                   old: TemplateDocument.show(a), new: TemplateDocument.show(b)))
            }
        }
        for section in ["Parameters", "Mappings", "Conditions", "Rules", "Outputs"] {
            let a = TemplateDocument.section(old, section), b = TemplateDocument.section(new, section)
            for (name, kind, x, y) in entries(a, b) {
                diff.others.append(EntryDifference(section: section, name: name, kind: kind,
                                                   old: TemplateDocument.show(x), new: TemplateDocument.show(y)))
            }
        }
        let a = TemplateDocument.section(old, "Resources"), b = TemplateDocument.section(new, "Resources")
        for (id, kind, x, y) in entries(a, b) {
            let type = y?["Type"]?.stringLiteral ?? x?["Type"]?.stringLiteral ?? "?"
            switch kind {
            case .added, .removed:
                diff.resources.append(ResourceDifference(logicalId: id, type: type, kind: kind, changes: []))
            case .modified:
                diff.resources.append(ResourceDifference(logicalId: id, type: type, kind: .modified,
                                                         changes: resourceChanges(x!, y!)))
            }
        }
        diff.security = SecurityChanges.compare(old: old, new: new)
        return diff
    }

    /// Entries of two sections that differ: (name, kind, old, new), old order first.
    private static func entries(_ a: [(String, Value)], _ b: [(String, Value)]) -> [(String, Kind, Value?, Value?)] {
        var out: [(String, Kind, Value?, Value?)] = []
        for (k, v) in a {
            if let w = b.first(where: { $0.0 == k })?.1 {
                if !TemplateDocument.equal(v, w) { out.append((k, .modified, v, w)) }
            } else {
                out.append((k, .removed, v, nil))
            }
        }
        for (k, w) in b where !a.contains(where: { $0.0 == k }) {
            out.append((k, .added, nil, w))
        }
        return out
    }

    private static func resourceChanges(_ old: Value, _ new: Value) -> [PropertyChange] {
        var out: [PropertyChange] = []
        let oldType = old["Type"]?.stringLiteral ?? "", newType = new["Type"]?.stringLiteral ?? ""
        if oldType != newType {
            out.append(PropertyChange(path: "Type", old: oldType, new: newType, kind: .modified, replacement: .always))
        }
        let spec = ResourceSpecs.spec(newType)
        let oldProps = old["Properties"] ?? .object([]), newProps = new["Properties"] ?? .object([])
        var leaves: [([String], Value?, Value?)] = []
        collect(oldProps, newProps, path: [], into: &leaves)
        for (path, x, y) in leaves {
            var replacement = Replacement.never
            if let spec {
                if affects(spec.createOnlyProperties, path, oldProps, newProps) {
                    replacement = .always
                } else if affects(spec.conditionalCreateOnlyProperties, path, oldProps, newProps) {
                    replacement = .conditional
                }
            }
            out.append(PropertyChange(path: (["Properties"] + path).joined(separator: "."),
                                      old: TemplateDocument.show(x), new: TemplateDocument.show(y),
                                      kind: x == nil ? .added : y == nil ? .removed : .modified,
                                      replacement: replacement))
        }
        for attribute in ["DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata",
                          "CreationPolicy", "UpdatePolicy"] {
            let x = old[attribute], y = new[attribute]
            if !TemplateDocument.equal(x, y) {
                out.append(PropertyChange(path: attribute, old: TemplateDocument.show(x), new: TemplateDocument.show(y),
                                          kind: x == nil ? .added : y == nil ? .removed : .modified,
                                          replacement: .never))
            }
        }
        return out
    }

    /// The differing leaves of two values: objects are descended into (while both sides are
    /// objects), anything else is compared whole.
    private static func collect(_ a: Value?, _ b: Value?, path: [String], into out: inout [([String], Value?, Value?)]) {
        if TemplateDocument.equal(a, b) { return }
        if case .object(let x)? = a, case .object(let y)? = b,
           path.isEmpty || (!isIntrinsic(a!) && !isIntrinsic(b!)) {
            for (k, v) in x { collect(v, y.first { $0.0 == k }?.1, path: path + [k], into: &out) }
            for (k, w) in y where !x.contains(where: { $0.0 == k }) { out.append((path + [k], nil, w)) }
            return
        }
        out.append((path, a, b))
    }

    /// `{"Ref": ...}`, `{"Fn::...": ...}`: compared whole, never descended into.
    static func isIntrinsic(_ v: Value) -> Bool {
        guard case .object(let pairs) = v, pairs.count == 1 else { return false }
        return pairs[0].0 == "Ref" || pairs[0].0.hasPrefix("Fn::") || pairs[0].0 == "Condition"
    }

    /// Whether a change at `path` touches one of the schema paths (`VpcConfig/SubnetIds`,
    /// `Tags/*/Key`) and the values there really differ.
    private static func affects(_ schemaPaths: [String], _ path: [String], _ old: Value, _ new: Value) -> Bool {
        for sp in schemaPaths {
            let parts = sp.split(separator: "/").map(String.init)
            let n = min(parts.count, path.count)
            let overlap = (0..<n).allSatisfy { parts[$0] == "*" || parts[$0] == path[$0] }
            guard overlap else { continue }
            if !TemplateDocument.equal(.array(values(old, parts[...])), .array(values(new, parts[...]))) { return true }
        }
        return false
    }

    /// The values found at a schema path (`*` = every element of an array).
    private static func values(_ v: Value?, _ parts: ArraySlice<String>) -> [Value] {
        guard let v else { return [.null] }
        guard let first = parts.first else { return [v] }
        if first == "*" {
            guard case .array(let items) = v else { return [v] }
            return items.flatMap { values($0, parts.dropFirst()) }
        }
        guard case .object = v else { return [v] }
        return values(v[first], parts.dropFirst())
    }

    // MARK: Rendering

    /// The diff as lines (empty diff: one line saying so).
    public func render(color: Bool = false) -> [String] {
        if isEmpty { return ["(no differences)"] }
        var out: [String] = []
        let sections = ["AWSTemplateFormatVersion", "Description", "Transform", "Metadata", "Parameters", "Mappings",
                        "Conditions", "Rules"]
        for section in sections {
            let entries = others.filter { $0.section == section }
            guard !entries.isEmpty else { continue }
            out.append(section)
            for e in entries { out += entryLines(e, color: color) }
        }
        if !resources.isEmpty {
            out.append("Resources")
            for r in resources {
                var head = "[\(r.kind.rawValue)] \(r.type) \(r.logicalId)"
                switch r.replacement {
                case .always: head += " (replaces the resource)"
                case .conditional: head += " (may replace the resource)"
                case .never: break
                }
                out.append(paint(head, r.kind, replacement: r.replacement, color: color))
                for (i, c) in r.changes.enumerated() {
                    let branch = i == r.changes.count - 1 ? " └─" : " ├─"
                    let cont = i == r.changes.count - 1 ? "   " : " │ "
                    var label = "\(branch) [\(c.kind.rawValue)] \(c.path)"
                    if c.replacement == .always { label += " (replacement)" }
                    if c.replacement == .conditional { label += " (may cause replacement)" }
                    if c.kind == .modified && c.old.count + c.new.count < 70 {
                        out.append("\(label): \(c.old) → \(c.new)")
                    } else {
                        out.append(label)
                        if c.kind != .added { out.append(paint("\(cont)    - \(c.old)", .removed, color: color)) }
                        if c.kind != .removed { out.append(paint("\(cont)    + \(c.new)", .added, color: color)) }
                    }
                }
            }
        }
        let outputs = others.filter { $0.section == "Outputs" }
        if !outputs.isEmpty {
            out.append("Outputs")
            for e in outputs { out += entryLines(e, color: color) }
        }
        return out
    }

    private func entryLines(_ e: EntryDifference, color: Bool) -> [String] {
        switch e.kind {
        case .added: return [paint("[+] \(e.name): \(e.new)", .added, color: color)]
        case .removed: return [paint("[-] \(e.name)", .removed, color: color)]
        case .modified:
            if e.old.count + e.new.count < 70 { return ["[~] \(e.name): \(e.old) → \(e.new)"] }
            return ["[~] \(e.name)", paint("     - \(e.old)", .removed, color: color),
                    paint("     + \(e.new)", .added, color: color)]
        }
    }

    private func paint(_ s: String, _ kind: Kind, replacement: Replacement = .never, color: Bool) -> String {
        guard color else { return s }
        if replacement == .always { return ANSI.red(s, true) }
        switch kind {
        case .added: return ANSI.green(s, true)
        case .removed: return ANSI.red(s, true)
        case .modified: return ANSI.yellow(s, true)
        }
    }
}
