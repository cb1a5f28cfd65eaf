import Foundation
import InfraAWS
import InfraCore

/// Runs preflight over the stacks of a deploy before any of them is changed, prints what it
/// found, settles adoption (ask on a terminal, `--import-existing` elsewhere), and stops the
/// deploy on errors. The reports then steer each stack's change set: the image gate parameters
/// and `ImportExistingResources`.
struct PreflightRunner {
    let clients: AWSClients
    let options: DeployOptions
    let output: DeployOutput

    func run(_ stacks: [AssemblyStack]) async throws -> [String: PreflightReport] {
        let preflight = Preflight(clients: clients, parameters: options.parameters)
        var reports: [String: PreflightReport] = [:]
        var errors = 0
        var adoptable: [PreflightReport] = []
        for stack in stacks {
            let report: PreflightReport
            do {
                report = try await preflight.check(stack)
            } catch let e as DeployError {
                throw e
            } catch {
                throw DeployError(.other, "\(stack.stackName): preflight could not check the stack: \(error.deployMessage)")
            }
            reports[stack.stackName] = report
            errors += report.errors.count
            if !report.adoptable.isEmpty { adoptable.append(report) }
            for finding in report.findings {
                let text = finding.lines(stack: stack.stackName).joined(separator: "\n")
                if finding.severity == .error {
                    output.error(ANSI.red(text, output.console.isTerminal))
                } else {
                    output.line(text)
                }
            }
            for (key, value) in report.imageParameters.sorted(by: { $0.key < $1.key }) {
                output.line("  image gate: \(stack.stackName): \(key)=\(value)"
                    + (value == "false" ? " (image not pushed yet: its consumers wait for phase 2)" : ""))
            }
        }
        if errors > 0 {
            throw DeployError(.other, "preflight found \(errors) problem\(errors == 1 ? "" : "s") (above) that "
                + "CloudFormation would only report after creating and rolling back; nothing was created. "
                + "Fix them and deploy again (`infra deploy --dry-run` checks without deploying).")
        }
        if !adoptable.isEmpty && !options.dryRun {
            let names = adoptable.flatMap { r in r.adoptable.map { "\(r.stackName): \($0.name)" } }
            if options.importExisting {
                output.line("adopting \(names.count) existing resource\(names.count == 1 ? "" : "s") "
                    + "(--import-existing: the change set imports them; their contents stay)")
            } else if output.console.isInteractive {
                guard output.confirm("Adopt \(names.joined(separator: ", ")) into the stack (CloudFormation "
                    + "ImportExistingResources; their contents stay)?") else {
                    throw DeployError(.approval, "not deployed: the existing resources were not adopted (delete or "
                        + "rename them, or answer yes)")
                }
            } else {
                throw DeployError(.other, "not deployed: \(names.joined(separator: ", ")) already exist"
                    + (names.count == 1 ? "s" : "") + " outside the stack, and there is no terminal to ask whether "
                    + "to adopt them. Deploy again with --import-existing to adopt them (the change set imports "
                    + "them with ImportExistingResources), or delete them first.")
            }
            for r in adoptable { reports[r.stackName]?.importExisting = true }
        }
        if reports.values.allSatisfy({ $0.findings.isEmpty }) {
            output.line("preflight: \(stacks.count) stack\(stacks.count == 1 ? "" : "s") checked, no problems")
        }
        return reports
    }
}

/// The image gate on the deploy side: parameter values into the change set, and phase 1 of 2
/// (how to push, then deploy again) after a deploy that left images missing.
enum ImageGate {
    /// The resolved parameters with the gate's values (an explicit --parameters value already won:
    /// such parameters are not in the report).
    static func apply(_ parameters: [StackParameter], _ report: PreflightReport?) -> [StackParameter] {
        guard let values = report?.imageParameters, !values.isEmpty else { return parameters }
        var out = parameters.map { p in values[p.key].map { StackParameter(key: p.key, value: $0) } ?? p }
        for key in values.keys.sorted() where !out.contains(where: { $0.key == key }) {
            out.append(StackParameter(key: key, value: values[key]))
        }
        return out
    }

    /// Prints phase 1 of 2: the images to push, the exact commands, and to deploy again.
    static func announce(_ report: PreflightReport, stack: AssemblyStack, clients: AWSClients,
                         output: DeployOutput) async {
        guard !report.missingImages.isEmpty else { return }
        let client = clients.client(for: stack.region)
        let region = client.region
        let account = (try? await clients.account()) ?? "<account id>"
        let resources = (try? await CloudFormationClient(client: client).listStackResources(stack.stackName)) ?? []
        output.line("")
        output.line(output.bold("\(stack.stackName): phase 1 of 2 done")
            + ": the stack is deployed with \(report.missingImages.count == 1 ? "this image's consumers" : "these images' consumers") "
            + "held back (no tasks / no function) until the image\(report.missingImages.count == 1 ? " is" : "s are") pushed:")
        for missing in report.missingImages {
            let image = missing.image
            let name = missing.repositoryName
                ?? image.repositoryLogicalId.flatMap { id in resources.first { $0.logicalId == id }?.physicalId }
                ?? "<repository \(image.repositoryLogicalId ?? "?")>"
            output.line("  \(image.path): \(name):\(image.tag) (gate \(image.parameter ?? "-"))")
            for line in PushCommands.lines(account: account, region: region, repository: name, tag: image.tag,
                                           directory: image.directory) {
                output.line("  " + line)
            }
        }
        output.line("  then run `infra deploy \(stack.stackName)` again (phase 2: the gate opens and the consumers start)")
    }
}

extension StackOutcome {
    /// `--no-execute`: nothing was deployed.
    var isChangeSetOnly: Bool {
        if case .changeSetCreated = self { return true }
        return false
    }
}
