import Foundation

/// Anything that hands out credentials for signing.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> Credentials
    /// Forgets cached credentials, called when a service says they expired.
    func invalidate() async
}

extension CredentialProvider {
    public func invalidate() async {}
}

/// Fixed credentials.
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials() async throws -> Credentials { value }
}

public enum CredentialsError: Error, Sendable, CustomStringConvertible {
    /// Nothing in the chain produced credentials; `searched` says where it looked and why each failed.
    case notFound(searched: [String])
    case profileNotFound(profile: String, configPath: String, credentialsPath: String)
    /// A source is configured but broken (partial keys, bad JSON, failed process, ...).
    case invalid(source: String, message: String)

    public var description: String {
        switch self {
        case let .notFound(searched):
            return "No AWS credentials found. Looked in, in order:\n"
                + searched.map { "  - " + $0 }.joined(separator: "\n")
                + "\nSet AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE."
        case let .profileNotFound(profile, configPath, credentialsPath):
            return "AWS profile '\(profile)' not found in \(configPath) or \(credentialsPath)"
        case let .invalid(source, message):
            return "\(source): \(message)"
        }
    }
}

/// The credential chain AWS tools use, with caching and refresh before expiry:
///
/// 1. explicit credentials;
/// 2. environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (skipped when
///    a profile was passed as an argument, as botocore does);
/// 3. the profile (`AWS_PROFILE` or argument, else `default`) from `~/.aws/credentials` and
///    `~/.aws/config`: `role_arn` with `source_profile`/`credential_source` through STS
///    AssumeRole, static keys of the credentials file, `credential_process`, static keys of the
///    config file;
/// 4. container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`);
/// 5. EC2 instance metadata (IMDSv2, short timeout).
public actor CredentialChain: CredentialProvider {
    /// Temporary credentials are refreshed this long before they expire.
    public static let refreshMargin: TimeInterval = 5 * 60

    private let sources: [CredentialSource]
    private let now: @Sendable () -> Date
    private var cached: Credentials?
    private var inflight: Task<Credentials, Error>?

    public init(explicit: Credentials? = nil, environment: AWSEnvironment, config: AWSSharedConfig,
                profile: String, profileFromArgument: Bool = false, region: String?,
                endpoints: EndpointResolver? = nil, transport: any HTTPTransport,
                now: @escaping @Sendable () -> Date = { Date() }) {
        let context = SourceContext(environment: environment, config: config, region: region,
                                    endpoints: endpoints ?? EndpointResolver(environment: environment,
                                                                             profile: config.profile(profile)),
                                    transport: transport, now: now)
        var sources: [CredentialSource] = [
            CredentialSource(name: "explicit credentials") {
                explicit.map { .found($0) } ?? .absent("none given")
            },
        ]
        if !profileFromArgument {
            sources.append(CredentialSource(name: "environment") { try EnvironmentCredentials.resolve(environment) })
        }
        sources.append(CredentialSource(name: "profile '\(profile)'") {
            try await ProfileCredentials(context: context).resolve(profile: profile, explicit: profileFromArgument
                || environment.profileName != nil)
        })
        sources.append(CredentialSource(name: "container credentials") {
            try await ContainerCredentials.resolve(context)
        })
        sources.append(CredentialSource(name: "EC2 instance metadata") {
            try await InstanceMetadataCredentials.resolve(context)
        })
        self.sources = sources
        self.now = now
    }

    /// Current credentials, resolved once and refreshed before they expire. Concurrent callers
    /// share one resolution.
    public func credentials() async throws -> Credentials {
        if let cached, !cached.expires(within: Self.refreshMargin, of: now()) { return cached }
        if let inflight { return try await inflight.value }
        let sources = self.sources
        let task = Task { try await Self.resolve(sources) }
        inflight = task
        defer { inflight = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh
        } catch {
            // an advisory refresh that fails keeps still-valid credentials
            if let cached, !cached.expires(within: 0, of: now()) { return cached }
            throw error
        }
    }

    /// Forgets cached credentials (e.g. after `ExpiredToken`).
    public func invalidate() {
        cached = nil
    }

    private static func resolve(_ sources: [CredentialSource]) async throws -> Credentials {
        var searched: [String] = []
        for source in sources {
            switch try await source.resolve() {
            case .found(let credentials):
                return credentials
            case .absent(let reason):
                searched.append("\(source.name): \(reason)")
            }
        }
        throw CredentialsError.notFound(searched: searched)
    }
}

enum SourceResult: Sendable {
    case found(Credentials)
    case absent(String)
}

struct CredentialSource: Sendable {
    var name: String
    var resolve: @Sendable () async throws -> SourceResult
}

struct SourceContext: Sendable {
    var environment: AWSEnvironment
    var config: AWSSharedConfig
    var region: String?
    var endpoints: EndpointResolver
    var transport: any HTTPTransport
    var now: @Sendable () -> Date
}

// MARK: - Environment

enum EnvironmentCredentials {
    static func resolve(_ env: AWSEnvironment) throws -> SourceResult {
        let id = env["AWS_ACCESS_KEY_ID"]
        let secret = env["AWS_SECRET_ACCESS_KEY"]
        switch (id, secret) {
        case let (id?, secret?):
            return .found(Credentials(accessKeyId: id, secretAccessKey: secret,
                                      sessionToken: env["AWS_SESSION_TOKEN"] ?? env["AWS_SECURITY_TOKEN"],
                                      expiration: env["AWS_CREDENTIAL_EXPIRATION"].flatMap(AWSDate.parseISO8601),
                                      source: "environment"))
        case (nil, nil):
            return .absent("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (_?, nil):
            throw CredentialsError.invalid(source: "environment",
                                           message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, _?):
            throw CredentialsError.invalid(source: "environment",
                                           message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        }
    }
}

// MARK: - Profiles

struct ProfileCredentials {
    var context: SourceContext

    func resolve(profile name: String, explicit: Bool) async throws -> SourceResult {
        let config = context.config
        guard let profile = config.profile(name) else {
            if explicit {
                throw CredentialsError.profileNotFound(profile: name, configPath: config.configPath,
                                                       credentialsPath: config.credentialsPath)
            }
            let files = [
                "\(config.credentialsPath)\(config.credentialsFileExists ? "" : " (missing)")",
                "\(config.configPath)\(config.configFileExists ? "" : " (missing)")",
            ]
            return .absent("no such profile in \(files.joined(separator: " or "))")
        }
        if let credentials = try await credentials(for: profile, chain: []) {
            return .found(credentials)
        }
        return .absent("defines none of aws_access_key_id, role_arn, credential_process "
            + "(in \(config.credentialsPath) / \(config.configPath))")
    }

    /// Credentials of one profile, following `source_profile` links (`chain` detects cycles).
    func credentials(for profile: AWSProfile, chain: [String]) async throws -> Credentials? {
        let label = "profile '\(profile.name)'"
        if let roleArn = profile["role_arn"] {
            let source = try await roleSourceCredentials(profile, chain: chain)
            if profile["mfa_serial"] != nil {
                throw CredentialsError.invalid(source: label, message:
                    "mfa_serial is set, but infra cannot prompt for an MFA code; use credential_process or "
                    + "temporary credentials in the environment instead")
            }
            let duration = try profile["duration_seconds"].map { value -> Int in
                guard let n = Int(value), (900...43200).contains(n) else {
                    throw CredentialsError.invalid(source: label, message:
                        "duration_seconds must be a number of seconds between 900 and 43200, not '\(value)'")
                }
                return n
            }
            let sessionName = profile["role_session_name"]
                ?? "infra-\(Int(context.now().timeIntervalSince1970))"
            let region = profile["region"] ?? context.region ?? "us-east-1"
            let client = AWSClient(region: region, credentials: StaticCredentialProvider(source),
                                   endpoints: EndpointResolver(environment: context.environment, profile: profile),
                                   transport: context.transport,
                                   options: AWSClientOptions(retry: RetryPolicy(maxAttempts: 3), now: context.now))
            do {
                var assumed = try await STSClient(client: client).assumeRole(
                    roleArn: roleArn, sessionName: sessionName, durationSeconds: duration,
                    externalId: profile["external_id"]).credentials
                assumed.source = "\(label) (role \(roleArn) assumed with \(source.source))"
                return assumed
            } catch let error as AWSError {
                throw CredentialsError.invalid(source: label, message: "AssumeRole of \(roleArn) failed: \(error)")
            }
        }
        if let creds = try staticKeys(profile.staticKeysInCredentialsFile, profile: profile,
                                      file: profile.credentialsPath) {
            return creds
        }
        if let command = profile["credential_process"] {
            return try await ProcessCredentials.run(command, label: label, now: context.now)
        }
        return try staticKeys(profile.staticKeysInConfigFile, profile: profile, file: profile.configPath)
    }

    private func staticKeys(_ keys: (String?, String?, String?), profile: AWSProfile, file: String) throws -> Credentials? {
        let (id, secret, token) = (keys.0.flatMap(nonEmpty), keys.1.flatMap(nonEmpty), keys.2.flatMap(nonEmpty))
        switch (id, secret) {
        case let (id?, secret?):
            return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token,
                               source: "profile '\(profile.name)' (\(file))")
        case (_?, nil):
            throw CredentialsError.invalid(source: "profile '\(profile.name)' in \(file)",
                                           message: "aws_access_key_id is set but aws_secret_access_key is missing")
        case (nil, _?):
            throw CredentialsError.invalid(source: "profile '\(profile.name)' in \(file)",
                                           message: "aws_secret_access_key is set but aws_access_key_id is missing")
        case (nil, nil):
            return nil
        }
    }

    private func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }

    private func roleSourceCredentials(_ profile: AWSProfile, chain: [String]) async throws -> Credentials {
        let label = "profile '\(profile.name)'"
        if let sourceName = profile["source_profile"] {
            if sourceName == profile.name {
                // a profile may name itself: its own static keys assume the role
                if let own = try staticKeys(profile.staticKeysInCredentialsFile, profile: profile,
                                            file: profile.credentialsPath)
                    ?? staticKeys(profile.staticKeysInConfigFile, profile: profile, file: profile.configPath) {
                    return own
                }
            }
            guard !chain.contains(sourceName), sourceName != profile.name else {
                throw CredentialsError.invalid(source: label, message:
                    "source_profile chain loops: \((chain + [profile.name, sourceName]).joined(separator: " -> "))")
            }
            guard let source = context.config.profile(sourceName) else {
                throw CredentialsError.invalid(source: label, message:
                    "source_profile '\(sourceName)' does not exist in \(context.config.configPath) or "
                    + context.config.credentialsPath)
            }
            guard let credentials = try await credentials(for: source, chain: chain + [profile.name]) else {
                throw CredentialsError.invalid(source: label, message:
                    "source_profile '\(sourceName)' has no credentials (no aws_access_key_id, role_arn or credential_process)")
            }
            return credentials
        }
        if let source = profile["credential_source"] {
            let result: SourceResult
            switch source {
            case "Environment": result = try EnvironmentCredentials.resolve(context.environment)
            case "EcsContainer": result = try await ContainerCredentials.resolve(context)
            case "Ec2InstanceMetadata": result = try await InstanceMetadataCredentials.resolve(context)
            default:
                throw CredentialsError.invalid(source: label, message:
                    "credential_source must be Environment, EcsContainer or Ec2InstanceMetadata, not '\(source)'")
            }
            switch result {
            case .found(let credentials): return credentials
            case .absent(let reason):
                throw CredentialsError.invalid(source: label, message: "credential_source \(source): \(reason)")
            }
        }
        throw CredentialsError.invalid(source: label, message:
            "role_arn is set but neither source_profile nor credential_source is")
    }
}

// MARK: - credential_process

enum ProcessCredentials {
    /// How long a `credential_process` may run before infra ends it.
    static let timeout: TimeInterval = 60

    /// Runs the profile's `credential_process`: split into argv as botocore splits it (POSIX shell
    /// quoting, no shell: no pipes, variables or globbing), with a deadline, ended on Ctrl-C or
    /// cancellation. Its output holds secrets and never appears in an error.
    static func run(_ command: String, label: String, now: @Sendable () -> Date,
                    timeout: TimeInterval = ProcessCredentials.timeout) async throws -> Credentials {
        let source = "\(label) credential_process"
        let argv: [String]
        do {
            argv = try ShellWords.split(command)
        } catch {
            throw CredentialsError.invalid(source: source, message: "cannot split the command into arguments: \(error)")
        }
        guard let program = argv.first else {
            throw CredentialsError.invalid(source: source, message: "the command is empty")
        }
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(argv, timeout: timeout)
        } catch let error as ChildProcess.Failure {
            throw CredentialsError.invalid(source: source, message: "\(error)")
        }
        if result.timedOut {
            throw CredentialsError.invalid(source: source, message:
                "\(program) did not finish within \(timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)) s and was stopped")
        }
        guard result.status == 0 else {
            let detail = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            let how = result.signal.map { "was ended by signal \($0)" } ?? "exited with status \(result.status)"
            throw CredentialsError.invalid(source: source, message:
                "\(program) \(how)" + (detail.isEmpty ? "" : ": " + String(detail.prefix(500))))
        }
        let output = result.stdout
        guard let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw CredentialsError.invalid(source: source, message: "output is not a JSON object")
        }
        guard (object["Version"] as? Int) == 1 else {
            throw CredentialsError.invalid(source: source, message: "output must have \"Version\": 1")
        }
        guard let id = object["AccessKeyId"] as? String, !id.isEmpty,
              let secret = object["SecretAccessKey"] as? String, !secret.isEmpty else {
            throw CredentialsError.invalid(source: source, message: "output lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let value = object["Expiration"] as? String {
            guard let date = AWSDate.parseISO8601(value) else {
                throw CredentialsError.invalid(source: source, message: "Expiration is not an ISO 8601 time")
            }
            expiration = date
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret,
                           sessionToken: object["SessionToken"] as? String, expiration: expiration, source: source)
    }
}

/// Splits a command line into words as Python's `shlex.split` does in POSIX mode (which botocore
/// uses for `credential_process`): whitespace separates words; `'...'` is literal; in `"..."` a
/// backslash escapes only `"` and `\\`; outside quotes a backslash escapes any character; no
/// comments, variables or globbing.
public enum ShellWords {
    public struct SplitError: Error, Sendable, CustomStringConvertible, Equatable {
        public var description: String
    }

    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if let q = quote {
                if c == q {
                    quote = nil
                } else if q == "\"", c == "\\", let next = chars.first, next == "\"" || next == "\\" {
                    current.append(chars.removeFirst())
                } else {
                    current.append(c)
                }
                continue
            }
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'", "\"":
                quote = c
                inWord = true
            case "\\":
                guard let next = chars.popFirst() else { throw SplitError(description: "no character after the final backslash") }
                current.append(next)
                inWord = true
            default:
                current.append(c)
                inWord = true
            }
        }
        if quote != nil { throw SplitError(description: "no closing quotation") }
        if inWord { words.append(current) }
        return words
    }
}

// MARK: - Container and instance metadata

enum ContainerCredentials {
    static let relativeHost = "http://169.254.170.2"

    static func resolve(_ context: SourceContext) async throws -> SourceResult {
        let env = context.environment
        let source = "container credentials"
        let url: URL
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            guard let u = URL(string: relativeHost + (relative.hasPrefix("/") ? relative : "/" + relative)) else {
                throw CredentialsError.invalid(source: source, message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a valid path")
            }
            url = u
        } else if let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard let u = URL(string: full), let host = u.host, let scheme = u.scheme?.lowercased() else {
                throw CredentialsError.invalid(source: source, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL")
            }
            guard scheme == "https" || (scheme == "http" && isAllowedHTTPHost(host)) else {
                throw CredentialsError.invalid(source: source, message:
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback/ECS/EKS host, not \(host) "
                    + "(over http only a loopback IP address such as 127.0.0.1 or [::1], or 169.254.170.2, "
                    + "169.254.170.23, [fd00:ec2::23])")
            }
            url = u
        } else {
            return .absent("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
        }
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let file = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let token = try? String(contentsOfFile: env.expand(file), encoding: .utf8) else {
                throw CredentialsError.invalid(source: source, message:
                    "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)")
            }
            headers["Authorization"] = token.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers["Authorization"] = token
        }
        if let token = headers["Authorization"], token.contains("\r") || token.contains("\n") {
            throw CredentialsError.invalid(source: source, message: "the authorization token contains a line break")
        }
        let response: HTTPResponse
        do {
            response = try await context.transport.send(HTTPRequest(method: "GET", url: url, headers: headers),
                                                        timeout: 2)
        } catch {
            throw CredentialsError.invalid(source: source, message: "\(url.absoluteString) did not answer: \(error)")
        }
        guard response.statusCode == 200 else {
            throw CredentialsError.invalid(source: source, message: "\(url.absoluteString) answered HTTP \(response.statusCode)")
        }
        return .found(try decodeJSONCredentials(response.body, source: "\(source) (\(url.absoluteString))"))
    }

    /// Over plain http, credentials may only be fetched from an IP literal on this machine
    /// (127.0.0.0/8, ::1) or from the link-local addresses of the ECS and EKS credential agents
    /// (169.254.170.2, 169.254.170.23, fd00:ec2::23). A name is never trusted, not even
    /// `localhost`: `127.attacker.example` and anything DNS or /etc/hosts could point elsewhere
    /// are refused.
    static func isAllowedHTTPHost(_ rawHost: String) -> Bool {
        var host = rawHost
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        if host.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }), inet_pton(AF_INET, host, &v4) == 1 {
            let bytes = withUnsafeBytes(of: v4.s_addr) { Array($0) }  // network order
            return bytes[0] == 127 || bytes == [169, 254, 170, 2] || bytes == [169, 254, 170, 23]
        }
        var v6 = in6_addr()
        if host.contains(":"), inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
            let eks: [UInt8] = [0xfd, 0x00, 0x0e, 0xc2] + Array(repeating: 0, count: 11) + [0x23]
            return bytes == loopback || bytes == eks
        }
        return false
    }

    static func decodeJSONCredentials(_ data: Data, source: String) throws -> Credentials {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let id = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw CredentialsError.invalid(source: source, message: "the answer is not a credentials JSON document")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw CredentialsError.invalid(source: source, message: "answered Code \(code)")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: object["Token"] as? String,
                           expiration: (object["Expiration"] as? String).flatMap(AWSDate.parseISO8601),
                           source: source)
    }
}

enum InstanceMetadataCredentials {
    static let timeout: TimeInterval = 1

    static func resolve(_ context: SourceContext) async throws -> SourceResult {
        let env = context.environment
        if env.flag("AWS_EC2_METADATA_DISABLED") { return .absent("disabled by AWS_EC2_METADATA_DISABLED") }
        var base = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        guard let tokenURL = URL(string: base + "/latest/api/token") else {
            throw CredentialsError.invalid(source: "EC2 instance metadata",
                                           message: "AWS_EC2_METADATA_SERVICE_ENDPOINT is not a valid URL")
        }
        let transport = context.transport
        let token: String
        do {
            let response = try await transport.send(
                HTTPRequest(method: "PUT", url: tokenURL, headers: ["X-aws-ec2-metadata-token-ttl-seconds": "21600"]),
                timeout: timeout)
            guard response.statusCode == 200, !response.body.isEmpty else {
                return .absent("\(base) refused an IMDSv2 token (HTTP \(response.statusCode))")
            }
            token = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            return .absent("no answer from \(base) within \(Int(timeout)) s (not on EC2)")
        }
        let headers: HTTPHeaders = ["X-aws-ec2-metadata-token": token]
        let source = "EC2 instance metadata"
        func get(_ path: String) async throws -> HTTPResponse {
            do {
                return try await transport.send(HTTPRequest(method: "GET", url: URL(string: base + path)!, headers: headers),
                                                timeout: timeout)
            } catch {
                throw CredentialsError.invalid(source: source, message: "\(base)\(path) did not answer: \(error)")
            }
        }
        let list = try await get("/latest/meta-data/iam/security-credentials/")
        guard list.statusCode == 200,
              let role = list.bodyText.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            return .absent("\(base) lists no instance profile role (HTTP \(list.statusCode))")
        }
        let answer = try await get("/latest/meta-data/iam/security-credentials/" + PercentEncoding.uriEncode(role))
        guard answer.statusCode == 200 else {
            throw CredentialsError.invalid(source: source, message: "role \(role) answered HTTP \(answer.statusCode)")
        }
        return .found(try ContainerCredentials.decodeJSONCredentials(
            answer.body, source: "EC2 instance metadata (role \(role))"))
    }
}
