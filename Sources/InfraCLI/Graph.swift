import ArgumentParser
import Foundation
import InfraDSL
import InfraGraph

extension GraphFormat: ExpressibleByArgument {}
extension GraphLevel: ExpressibleByArgument {}

/// `infra graph`: the architecture of the configured stacks as a diagram, from the model.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the stacks' architecture from the construct tree: DOT, Mermaid, SVG (Graphviz), Markdown or JSON.",
        discussion: """
            The constructs level (default) draws L2 constructs grouped by VPC and subnet tier, with \
            notifications, event sources, subscriptions, API integrations, security group rules \
            (port), grants (permission), images (tag) and dead-letter queues. The resources level \
            draws every CloudFormation resource with its Ref, GetAtt and DependsOn edges. SVG needs \
            Graphviz's `dot` (Debian package `graphviz`). With several stacks, --output is a folder \
            that receives <stack>.<format>.
            """)

    @Argument(help: "Stacks to draw (default: every configured stack).")
    var stacks: [String] = []

    @Option(name: .long, help: "The diagram's format.")
    var format: GraphFormat = .dot

    @Option(name: .long, help: "constructs: L2 constructs grouped by VPC and subnet tier; resources: every CloudFormation resource.")
    var level: GraphLevel = .constructs

    @Option(name: [.short, .long], help: "Write to this file (one stack) or folder (several); default: standard output.")
    var output: String?

    @OptionGroup var options: ProjectOptions

    func run() throws {
        try CLI.run {
            do {
                try draw(format, level)
            } catch let e as GraphError {
                CLI.printError(e.description)
                throw ExitCode(1)
            }
        }
    }

    private func draw(_ fmt: GraphFormat, _ lvl: GraphLevel) throws {
        let overrides = try StackConfig.parseOverrides(options.context)
        let project = options.project()
        let app = try project.buildApp(project.loadConfigs(overrides: overrides, scope: stacks), selecting: stacks)
        // Synthesis validates the app (a diagram of an invalid stack is refused like synth).
        let assembly = try app.synthesize().selecting(stacks)
        var graphs: [StackGraph] = []
        for artifact in assembly.stacks {
            guard let stack = app.stacks.first(where: { $0.stackName == artifact.stackName }) else { continue }
            graphs.append(Diagram.graph(stack, template: artifact.template, level: lvl))
        }

        guard let output else {
            FileHandle.standardOutput.write(try Diagram.render(graphs, format: fmt))
            return
        }
        // Everything is rendered before anything is written.
        let url = URL(fileURLWithPath: output)
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        var files: [(URL, Data)] = []
        if graphs.count > 1 || (exists && isDir.boolValue) {
            if exists && !isDir.boolValue {
                throw GraphError("--output \(output) is a file; with several stacks it must be a folder")
            }
            for g in graphs { files.append((url.appendingPathComponent("\(g.stackName).\(fmt.fileExtension)"), try Diagram.render(g, format: fmt))) }
        } else {
            files.append((url, try Diagram.render(graphs, format: fmt)))
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
