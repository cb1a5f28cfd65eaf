import InfraDSL

/// The output formats of `infra graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    /// Graphviz DOT text.
    case dot
    /// Mermaid flowchart text (renders where Markdown renders Mermaid).
    case mermaid
    /// SVG drawn by Graphviz `dot` (Debian package `graphviz`).
    case svg
    /// The diagram's nodes, edges and groups as JSON.
    case json
    /// A Markdown page holding the Mermaid diagram and a link to the SVG next to it.
    case markdown

    /// The file extension of the format.
    public var fileExtension: String {
        switch self {
        case .dot: return "dot"
        case .mermaid: return "mmd"
        case .svg: return "svg"
        case .json: return "json"
        case .markdown: return "md"
        }
    }
}

// MARK: - DOT

extension StackGraph {
    /// Left to right when a VPC has several tiers (clients, public, private and isolated subnets
    /// read in the order traffic enters); top to bottom otherwise, which keeps serverless
    /// pipelines (queue -> function -> topic -> ...) from growing into one long row.
    var direction: String {
        let tiered = groups.contains { vpc in vpc.kind == .vpc && groups.filter { $0.parent == vpc.id && $0.kind == .tier }.count >= 2 }
        return tiered || level == .resources ? "LR" : "TB"
    }
}

/// Graphviz DOT: clusters for groups, HTML labels (name in bold, kind and details below),
/// left to right so clients, public, private and isolated tiers read in the order traffic flows.
public enum DotRenderer {
    public static func render(_ g: StackGraph) -> String {
        var out = "digraph \(quote(g.stackName)) {\n"
        let title = "\(g.stackName) · \(g.level.rawValue)"
        let large = g.nodes.count > 60
        out += "  graph [rankdir=\(g.direction), compound=true, newrank=true, fontname=\"Helvetica\", fontsize=13, labelloc=t, labeljust=l,\n"
        out += "         nodesep=\(large ? "0.18" : "0.3"), ranksep=\(large ? "0.5" : "0.7"), pad=0.25, label=<<B>\(html(title))</B>>];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=11, penwidth=1.2, margin=\"0.14,0.06\"];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n"

        func emitNode(_ n: GraphNode, indent: String) {
            let p = Style.palette(n)
            let (shape, rounded) = Style.dotShape(n)
            var style = ["filled"]
            if rounded { style.append("rounded") }
            if n.imported { style.append("dashed") }
            var attrs = "shape=\(shape), style=\"\(style.joined(separator: ","))\", fillcolor=\"\(p.fill)\", color=\"\(p.stroke)\""
            if n.gate != nil && g.level == .constructs { attrs += ", peripheries=2" }
            // Shapes that grow around their label get a smaller margin.
            if ["hexagon", "octagon", "doubleoctagon", "parallelogram", "invtrapezium"].contains(shape) { attrs += ", margin=\"0.03,0.03\"" }
            out += "\(indent)\(n.id) [label=<\(nodeLabel(n, level: g.level))>, \(attrs)];\n"
        }
        func emitGroup(_ group: GraphGroup, indent: String) {
            let look = groupLook(group)
            out += "\(indent)subgraph cluster_\(group.id) {\n"
            out += "\(indent)  label=<<B>\(html(group.label))</B>>; fontsize=11; labeljust=l;\n"
            out += "\(indent)  style=\"\(look.style)\"; color=\"\(look.color)\"; bgcolor=\"\(look.background)\"; penwidth=1.2;\n"
            for n in g.nodes where n.group == group.id { emitNode(n, indent: indent + "  ") }
            for child in g.groups where child.parent == group.id { emitGroup(child, indent: indent + "  ") }
            out += "\(indent)}\n"
        }
        for group in g.groups where group.parent == nil { emitGroup(group, indent: "  ") }
        for n in g.nodes where n.group == nil { emitNode(n, indent: "  ") }

        for e in g.drawnEdges() {
            let look = Style.edge(e.kind)
            var attrs = ["color=\"\(look.color)\"", "penwidth=\(look.width)"]
            if look.line != "solid" { attrs.append("style=\(look.line)") }
            let text = Style.edgeText(e)
            if !text.isEmpty { attrs.append("label=\(quote(text))"); attrs.append("fontcolor=\"\(look.color == "#8A8A8A" ? "#555555" : look.color)\"") }
            if let group = e.toGroup { attrs.append("lhead=cluster_\(group)") }
            if let group = e.fromGroup { attrs.append("ltail=cluster_\(group)") }
            // An edge to a whole group would pull its members after the grantee: not a rank constraint.
            if e.toGroup != nil || e.fromGroup != nil { attrs.append("constraint=false") }
            out += "  \(e.from) -> \(e.to) [\(attrs.joined(separator: ", "))];\n"
        }
        // Tiers read left to right in the order traffic enters: public, private, isolated.
        for vpc in g.groups where vpc.kind == .vpc {
            var firsts: [String] = []
            for tier in ["public", "private", "isolated"] {
                if let n = g.nodes.first(where: { $0.group == vpc.id + "_" + tier }) { firsts.append(n.id) }
            }
            for (a, b) in zip(firsts, firsts.dropFirst()) { out += "  \(a) -> \(b) [style=invis];\n" }
        }
        out += "}\n"
        return out
    }

    static func nodeLabel(_ n: GraphNode, level: GraphLevel) -> String {
        var s = "<B>\(html(n.name))</B>"
        var lines: [String] = []
        switch level {
        case .constructs:
            if n.kind != .resource && n.kind != .internet { lines.append(n.kind.title) }
            lines += n.details
            if n.imported { lines.append("existing (imported)") }
        case .resources:
            lines += n.details
        }
        for l in lines { s += "<BR/><FONT POINT-SIZE=\"9\" COLOR=\"#444444\">\(html(l))</FONT>" }
        if let gate = n.gate {
            let text = level == .constructs ? "image gate \(gate)" : "Condition \(gate)"
            s += "<BR/><FONT POINT-SIZE=\"9\" COLOR=\"#B35900\"><I>\(html(text))</I></FONT>"
        }
        return s
    }

    static func groupLook(_ g: GraphGroup) -> (style: String, color: String, background: String) {
        switch g.kind {
        case .vpc: return (g.imported ? "rounded,dashed" : "rounded", "#7A3FE0", "#FBF9FF")
        case .tier:
            let bg = g.id.hasSuffix("_public") ? "#EEF6FF" : g.id.hasSuffix("_isolated") ? "#F3F3F3" : "#F2FAEE"
            return (g.imported ? "rounded,dashed" : "rounded", "#9A9A9A", bg)
        case .sameAccess: return ("rounded", "#3F8624", "#F7FBF4")
        case .imported: return ("rounded,dashed", "#666666", "#FFFFFF")
        case .construct: return ("rounded", "#BBBBBB", "#FAFAFA")
        }
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    static func html(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

// MARK: - Mermaid

/// A Mermaid flowchart: subgraphs for groups, shapes by kind, classes for colours, link styles
/// for edge kinds. Only syntax GitHub's renderer accepts (quoted labels, `<br/>` line breaks).
public enum MermaidRenderer {
    public static func render(_ g: StackGraph) -> String {
        var out = "flowchart \(g.direction)\n"
        out += "  %% \(g.stackName) · \(g.level.rawValue) (infra graph)\n"
        func emitNode(_ n: GraphNode, indent: String) {
            let (open, close) = Style.mermaidShape(n)
            out += "\(indent)\(n.id)\(open)\"\(nodeLabel(n, level: g.level))\"\(close)\n"
        }
        func emitGroup(_ group: GraphGroup, indent: String) {
            out += "\(indent)subgraph \(group.id)[\"\(text(group.label))\"]\n"
            for n in g.nodes where n.group == group.id { emitNode(n, indent: indent + "  ") }
            for child in g.groups where child.parent == group.id { emitGroup(child, indent: indent + "  ") }
            out += "\(indent)end\n"
        }
        for group in g.groups where group.parent == nil { emitGroup(group, indent: "  ") }
        for n in g.nodes where n.group == nil { emitNode(n, indent: "  ") }

        let drawn = g.drawnEdges()
        for e in drawn {
            let look = Style.edge(e.kind)
            let label = Style.edgeText(e)
            let target = e.toGroup ?? e.to
            out += "  \(e.fromGroup ?? e.from) \(look.mermaidArrow)" + (label.isEmpty ? " " : "|\"\(text(label))\"| ") + "\(target)\n"
        }

        // Colours: one class per palette, then dashed borders for imported nodes.
        for p in Style.palettes {
            let members = g.nodes.filter { Style.palette($0).className == p.className }.map(\.id)
            guard !members.isEmpty else { continue }
            out += "  classDef \(p.className) fill:\(p.fill),stroke:\(p.stroke),color:#222222\n"
            out += "  class \(members.joined(separator: ",")) \(p.className)\n"
        }
        let imported = g.nodes.filter(\.imported).map(\.id)
        if !imported.isEmpty {
            out += "  classDef imported stroke-dasharray:5 4\n"
            out += "  class \(imported.joined(separator: ",")) imported\n"
        }
        let gated = g.level == .constructs ? g.nodes.filter { $0.gate != nil }.map(\.id) : []
        if !gated.isEmpty {
            out += "  classDef gated stroke-width:3px\n"
            out += "  class \(gated.joined(separator: ",")) gated\n"
        }
        for group in g.groups {
            let look = DotRenderer.groupLook(group)
            out += "  style \(group.id) fill:\(look.background),stroke:\(look.color)" + (look.style.contains("dashed") ? ",stroke-dasharray:5 4" : "") + "\n"
        }
        // Link styles, one line per kind (indices in edge order).
        for kind in EdgeKind.allCases {
            let indices = drawn.indices.filter { drawn[$0].kind == kind }
            guard !indices.isEmpty else { continue }
            let look = Style.edge(kind)
            var style = "stroke:\(look.color),stroke-width:\(look.width)px"
            if look.line == "dashed" { style += ",stroke-dasharray:6 4" } else if look.line == "dotted" { style += ",stroke-dasharray:2 3" }
            out += "  linkStyle \(indices.map(String.init).joined(separator: ",")) \(style)\n"
        }
        return out
    }

    static func nodeLabel(_ n: GraphNode, level: GraphLevel) -> String {
        var lines = [text(n.name)]
        switch level {
        case .constructs:
            if n.kind != .resource && n.kind != .internet { lines.append(text(n.kind.title)) }
            lines += n.details.map(text)
            if n.imported { lines.append("existing (imported)") }
            if let gate = n.gate { lines.append(text("image gate \(gate)")) }
        case .resources:
            lines += n.details.map(text)
            if let gate = n.gate { lines.append(text("Condition \(gate)")) }
        }
        return lines.joined(separator: "<br/>")
    }

    /// Label text with Mermaid's entity codes for the characters that would end or break it.
    static func text(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "#": out += "#35;"
            case "\n": out += "<br/>"
            default: out.append(ch)
            }
        }
        return out
    }
}

// MARK: - JSON and Markdown

/// The diagrams as JSON: `{"version": 1, "graphs": [{stack, level, groups, nodes, edges}]}`.
public enum GraphJSON {
    public static func value(_ graphs: [StackGraph]) -> Value {
        .object([("version", .int(1)), ("graphs", .array(graphs.map(value)))])
    }

    public static func render(_ graphs: [StackGraph]) -> String {
        JSONRenderer.render(value(graphs)) + "\n"
    }

    static func value(_ g: StackGraph) -> Value {
        .object([
            ("stack", .string(g.stackName)),
            ("level", .string(g.level.rawValue)),
            ("groups", .array(g.groups.map { group in
                var p: [(String, Value)] = [("id", .string(group.id)), ("label", .string(group.label)), ("kind", .string(group.kind.rawValue))]
                if let parent = group.parent { p.append(("parent", .string(parent))) }
                if group.imported { p.append(("imported", .bool(true))) }
                return .object(p)
            })),
            ("nodes", .array(g.nodes.map { n in
                var p: [(String, Value)] = [("id", .string(n.id)), ("path", .string(n.path)), ("name", .string(n.name)),
                                            ("kind", .string(n.kind.rawValue))]
                if let type = n.type { p.append(("type", .string(type))) }
                if !n.details.isEmpty { p.append(("details", .array(n.details.map(Value.string)))) }
                if let group = n.group { p.append(("group", .string(group))) }
                if n.imported { p.append(("imported", .bool(true))) }
                if let gate = n.gate { p.append((g.level == .constructs ? "imageGate" : "condition", .string(gate))) }
                p.append(("resources", .int(n.resourceCount)))
                return .object(p)
            })),
            ("edges", .array(g.edges.map { e in
                var p: [(String, Value)] = [("from", .string(e.from)), ("to", .string(e.to)), ("kind", .string(e.kind.rawValue))]
                if !e.label.isEmpty { p.append(("label", .string(e.label))) }
                return .object(p)
            })),
        ])
    }
}

/// A Markdown page with the Mermaid diagram (what `docs/diagrams/<stack>.md` holds).
public enum MarkdownRenderer {
    public static func render(_ g: StackGraph) -> String {
        let level = g.level == .constructs ? "" : " --level \(g.level.rawValue)"
        return """
            # \(g.stackName)

            The \(g.level.rawValue) of the `\(g.stackName)` stack, drawn by `infra graph \(g.stackName)\(level) --format markdown` \
            (regenerated by `scripts/graphs`; do not edit). The same diagram drawn by Graphviz: \
            [\(g.stackName).svg](\(g.stackName).svg). How to read it: [README.md](README.md).

            ```mermaid
            \(MermaidRenderer.render(g))```

            """
    }
}
