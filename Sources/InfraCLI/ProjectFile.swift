import Foundation
#if canImport(Glibc)
import Glibc
#endif
import InfraCore

/// `infra.json`, the project file in the cdk.json tradition:
///
/// ```json
/// { "app": "swift run --quiet orders-infra" }
/// ```
///
/// In a folder holding one, every command of the `infra` executable (except `init`) is run by
/// the project's app (a shell command, usually `swift run` of an executable calling
/// `InfraCommand.main(definitions:)`), with the same arguments: `infra deploy` builds the app,
/// synthesizes the stacks it defines and deploys them in one step, so a stale assembly is never
/// deployed. `--assembly DIR` still deploys a folder as it is (through the app as well).
public struct ProjectFile: Equatable {
    public static let fileName = "infra.json"
    public static let keys = ["app"]

    /// The shell command that runs the project's own `infra` (its executable).
    public let app: String

    public init(app: String) { self.app = app }

    /// Parses the project file's text; errors name the file and the key.
    public static func parse(_ text: String, file: String = fileName) throws -> ProjectFile {
        let root: Value
        do {
            root = try JSONParser.parse(text)
        } catch let e as JSONParser.Error {
            throw ConfigError(file: file, key: nil, "invalid JSON at line \(e.line), column \(e.column): \(e.message)")
        }
        guard case .object(let pairs) = root else { throw ConfigError(file: file, key: nil, "the file must hold a JSON object") }
        for (k, _) in pairs where !keys.contains(k) {
            throw ConfigError(file: file, key: k, "unknown key (known keys: \(keys.joined(separator: ", ")))")
        }
        guard let app = root["app"] else {
            throw ConfigError(file: file, key: "app", "missing required key: the command that runs the project's app, e.g. \"swift run --quiet my-infra\"")
        }
        guard case .string(let command) = app, !command.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError(file: file, key: "app", "must be a non-empty string (a shell command), found \(app.typeName)")
        }
        return ProjectFile(app: command)
    }

    /// The project file of `directory`, nil when there is none.
    public static func load(in directory: URL) throws -> ProjectFile? {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// The commands a project's app runs (the rest: `init`, help and completion scripts, run by `infra` itself).
    static let forwardedCommands: Set<String> = ["synth", "ls", "deploy", "diff", "destroy", "bootstrap", "graph", "watch", "context"]

    /// The environment variable set for the app's process (an app that is itself an `infra`
    /// executable must not forward again).
    static let childVariable = "INFRA_PROJECT_APP"

    /// When the working directory holds `infra.json` and the command is one the app runs:
    /// replaces this process with `sh -c '<app> <arguments>'` (terminal, signals and exit status
    /// are the app's own). Returns the exit status only when it cannot (a bad project file: 2).
    static func forward(_ arguments: [String]) -> Int32? {
        guard let command = arguments.first, forwardedCommands.contains(command),
              ProcessInfo.processInfo.environment[childVariable] == nil else { return nil }
        let project: ProjectFile?
        do {
            project = try load(in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        } catch let e as ConfigError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("error: \(fileName): \(error)\n".utf8))
            return 2
        }
        guard let project else { return nil }
        let line = project.app + " " + arguments.map(shellQuote).joined(separator: " ")
        setenv(childVariable, "1", 1)
        let words: [String] = ["/bin/sh", "-c", line]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        execv("/bin/sh", argv)
        FileHandle.standardError.write(Data("error: \(fileName): cannot run the app '\(project.app)': \(String(cString: strerror(errno)))\n".utf8))
        return 1
    }

    /// A word quoted for `sh`.
    static func shellQuote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A config error when `url` is not a folder: says what infra looked for and the other ways.
    static func requireConfigFolder(_ url: URL, flag: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue { return }
        throw ConfigError(file: flag, key: nil, "config folder not found: run from a project root (a folder with "
            + "\(fileName) or config/), pass --config DIR, or deploy an assembly synthesized elsewhere with "
            + "--assembly DIR; `infra init NAME` creates a project")
    }
}
