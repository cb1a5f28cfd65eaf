import Foundation
import InfraAWS
import InfraCore

/// `infra deploy`: deploys stacks of an assembly in dependency order, up to `concurrency` at a
/// time, then prints the outputs and writes them to the outputs file.
public final class Deployer: Sendable {
    public let context: DeployContext
    public let assembly: DeployAssembly
    public let options: DeployOptions
    public let output: DeployOutput

    public init(context: DeployContext, assembly: DeployAssembly, options: DeployOptions) {
        self.context = context
        self.assembly = assembly
        self.options = options
        self.output = DeployOutput(console: context.console, style: options.progress)
    }

    /// Deploys `stacks` (already selected and in dependency order). Failures are collected in
    /// the summary, never thrown; stacks after a failure are not started.
    public func deploy(_ stacks: [AssemblyStack]) async -> DeploySummary {
        var summary = DeploySummary()
        let clients: AWSClients
        do {
            try Preflight.refuseExamples(stacks)  // h5: example values never reach AWS (exit 2)
            clients = try AWSClients(context: context, stackRegions: stacks.map(\.region))
        } catch {
            let e = error as? DeployError ?? DeployError(.other, error.deployMessage)
            output.error("error: \(e.message)")
            summary.failures = [("", e)]
            return summary
        }
        let output = self.output
        // h5: preflight of every stack before any is changed (errors stop the deploy here)
        let preflight: [String: PreflightReport]
        do {
            preflight = try await PreflightRunner(clients: clients, options: options, output: output).run(stacks)
        } catch {
            let e = error as? DeployError ?? DeployError(.other, error.deployMessage)
            output.error(ANSI.red("error: \(e.message)", output.console.isTerminal))
            summary.failures = [("", e)]
            return summary
        }
        if options.dryRun {
            output.line("dry run: nothing deployed")
            return summary
        }
        let toolkit = ToolkitLookup(stackName: options.toolkitStackName, clients: clients)
        let publisher = AssetPublisher(context: context, clients: clients, toolkit: toolkit,
                                       log: { line in output.line(line) })
        let deployer = StackDeployer(context: context, clients: clients, toolkit: toolkit, publisher: publisher,
                                     assembly: assembly, options: options, output: output, approvals: NSLock(),
                                     preflight: preflight)
        let outcome = await StackScheduler.run(stacks, concurrency: options.concurrency) { stack in
            let result = try await deployer.deploy(stack)
            // h5: images of the gate still missing: phase 1 of 2, how to push
            if let report = preflight[stack.stackName], !result.outcome.isChangeSetOnly {
                await ImageGate.announce(report, stack: stack, clients: clients, output: output)
            }
            return result
        }
        for (name, result) in outcome.finished {
            switch result {
            case .success(let r): summary.results.append(r)
            case .failure(let error):
                let e = error as? DeployError ?? DeployError(.other, "\(name): \(error.deployMessage)")
                summary.failures.append((name, e))
                output.error(e.kind == .interrupted ? e.message : ANSI.red(e.message, output.console.isTerminal))
            }
        }
        summary.skipped = outcome.notStarted
        if !summary.skipped.isEmpty {
            output.error("not deployed because of the failure above: " + summary.skipped.joined(separator: ", "))
        }
        printOutputs(summary)
        if let file = options.outputsFile, !summary.outputs.isEmpty {
            do {
                try OutputsFile.write(summary.outputs, to: file)
                output.line("outputs written to \(file.path)")
            } catch {
                let e = DeployError(.other, "cannot write the outputs file \(file.path): \(error.localizedDescription)")
                output.error("error: \(e.message)")
                summary.failures.append(("", e))
            }
        }
        return summary
    }

    private func printOutputs(_ summary: DeploySummary) {
        let withOutputs = summary.results.filter { r in
            if case .changeSetCreated = r.outcome { return false }
            return !r.outputs.isEmpty
        }
        guard !withOutputs.isEmpty else { return }
        output.line("")
        output.line(output.bold("Outputs:"))
        for r in withOutputs {
            for key in r.outputs.keys.sorted() {
                output.line("  \(r.stackName).\(key) = \(r.outputs[key]!)")
            }
        }
    }
}

/// Runs work over stacks in dependency order with bounded concurrency: a stack starts when
/// every stack it depends on (among those given) has succeeded; after a failure no new stack
/// starts (running ones finish).
enum StackScheduler {
    struct Outcome {
        /// In completion order.
        var finished: [(String, Result<StackResult, Error>)] = []
        var notStarted: [String] = []
    }

    static func run(_ stacks: [AssemblyStack], concurrency: Int,
                    _ work: @escaping @Sendable (AssemblyStack) async throws -> StackResult) async -> Outcome {
        let names = Set(stacks.map(\.stackName))
        var pending = stacks
        var running = Set<String>()
        var succeeded = Set<String>()
        var stop = false
        var outcome = Outcome()
        await withTaskGroup(of: (String, Result<StackResult, Error>).self) { group in
            func startReady() {
                while !stop, running.count < max(1, concurrency),
                      let i = pending.firstIndex(where: { s in
                          s.dependencies.allSatisfy { !names.contains($0) || succeeded.contains($0) }
                      }) {
                    let stack = pending.remove(at: i)
                    running.insert(stack.stackName)
                    group.addTask {
                        // The result is complete before the tuple is built: Swift 6.3's optimizer
                        // miscompiles a child task's tuple result whose first element is known
                        // before a suspension and whose second only after it (`(name, try await
                        // ...)`): in release builds `group.next()` returned nil at once and the
                        // finished child then crashed the process (SIGSEGV after every deploy).
                        let result: Result<StackResult, Error>
                        do {
                            result = .success(try await work(stack))
                        } catch {
                            result = .failure(error)
                        }
                        return (stack.stackName, result)
                    }
                }
            }
            startReady()
            while let (name, result) = await group.next() {
                running.remove(name)
                outcome.finished.append((name, result))
                switch result {
                case .success: succeeded.insert(name)
                case .failure: stop = true
                }
                startReady()
            }
        }
        outcome.notStarted = pending.map(\.stackName)
        return outcome
    }
}

/// The outputs file: `{stack: {key: value}}`, keys sorted, written atomically (a temporary file
/// renamed over the target), so an interrupted deploy never leaves half a file.
public enum OutputsFile {
    public static func write(_ outputs: [String: [String: String]], to url: URL) throws {
        let value = Value.object(outputs.keys.sorted().map { stack in
            (stack, .object(outputs[stack]!.keys.sorted().map { ($0, .string(outputs[stack]![$0]!)) }))
        })
        let data = Data(JSONRenderer.render(value).utf8)
        let fm = FileManager.default
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try data.write(to: temp)
        if rename(temp.path, url.path) != 0 {
            let code = errno
            try? fm.removeItem(at: temp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(code))])
        }
    }
}
