import Foundation
import InfraAWS

/// Runs the `docker` CLI. Injectable: the real one spawns processes.
public protocol DockerRunner: Sendable {
    /// Runs `docker <arguments>`, feeding `input` to its standard input.
    func run(_ arguments: [String], input: Data?) async throws -> DockerResult
}

public struct DockerResult: Sendable {
    public var status: Int32
    public var output: String
    public var error: String

    public init(status: Int32, output: String, error: String) {
        self.status = status
        self.output = output
        self.error = error
    }
}

/// `docker` from `PATH` (or the `DOCKER` variable), with the process environment (so
/// `DOCKER_HOST` and friends apply) plus `environment`, run through `ChildProcess`: an argv
/// (no shell), in infra's process group (a terminal's Ctrl-C reaches it), and ended (SIGTERM,
/// then SIGKILL) when the deploy is cancelled, so an interrupted `docker build` or `docker push`
/// never outlives infra. `docker info` (is an engine there?) has a deadline; builds and pushes
/// take as long as they take.
public struct ProcessDockerRunner: DockerRunner {
    public var environment: [String: String]
    /// The deadline of `docker info`: a daemon that does not answer is "no engine".
    public var infoTimeout: TimeInterval

    public init(environment: [String: String] = [:], infoTimeout: TimeInterval = 20) {
        self.environment = environment
        self.infoTimeout = infoTimeout
    }

    public func run(_ arguments: [String], input: Data?) async throws -> DockerResult {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let executable = env["DOCKER"] ?? ChildProcess.resolve("docker", path: env["PATH"] ?? "")
        guard let executable else {
            return DockerResult(status: 127, output: "", error: "the docker command is not installed (not on PATH)")
        }
        let timeout = arguments.first == "info" ? infoTimeout : nil
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess([executable] + arguments, environment: env, stdin: input,
                                            timeout: timeout).run()
        } catch let failure as ChildProcess.Failure {
            return DockerResult(status: 127, output: "", error: failure.description)
        }
        var error = result.stderrText
        if result.timedOut {
            error += "\n`docker \(arguments.first ?? "")` did not finish within \(Int(timeout ?? 0)) s"
        }
        return DockerResult(status: result.status, output: String(decoding: result.stdout, as: UTF8.self), error: error)
    }

    static func find(_ name: String, path: String) -> String? {
        ChildProcess.resolve(name, path: path)
    }
}
