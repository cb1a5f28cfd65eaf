import ArgumentParser
import Foundation
import InfraApp
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
                // the project's app (`APP graph`) draws with the same code
                try InfraApp.graph(options.project(), stacks: stacks, overrides: StackConfig.parseOverrides(options.context),
                                   format: format, level: level, output: output)
            } catch let e as GraphError {
                CLI.printError(e.description)
                throw ExitCode(1)
            }
        }
    }
}
