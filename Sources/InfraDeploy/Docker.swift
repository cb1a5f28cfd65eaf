import Foundation

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
/// `DOCKER_HOST` and friends apply) plus `environment`.
public struct ProcessDockerRunner: DockerRunner {
    public var environment: [String: String]

    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    public func run(_ arguments: [String], input: Data?) async throws -> DockerResult {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let executable = env["DOCKER"] ?? Self.find("docker", path: env["PATH"] ?? "")
        guard let executable else {
            return DockerResult(status: 127, output: "", error: "the docker command is not installed (not on PATH)")
        }
        let environment = env
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.environment = environment
                let out = Pipe(), err = Pipe(), inPipe = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: DockerResult(status: 127, output: "",
                                                                error: "cannot run \(executable): \(error)"))
                    return
                }
                if let input {
                    inPipe.fileHandleForWriting.write(input)
                    try? inPipe.fileHandleForWriting.close()
                }
                // read both pipes concurrently so a chatty build cannot block on a full pipe
                let errBox = DataBox()
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    errBox.data = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                let errData = errBox.data
                process.waitUntilExit()
                continuation.resume(returning: DockerResult(status: process.terminationStatus,
                                                            output: String(decoding: outData, as: UTF8.self),
                                                            error: String(decoding: errData, as: UTF8.self)))
            }
        }
    }

    static func find(_ name: String, path: String) -> String? {
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
