import Foundation

/// The process environment and home directory, injectable so that tests never read the real ones.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String

    public init(variables: [String: String], homeDirectory: String) {
        self.variables = variables
        self.homeDirectory = homeDirectory
    }

    /// The real process environment and the user's home directory.
    public static func current() -> AWSEnvironment {
        let env = ProcessInfo.processInfo.environment
        return AWSEnvironment(variables: env, homeDirectory: env["HOME"] ?? NSHomeDirectory())
    }

    /// A variable's value, treating an empty value as unset.
    public subscript(name: String) -> String? {
        guard let value = variables[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        else { return nil }
        return value
    }

    func flag(_ name: String) -> Bool {
        self[name]?.lowercased() == "true"
    }

    /// `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
    public var credentialsFilePath: String {
        expand(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
    }

    /// `AWS_CONFIG_FILE` or `~/.aws/config`.
    public var configFilePath: String {
        expand(self["AWS_CONFIG_FILE"] ?? "~/.aws/config")
    }

    /// The profile named by `AWS_PROFILE` (or the older `AWS_DEFAULT_PROFILE`), if any.
    public var profileName: String? {
        self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"]
    }

    func expand(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst() }
        return path
    }
}
