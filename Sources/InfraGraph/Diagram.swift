import Foundation
import InfraDSL

/// `infra graph`'s entry points: a stack's diagram at a level, rendered in a format.
public enum Diagram {
    /// The diagram of `stack` (`template`: its synthesized template, for the resources level).
    public static func graph(_ stack: Stack, template: Value, level: GraphLevel) -> StackGraph {
        switch level {
        case .constructs: return ConstructGraph.build(stack)
        case .resources: return ResourceGraph.build(stack, template: template)
        }
    }

    /// One diagram as text or SVG bytes.
    public static func render(_ graph: StackGraph, format: GraphFormat) throws -> Data {
        switch format {
        case .dot: return Data(DotRenderer.render(graph).utf8)
        case .mermaid: return Data(MermaidRenderer.render(graph).utf8)
        case .json: return Data(GraphJSON.render([graph]).utf8)
        case .markdown: return Data(MarkdownRenderer.render(graph).utf8)
        case .svg: return try Graphviz.render(DotRenderer.render(graph), format: "svg")
        }
    }

    /// Several diagrams for one output: DOT graphs one after another, Mermaid and Markdown
    /// separated by a blank line, JSON as one document. SVG holds one drawing only.
    public static func render(_ graphs: [StackGraph], format: GraphFormat) throws -> Data {
        if graphs.count == 1 { return try render(graphs[0], format: format) }
        switch format {
        case .json: return Data(GraphJSON.render(graphs).utf8)
        case .svg: throw GraphError("an SVG file holds one diagram: name one stack, or give --output a folder")
        case .dot, .mermaid, .markdown:
            var out = Data()
            for (i, g) in graphs.enumerated() {
                if i > 0 { out.append(contentsOf: Array("\n".utf8)) }
                out.append(try render(g, format: format))
            }
            return out
        }
    }

    /// Renders `graphs` and writes them: to standard output without `output`; to the file
    /// `output` for one diagram; into the folder `output` (`<stack>.<extension>` each) for several,
    /// or when `output` is an existing folder. Everything is rendered before anything is written.
    /// `infra graph` and a project's app (`APP graph`) both write through this.
    public static func write(_ graphs: [StackGraph], format: GraphFormat, output: String?) throws {
        guard let output else {
            FileHandle.standardOutput.write(try render(graphs, format: format))
            return
        }
        let url = URL(fileURLWithPath: output)
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        var files: [(URL, Data)] = []
        if graphs.count > 1 || (exists && isDir.boolValue) {
            if exists && !isDir.boolValue {
                throw GraphError("--output \(output) is a file; with several stacks it must be a folder")
            }
            for g in graphs {
                files.append((url.appendingPathComponent("\(g.stackName).\(format.fileExtension)"), try render(g, format: format)))
            }
        } else {
            files.append((url, try render(graphs, format: format)))
        }
        for (file, data) in files {
            do {
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: file, options: .atomic)
            } catch {
                throw GraphError("cannot write \(file.path): \(error.localizedDescription)")
            }
        }
    }
}
