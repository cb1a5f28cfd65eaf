import Foundation
import InfraAWS

/// `infra bootstrap`: deploys the toolkit stack (its template is built by the CLI with the DSL)
/// into each region, refusing to replace a newer toolkit with an older one.
public struct Bootstrapper: Sendable {
    public let context: DeployContext

    public init(context: DeployContext) {
        self.context = context
    }

    /// Deploys `templateBody` as `stackName` into each region (nil: the default region).
    public func bootstrap(templateBody: String, stackName: String = Toolkit.defaultStackName, regions: [String?],
                          terminationProtection: Bool, tags: [(key: String, value: String)] = [],
                          force: Bool = false, progress: ProgressStyle? = nil) async -> DeploySummary {
        let regions = regions.isEmpty ? [nil] : regions
        let output = DeployOutput(console: context.console, style: progress)
        var summary = DeploySummary()
        for region in regions {
            let stack = AssemblyStack(id: stackName, stackName: stackName, templateFile: "\(stackName).template.json",
                                      templateBody: templateBody, region: region, tags: tags,
                                      terminationProtection: terminationProtection)
            if !force {
                do {
                    let clients = try AWSClients(context: context, stackRegions: [region])
                    let client = clients.client(for: region)
                    if let info = try await ToolkitLookup.read(stackName: stackName, client: client),
                       info.version > Toolkit.currentVersion {
                        let e = DeployError(.usage, "\(stackName) in \(client.region) is version \(info.version), newer "
                            + "than the version \(Toolkit.currentVersion) this infra deploys: not downgrading it "
                            + "(use a newer infra, or --force)")
                        output.error("error: \(e.message)")
                        summary.failures.append((stackName, e))
                        continue
                    }
                } catch let e as DeployError where e.kind == .notBootstrapped {
                    // a broken toolkit stack: deploying it again is the cure
                } catch {
                    let e = error as? DeployError ?? DeployError(.other, "\(stackName): \(error.deployMessage)")
                    output.error("error: \(e.message)")
                    summary.failures.append((stackName, e))
                    continue
                }
            }
            let assembly = DeployAssembly(directory: URL(fileURLWithPath: "/"), stacks: [stack], assets: [])
            let options = DeployOptions(requireApproval: .never, force: force, toolkitStackName: stackName,
                                        progress: progress)
            let result = await Deployer(context: context, assembly: assembly, options: options).deploy([stack])
            summary.results += result.results
            summary.failures += result.failures
        }
        return summary
    }
}
