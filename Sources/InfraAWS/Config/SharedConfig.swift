import Foundation

/// A malformed shared config/credentials file, naming the file and line (never echoing the
/// line itself, which may hold a secret).
public struct AWSConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// One `[section]` of an INI-style AWS file. Keys are lower-cased (as botocore does). A key
/// with an empty value followed by indented `k = v` lines holds a nested map (`s3 =` ...).
struct INISection: Sendable {
    var values: [String: String] = [:]
    var nested: [String: [String: String]] = [:]
}

/// `~/.aws/config` and `~/.aws/credentials`, parsed.
public struct AWSSharedConfig: Sendable {
    public let configPath: String
    public let credentialsPath: String
    var configProfiles: [String: INISection] = [:]
    var credentialProfiles: [String: INISection] = [:]
    var services: [String: INISection] = [:]
    public private(set) var configFileExists = false
    public private(set) var credentialsFileExists = false

    /// Reads both files (a missing file is empty, a malformed one is an `AWSConfigError`).
    public static func load(_ environment: AWSEnvironment) throws -> AWSSharedConfig {
        var config = AWSSharedConfig(configPath: environment.configFilePath,
                                     credentialsPath: environment.credentialsFilePath)
        if let text = try readIfPresent(config.configPath) {
            config.configFileExists = true
            for (name, section) in try parseINI(text, file: config.configPath) {
                if name == "default" {
                    config.configProfiles["default"] = section
                } else if name.hasPrefix("profile ") || name.hasPrefix("profile\t") {
                    let profile = name.dropFirst(8).trimmingCharacters(in: .whitespaces)
                    config.configProfiles[profile] = section
                } else if name.hasPrefix("services ") {
                    config.services[name.dropFirst(9).trimmingCharacters(in: .whitespaces)] = section
                }
                // other sections ([sso-session x], [plugins], stray names) are ignored, as the CLI does
            }
        }
        if let text = try readIfPresent(config.credentialsPath) {
            config.credentialsFileExists = true
            config.credentialProfiles = Dictionary(try parseINI(text, file: config.credentialsPath),
                                                   uniquingKeysWith: { _, last in last })
        }
        return config
    }

    public var profileNames: [String] {
        Set(configProfiles.keys).union(credentialProfiles.keys).sorted()
    }

    /// The named profile, merging both files (credentials file values win), or nil.
    public func profile(_ name: String) -> AWSProfile? {
        let fromConfig = configProfiles[name]
        let fromCredentials = credentialProfiles[name]
        guard fromConfig != nil || fromCredentials != nil else { return nil }
        let servicesSection = fromConfig?.values["services"].flatMap { services[$0] }
        return AWSProfile(name: name, config: fromConfig ?? INISection(),
                          credentials: fromCredentials ?? INISection(),
                          services: servicesSection, configPath: configPath, credentialsPath: credentialsPath)
    }

    private static func readIfPresent(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else {
                throw AWSConfigError(file: path, message: "not valid UTF-8 text")
            }
            return text
        } catch let error as AWSConfigError {
            throw error
        } catch {
            throw AWSConfigError(file: path, message: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// Parses the AWS INI dialect: `[section]`, `key = value`, `#`/`;` comment lines, indented
    /// sub-keys under a key with an empty value, indented continuation lines otherwise.
    static func parseINI(_ text: String, file: String) throws -> [(String, INISection)] {
        var sections: [(String, INISection)] = []
        var current: INISection?
        var currentName = ""
        var lastKey: String?
        func flush() {
            if let current { sections.append((currentName, current)) }
        }
        // (split on Character.isNewline: "\r\n" is a single Character in Swift)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if lineNumber == 1, line.hasPrefix("\u{FEFF}") { line.removeFirst() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"

            if indented, current != nil, let key = lastKey {
                if current!.values[key] == "" || current!.nested[key] != nil {
                    guard let eq = trimmed.firstIndex(of: "=") else {
                        throw AWSConfigError(file: file, line: lineNumber,
                                             message: "expected an indented 'key = value' under '\(key) ='")
                    }
                    let subKey = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                    let subValue = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                    guard !subKey.isEmpty else {
                        throw AWSConfigError(file: file, line: lineNumber, message: "empty key before '='")
                    }
                    current!.nested[key, default: [:]][subKey] = subValue
                } else {
                    current!.values[key]! += "\n" + trimmed
                }
                continue
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw AWSConfigError(file: file, line: lineNumber, message: "section header is missing its closing ']'")
                }
                let name = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    throw AWSConfigError(file: file, line: lineNumber, message: "empty section name '[]'")
                }
                flush()
                current = INISection()
                currentName = name
                lastKey = nil
                continue
            }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw AWSConfigError(file: file, line: lineNumber,
                                     message: "expected 'key = value', a '[section]' header or a comment")
            }
            guard current != nil else {
                throw AWSConfigError(file: file, line: lineNumber,
                                     message: "'key = value' before any '[section]' header")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else {
                throw AWSConfigError(file: file, line: lineNumber, message: "empty key before '='")
            }
            current!.values[key] = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            current!.nested[key] = nil
            lastKey = key
        }
        flush()
        return sections
    }
}

/// A profile as the two files define it.
public struct AWSProfile: Sendable {
    public let name: String
    let config: INISection
    let credentials: INISection
    let services: INISection?
    let configPath: String
    let credentialsPath: String

    /// A setting from either file (the credentials file wins, as in botocore).
    public subscript(key: String) -> String? {
        let value = credentials.values[key] ?? config.values[key]
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// A nested setting (`s3 =` / `  addressing_style = path`).
    public func nested(_ key: String, _ subKey: String) -> String? {
        (credentials.nested[key] ?? config.nested[key])?[subKey]
    }

    /// A per-service setting from the profile's `services` section (`[services name]`).
    public func serviceSetting(_ service: String, _ key: String) -> String? {
        services?.nested[service]?[key]
    }

    /// The file that defines `key` for this profile, for messages.
    func fileDefining(_ key: String) -> String {
        credentials.values[key] != nil ? credentialsPath : configPath
    }

    var staticKeysInCredentialsFile: (String?, String?, String?) {
        (credentials.values["aws_access_key_id"], credentials.values["aws_secret_access_key"],
         credentials.values["aws_session_token"])
    }

    var staticKeysInConfigFile: (String?, String?, String?) {
        (config.values["aws_access_key_id"], config.values["aws_secret_access_key"],
         config.values["aws_session_token"])
    }
}
