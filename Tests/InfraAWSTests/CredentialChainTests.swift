import Foundation
@testable import InfraAWS
import XCTest

/// Credential resolution from temporary files and injected environments (never the real ones).
final class CredentialChainTests: XCTestCase {
    static let credentialsFile = """
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        [dev]
        aws_access_key_id=AKIADEV
        aws_secret_access_key=dev-secret
        aws_session_token = dev-token

        # a comment
        ; another comment
        [base]
        aws_access_key_id = AKIABASE
        aws_secret_access_key = base-secret
        """

    static let configFile = """
        [default]
        region = eu-central-1

        [profile dev]
        region = eu-west-1

        [profile deployer]
        role_arn = arn:aws:iam::111122223333:role/deployer
        source_profile = base
        role_session_name = infra-test
        external_id = ext-42
        region = us-west-2

        [profile chained]
        role_arn = arn:aws:iam::444455556666:role/second
        source_profile = deployer

        [profile loop-a]
        role_arn = arn:aws:iam::1:role/a
        source_profile = loop-b

        [profile loop-b]
        role_arn = arn:aws:iam::1:role/b
        source_profile = loop-a

        [profile process]
        credential_process = {PROCESS}

        [profile failing-process]
        credential_process = {FAILING}

        [profile from-env]
        role_arn = arn:aws:iam::1:role/from-env
        credential_source = Environment

        [profile config-keys]
        aws_access_key_id = AKIACONFIG
        aws_secret_access_key = config-secret

        [profile half]
        aws_access_key_id = AKIAHALF

        [profile empty]
        region = ap-south-1
        """

    /// A home with both files and the two credential_process scripts.
    func makeHome() throws -> TempHome {
        let home = try TempHome(credentials: Self.credentialsFile)
        let process = try home.write("bin/creds.sh", """
            #!/bin/sh
            cat <<'JSON'
            {"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "process-secret",
             "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}
            JSON
            """, executable: true)
        let failing = try home.write("bin/fail.sh", "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n",
                                     executable: true)
        try home.write(".aws/config", Self.configFile
            .replacingOccurrences(of: "{PROCESS}", with: process)
            .replacingOccurrences(of: "{FAILING}", with: failing + " --flag"))
        return home
    }

    /// STS that answers AssumeRole like AWS does, and records the calls.
    static func stsTransport(expiration: String = "2099-01-01T00:00:00Z") -> ScriptedTransport {
        ScriptedTransport { request, index in
            let fields = request.formFields
            guard fields["Action"] == "AssumeRole", let role = fields["RoleArn"] else {
                return .xml(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>")
            }
            let name = role.split(separator: "/").last!
            return .xml(200, """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <SourceIdentity>x</SourceIdentity>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::111122223333:assumed-role/\(name)/infra-test</Arn>
                      <AssumedRoleId>ARO123EXAMPLE123:infra-test</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>ASIA\(name.uppercased())\(index)</AccessKeyId>
                      <SecretAccessKey>assumed-secret-\(index)</SecretAccessKey>
                      <SessionToken>assumed-token-\(index)</SessionToken>
                      <Expiration>\(expiration)</Expiration>
                    </Credentials>
                    <PackedPolicySize>6</PackedPolicySize>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """)
        }
    }

    func chain(_ home: TempHome, env: [String: String] = [:], profile: String? = nil,
               transport: any HTTPTransport = ScriptedTransport { _, _ in throw TransportError("no network", isRetryable: false) },
               explicit: Credentials? = nil, now: @escaping @Sendable () -> Date = { Date() }) throws -> CredentialChain {
        var variables = env
        variables["AWS_EC2_METADATA_DISABLED"] = variables["AWS_EC2_METADATA_DISABLED"] ?? "true"
        let environment = home.environment(variables)
        let config = try AWSSharedConfig.load(environment)
        return CredentialChain(explicit: explicit, environment: environment, config: config,
                               profile: profile ?? environment.profileName ?? "default",
                               profileFromArgument: profile != nil, region: "us-east-1",
                               transport: transport, now: now)
    }

    // MARK: Order and precedence

    func testExplicitBeatsEnvironmentBeatsProfile() async throws {
        let home = try makeHome()
        let env = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"]
        let explicit = Credentials(accessKeyId: "AKIAEXPLICIT", secretAccessKey: "x")
        let fromExplicit = try await chain(home, env: env, explicit: explicit).credentials()
        XCTAssertEqual(fromExplicit.accessKeyId, "AKIAEXPLICIT")
        let fromEnv = try await chain(home, env: env).credentials()
        XCTAssertEqual(fromEnv.accessKeyId, "AKIAENV")
        XCTAssertEqual(fromEnv.sessionToken, "env-token")
        XCTAssertEqual(fromEnv.source, "environment")
        let fromDefault = try await chain(home).credentials()
        XCTAssertEqual(fromDefault.accessKeyId, "AKIADEFAULT")
        // AWS_PROFILE picks a profile but the environment keys still win (as in botocore) ...
        let envOverProfile = try await chain(home, env: env.merging(["AWS_PROFILE": "dev"]) { $1 }).credentials()
        XCTAssertEqual(envOverProfile.accessKeyId, "AKIAENV")
        // ... while a profile passed as an argument (--profile) skips them
        let argument = try await chain(home, env: env, profile: "dev").credentials()
        XCTAssertEqual(argument.accessKeyId, "AKIADEV")
        XCTAssertEqual(argument.sessionToken, "dev-token")
    }

    func testAWSProfileAndCustomFileLocations() async throws {
        let home = try makeHome()
        let dev = try await chain(home, env: ["AWS_PROFILE": "dev"]).credentials()
        XCTAssertEqual(dev.accessKeyId, "AKIADEV")
        XCTAssertTrue(dev.source.contains("profile 'dev'"), dev.source)

        let elsewhere = try home.write("elsewhere/creds", "[default]\naws_access_key_id = AKIAELSEWHERE\naws_secret_access_key = s\n")
        let moved = try await chain(home, env: ["AWS_SHARED_CREDENTIALS_FILE": elsewhere]).credentials()
        XCTAssertEqual(moved.accessKeyId, "AKIAELSEWHERE")

        let config = try home.write("elsewhere/config", "[profile only-here]\naws_access_key_id = AKIACONF2\naws_secret_access_key = s\n")
        let viaConfig = try await chain(home, env: ["AWS_CONFIG_FILE": config, "AWS_PROFILE": "only-here"]).credentials()
        XCTAssertEqual(viaConfig.accessKeyId, "AKIACONF2")

        let configKeys = try await chain(home, profile: "config-keys").credentials()
        XCTAssertEqual(configKeys.accessKeyId, "AKIACONFIG")
    }

    // MARK: AssumeRole

    func testSourceProfileAndRoleArnAssumeTheRoleOnceUntilExpiry() async throws {
        let home = try makeHome()
        let clock = TestClock(Date(timeIntervalSince1970: 4_000_000_000 - 3600))  // an hour before expiry
        let sts = Self.stsTransport(expiration: AWSDate.iso8601(Date(timeIntervalSince1970: 4_000_000_000)))
        let chain = try chain(home, profile: "deployer", transport: sts, now: { clock.now })
        let first = try await chain.credentials()
        XCTAssertEqual(first.accessKeyId, "ASIADEPLOYER0")
        XCTAssertEqual(first.sessionToken, "assumed-token-0")
        XCTAssertEqual(first.expiration, Date(timeIntervalSince1970: 4_000_000_000))
        XCTAssertTrue(first.source.contains("role arn:aws:iam::111122223333:role/deployer"), first.source)

        // The AssumeRole call: regional STS of the profile's region, signed with the source profile.
        XCTAssertEqual(sts.requests.count, 1)
        let call = sts.requests[0]
        XCTAssertEqual(call.url.absoluteString, "https://sts.us-west-2.amazonaws.com/")
        XCTAssertTrue(call.headers["Authorization"]!.contains("Credential=AKIABASE/"), call.headers["Authorization"]!)
        XCTAssertTrue(call.headers["Authorization"]!.contains("/us-west-2/sts/aws4_request"))
        XCTAssertEqual(call.formFields["RoleSessionName"], "infra-test")
        XCTAssertEqual(call.formFields["ExternalId"], "ext-42")
        XCTAssertEqual(call.formFields["Version"], "2011-06-15")

        // cached while valid, concurrent callers share it
        async let a = chain.credentials()
        async let b = chain.credentials()
        let (ca, cb) = try await (a, b)
        XCTAssertEqual([ca.accessKeyId, cb.accessKeyId], ["ASIADEPLOYER0", "ASIADEPLOYER0"])
        XCTAssertEqual(sts.requests.count, 1)

        // refreshed within five minutes of expiry
        clock.advance(3600 - 200)
        let refreshed = try await chain.credentials()
        XCTAssertEqual(refreshed.accessKeyId, "ASIADEPLOYER1")
        XCTAssertEqual(sts.requests.count, 2)
    }

    func testChainedRolesAndCycles() async throws {
        let home = try makeHome()
        let sts = Self.stsTransport()
        let chained = try await chain(home, profile: "chained", transport: sts).credentials()
        XCTAssertEqual(chained.accessKeyId, "ASIASECOND1")
        // the second AssumeRole is signed with the first role's credentials
        XCTAssertTrue(sts.requests[1].headers["Authorization"]!.contains("Credential=ASIADEPLOYER0/"))
        XCTAssertEqual(sts.requests[1].headers["X-Amz-Security-Token"], "assumed-token-0")

        do {
            _ = try await chain(home, profile: "loop-a", transport: sts).credentials()
            XCTFail("a source_profile loop must fail")
        } catch let error as CredentialsError {
            XCTAssertTrue("\(error)".contains("loop-a -> loop-b -> loop-a"), "\(error)")
        }

        let fromEnv = try await chain(home, env: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e"],
                                      profile: "from-env", transport: sts).credentials()
        XCTAssertEqual(fromEnv.accessKeyId, "ASIAFROM-ENV\(sts.requests.count - 1)")
        XCTAssertTrue(sts.requests.last!.headers["Authorization"]!.contains("Credential=AKIAENV/"))
    }

    func testAssumeRoleFailureNamesTheProfileAndRole() async throws {
        let home = try makeHome()
        let denied = ScriptedTransport([.xml(403, """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>AccessDenied</Code>
                <Message>User: arn:aws:iam::111122223333:user/base is not authorized to perform: sts:AssumeRole</Message></Error>
              <RequestId>4e4ab6a0-0000-0000-0000-000000000000</RequestId>
            </ErrorResponse>
            """)])
        do {
            _ = try await chain(home, profile: "deployer", transport: denied).credentials()
            XCTFail("expected an error")
        } catch let error as CredentialsError {
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("profile 'deployer': AssumeRole of arn:aws:iam::111122223333:role/deployer failed: "
                                         + "STS AssumeRole failed: AccessDenied: User:"), text)
            XCTAssertFalse(text.contains("base-secret"))
        }
    }

    // MARK: credential_process

    func testCredentialProcess() async throws {
        let home = try makeHome()
        let creds = try await chain(home, profile: "process").credentials()
        XCTAssertEqual(creds.accessKeyId, "AKIAPROCESS")
        XCTAssertEqual(creds.sessionToken, "process-token")
        XCTAssertEqual(creds.expiration, AWSDate.parseISO8601("2099-01-01T00:00:00Z"))

        do {
            _ = try await chain(home, profile: "failing-process").credentials()
            XCTFail("expected the process failure")
        } catch let error as CredentialsError {
            XCTAssertTrue("\(error)".hasPrefix("profile 'failing-process' credential_process: "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("fail.sh exited with status 3: token expired, run login"), "\(error)")
        }

        let badJSON = try home.write("bin/bad.sh", "#!/bin/sh\necho '{\"Version\": 2}'\n", executable: true)
        try home.write(".aws/config", "[profile bad]\ncredential_process = \(badJSON)\n")
        do {
            _ = try await chain(home, profile: "bad").credentials()
            XCTFail("expected a version error")
        } catch let error as CredentialsError {
            XCTAssertTrue("\(error)".contains("\"Version\": 1"), "\(error)")
        }
    }

    // MARK: Container and instance metadata

    func testContainerCredentials() async throws {
        let home = try makeHome()
        let tokenFile = try home.write("token", "secret-container-token\n")
        let transport = ScriptedTransport { request, _ in
            XCTAssertEqual(request.url.absoluteString, "http://169.254.170.2/v2/credentials/abc")
            XCTAssertEqual(request.headers["Authorization"], "secret-container-token")
            return .json(200, #"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"c","Token":"t","Expiration":"2099-01-01T00:00:00Z","RoleArn":"arn:aws:iam::1:role/task"}"#)
        }
        let creds = try await chain(home, env: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc",
                                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                                                "AWS_CONFIG_FILE": "/nonexistent/config",
                                                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"],
                                    transport: transport).credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIACONTAINER")
        XCTAssertEqual(creds.sessionToken, "t")

        do {
            _ = try await chain(home, env: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://evil.example.com/creds",
                                            "AWS_CONFIG_FILE": "/nonexistent/config",
                                            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"],
                                transport: transport).credentials()
            XCTFail("a non-loopback http URI must be refused")
        } catch let error as CredentialsError {
            XCTAssertTrue("\(error)".contains("must use https or a loopback"), "\(error)")
        }
    }

    func testInstanceMetadataIMDSv2() async throws {
        let home = try TempHome()
        let transport = ScriptedTransport { request, _ in
            switch (request.method, String(request.url.absoluteString.dropFirst("http://169.254.169.254".count))) {
            case ("PUT", "/latest/api/token"):
                XCTAssertEqual(request.headers["X-aws-ec2-metadata-token-ttl-seconds"], "21600")
                return HTTPResponse(statusCode: 200, body: Data("imds-token".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                XCTAssertEqual(request.headers["X-aws-ec2-metadata-token"], "imds-token")
                return HTTPResponse(statusCode: 200, body: Data("web-role\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/web-role"):
                return .json(200, #"{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"i","Token":"it","Expiration":"2099-01-01T00:00:00Z"}"#)
            default:
                return HTTPResponse(statusCode: 404)
            }
        }
        let creds = try await chain(home, env: ["AWS_EC2_METADATA_DISABLED": "false"], transport: transport).credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIAIMDS")
        XCTAssertEqual(creds.source, "EC2 instance metadata (role web-role)")
        XCTAssertEqual(transport.requests.first?.url.absoluteString, "http://169.254.169.254/latest/api/token")
    }

    // MARK: Failures

    func testNoCredentialsListsEveryPlaceItLooked() async throws {
        let home = try TempHome()
        let offEC2 = ScriptedTransport { _, _ in throw TransportError("timed out", isRetryable: true, isTimeout: true) }
        do {
            _ = try await chain(home, env: ["AWS_EC2_METADATA_DISABLED": "false"], transport: offEC2).credentials()
            XCTFail("expected no credentials")
        } catch let error as CredentialsError {
            let text = "\(error)"
            XCTAssertEqual(text, """
                No AWS credentials found. Looked in, in order:
                  - explicit credentials: none given
                  - environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set
                  - profile 'default': no such profile in \(home.path)/.aws/credentials (missing) or \(home.path)/.aws/config (missing)
                  - container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set
                  - EC2 instance metadata: no answer from http://169.254.169.254 within 1 s (not on EC2)
                Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE.
                """)
        }
        // a profile that exists but holds no credentials says so
        let regionOnly = try makeHome()
        do {
            _ = try await chain(regionOnly, env: ["AWS_PROFILE": "empty"]).credentials()
            XCTFail("expected no credentials")
        } catch let error as CredentialsError {
            XCTAssertTrue("\(error)".contains("profile 'empty': defines none of aws_access_key_id, role_arn, credential_process"), "\(error)")
            XCTAssertTrue("\(error)".contains("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED"), "\(error)")
        }
    }

    func testPartialKeysAreErrors() async throws {
        let home = try makeHome()
        do {
            _ = try await chain(home, env: ["AWS_ACCESS_KEY_ID": "AKIAONLY"]).credentials()
            XCTFail("expected an error")
        } catch let error as CredentialsError {
            XCTAssertEqual("\(error)", "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        do {
            _ = try await chain(home, profile: "half").credentials()
            XCTFail("expected an error")
        } catch let error as CredentialsError {
            XCTAssertEqual("\(error)", "profile 'half' in \(home.path)/.aws/config: aws_access_key_id is set but aws_secret_access_key is missing")
        }
    }

    func testMissingNamedProfile() throws {
        let home = try makeHome()
        XCTAssertThrowsError(try AWSClient.resolve(profile: "nope", environment: home.environment(["AWS_REGION": "us-east-1"]))) {
            XCTAssertEqual("\($0)", "AWS profile 'nope' not found in \(home.path)/.aws/config or \(home.path)/.aws/credentials")
        }
    }

    func testMalformedFilesNameFileAndLine() throws {
        let home = try TempHome(config: "[default]\nregion = us-east-1\n\nthis line is wrong wJalrSECRET\n",
                                credentials: "[default\naws_access_key_id = x\n")
        let env = home.environment()
        XCTAssertThrowsError(try AWSSharedConfig.load(env)) { error in
            XCTAssertEqual("\(error)", "\(home.path)/.aws/config:4: expected 'key = value', a '[section]' header or a comment")
            XCTAssertFalse("\(error)".contains("wJalrSECRET"))
        }
        try home.write(".aws/config", "[default]\n")
        XCTAssertThrowsError(try AWSSharedConfig.load(env)) { error in
            XCTAssertEqual("\(error)", "\(home.path)/.aws/credentials:1: section header is missing its closing ']'")
        }
        try home.write(".aws/credentials", "aws_access_key_id = x\n")
        XCTAssertThrowsError(try AWSSharedConfig.load(env)) { error in
            XCTAssertEqual("\(error)", "\(home.path)/.aws/credentials:1: 'key = value' before any '[section]' header")
        }
    }

    func testINIDialect() throws {
        let sections = try AWSSharedConfig.parseINI("""
            \u{FEFF}[profile x]\r
            Region = eu-west-1\r
            s3 =
              addressing_style = path
              max_concurrent_requests = 4
            note = first
              second line
            ; comment
            """, file: "f")
        XCTAssertEqual(sections.count, 1)
        let section = sections[0].1
        XCTAssertEqual(sections[0].0, "profile x")
        XCTAssertEqual(section.values["region"], "eu-west-1")
        XCTAssertEqual(section.nested["s3"]?["addressing_style"], "path")
        XCTAssertEqual(section.values["note"], "first\nsecond line")
    }
}
