import Foundation
import InfraAWS

/// Everything the deployer takes from the outside world, injectable so that tests run the real
/// code paths against moto or a scripted server: environment variables and home (credentials,
/// region, endpoint overrides), the HTTP transport, the console, the clock and sleeps, Docker.
public struct DeployContext: Sendable {
    public var environment: AWSEnvironment
    public var transport: any HTTPTransport
    public var console: any DeployConsole
    public var polling: PollingPolicy
    public var docker: any DockerRunner
    /// Retries of each AWS call (nil: the AWS default, `AWS_MAX_ATTEMPTS`).
    public var retry: RetryPolicy?
    /// `--region` / `--profile`.
    public var region: String?
    public var profile: String?
    /// `-v`: one line per AWS request on standard error.
    public var verbose: Bool
    /// Relative paths (`--assembly`, `--outputs-file`) are resolved against it.
    public var workingDirectory: URL

    public init(environment: AWSEnvironment = .current(), transport: any HTTPTransport = defaultHTTPTransport(),
                console: any DeployConsole = StandardConsole(), polling: PollingPolicy = .standard,
                docker: any DockerRunner = ProcessDockerRunner(), retry: RetryPolicy? = nil,
                region: String? = nil, profile: String? = nil, verbose: Bool = false,
                workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        self.environment = environment
        self.transport = transport
        self.console = console
        self.polling = polling
        self.docker = docker
        self.retry = retry
        self.region = region
        self.profile = profile
        self.verbose = verbose
        self.workingDirectory = workingDirectory
    }

    /// A path given on the command line, relative to the working directory.
    public func url(_ path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        if path == "~" || path.hasPrefix("~/") {
            return URL(fileURLWithPath: environment.homeDirectory + path.dropFirst()).standardizedFileURL
        }
        return workingDirectory.appendingPathComponent(path).standardizedFileURL
    }
}

/// One `AWSClient` per region, all sharing one credential chain (resolved once).
public final class AWSClients: @unchecked Sendable {
    public let base: AWSClient
    private let lock = NSLock()
    private var clients: [String: AWSClient] = [:]
    private var accountTask: Task<String, Error>?

    /// Resolves credentials, the default region and endpoints. `stackRegions` are the regions
    /// the manifest names; when every stack has one, no other region needs to be configured.
    public init(context: DeployContext, stackRegions: [String?]) throws {
        var options = AWSClientOptions()
        if let retry = context.retry { options.retry = retry }
        if context.verbose {
            let console = context.console
            options.logger = { line in console.err("[aws] " + line) }
        }
        let fallback = stackRegions.allSatisfy { $0 != nil } ? stackRegions.compactMap { $0 }.first : nil
        do {
            base = try AWSClient.resolve(region: context.region, profile: context.profile, fallbackRegion: fallback,
                                         environment: context.environment, transport: context.transport,
                                         options: options)
        } catch {
            throw DeployError(.usage, "cannot set up AWS access: \(error.deployMessage)")
        }
        clients[base.region] = base
    }

    /// A client for a stack's region (the manifest's, else the default one).
    public func client(for region: String?) -> AWSClient {
        let region = region ?? base.region
        return lock.withLock {
            if let c = clients[region] { return c }
            let c = base.with(region: region)
            clients[region] = c
            return c
        }
    }

    /// The account of the credentials (STS GetCallerIdentity, asked once).
    public func account() async throws -> String {
        let task = lock.withLock { () -> Task<String, Error> in
            if let accountTask { return accountTask }
            let client = base
            let t = Task { try await STSClient(client: client).getCallerIdentity().account }
            accountTask = t
            return t
        }
        return try await task.value
    }

    /// Fails when a stack names an account other than the credentials'.
    public func checkAccount(of stack: AssemblyStack) async throws {
        guard let wanted = stack.account else { return }
        let actual = try await account()
        if wanted != actual {
            throw DeployError(.usage, "\(stack.stackName) is for account \(wanted), but the credentials are for "
                + "account \(actual): use credentials (or --profile) of account \(wanted)")
        }
    }
}
