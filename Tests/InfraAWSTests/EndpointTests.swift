import Foundation
@testable import InfraAWS
import XCTest

final class EndpointTests: XCTestCase {
    func resolver(_ env: [String: String] = [:], profile: AWSProfile? = nil) -> EndpointResolver {
        EndpointResolver(environment: AWSEnvironment(variables: env, homeDirectory: "/nonexistent"), profile: profile)
    }

    func url(_ service: AWSService, _ region: String, _ env: [String: String] = [:]) throws -> String {
        try resolver(env).endpoint(for: service, region: region).url.absoluteString
    }

    func testPartitionsAndHostnames() throws {
        XCTAssertEqual(try url(.cloudFormation, "us-east-1"), "https://cloudformation.us-east-1.amazonaws.com")
        XCTAssertEqual(try url(.cloudFormation, "cn-north-1"), "https://cloudformation.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(try url(.cloudFormation, "us-gov-west-1"), "https://cloudformation.us-gov-west-1.amazonaws.com")
        XCTAssertEqual(try url(.ecr, "eu-west-1"), "https://api.ecr.eu-west-1.amazonaws.com")
        XCTAssertEqual(try url(.ecr, "cn-northwest-1"), "https://api.ecr.cn-northwest-1.amazonaws.com.cn")
        XCTAssertEqual(try url(.s3, "ap-southeast-2"), "https://s3.ap-southeast-2.amazonaws.com")
        XCTAssertEqual(try url(.s3, "cn-north-1"), "https://s3.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(Partition.of(region: "cn-northwest-1"), .china)
        XCTAssertEqual(Partition.of(region: "us-gov-east-1"), .govCloud)
        XCTAssertEqual(Partition.of(region: "eu-central-2"), .aws)
        XCTAssertThrowsError(try url(.s3, "US_EAST_1")) {
            XCTAssertEqual("\($0)", "'US_EAST_1' is not a valid AWS region name")
        }
    }

    func testGlobalAndRegionalSTSAndIAM() throws {
        let regional = try resolver().endpoint(for: .sts, region: "eu-west-1")
        XCTAssertEqual(regional.url.absoluteString, "https://sts.eu-west-1.amazonaws.com")
        XCTAssertEqual(regional.signingRegion, "eu-west-1")
        let legacy = try resolver(["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]).endpoint(for: .sts, region: "eu-west-1")
        XCTAssertEqual(legacy.url.absoluteString, "https://sts.amazonaws.com")
        XCTAssertEqual(legacy.signingRegion, "us-east-1")
        XCTAssertEqual(try url(.sts, "cn-north-1", ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]),
                       "https://sts.cn-north-1.amazonaws.com.cn")

        let iam = try resolver().endpoint(for: .iam, region: "eu-west-1")
        XCTAssertEqual(iam.url.absoluteString, "https://iam.amazonaws.com")
        XCTAssertEqual(iam.signingRegion, "us-east-1")
        let iamChina = try resolver().endpoint(for: .iam, region: "cn-northwest-1")
        XCTAssertEqual(iamChina.url.absoluteString, "https://iam.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(iamChina.signingRegion, "cn-north-1")
        let iamGov = try resolver().endpoint(for: .iam, region: "us-gov-east-1")
        XCTAssertEqual(iamGov.url.absoluteString, "https://iam.us-gov.amazonaws.com")
        XCTAssertEqual(iamGov.signingRegion, "us-gov-west-1")
    }

    func testS3VirtualHostAndPathStyle() throws {
        func s3URL(_ bucket: String, _ key: String, env: [String: String] = [:], profile: AWSProfile? = nil) throws -> String {
            let endpoint = try resolver(env, profile: profile).endpoint(for: .s3, region: "eu-west-1")
            let call = AWSRequest(service: .s3, operation: "GetObject", method: "GET",
                                  path: "/" + PercentEncoding.uriEncode(key, keepSlash: true))
            return try AWSClient.url(for: S3Client.addressed(call, bucket: bucket, endpoint: endpoint),
                                     endpoint: endpoint).absoluteString
        }
        XCTAssertEqual(try s3URL("my-bucket", "a/b c"), "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b%20c")
        // dots break TLS host matching, upper case is not DNS-safe: path style
        XCTAssertEqual(try s3URL("my.bucket", "k"), "https://s3.eu-west-1.amazonaws.com/my.bucket/k")
        XCTAssertEqual(try s3URL("My_Bucket", "k"), "https://s3.eu-west-1.amazonaws.com/My_Bucket/k")
        // custom endpoints are always path style (and keep a base path)
        XCTAssertEqual(try s3URL("my-bucket", "k", env: ["AWS_ENDPOINT_URL": "http://localhost:4566/base/"]),
                       "http://localhost:4566/base/my-bucket/k")

        let home = try TempHome(config: "[default]\ns3 =\n  addressing_style = path\n")
        let profile = try AWSSharedConfig.load(home.environment()).profile("default")
        XCTAssertEqual(try s3URL("my-bucket", "k", profile: profile), "https://s3.eu-west-1.amazonaws.com/my-bucket/k")

        // bucket-level call, query subresource without a value
        var list = AWSRequest(service: .s3, operation: "DeleteObjects", method: "POST")
        list.query = [("delete", "")]
        func listURL(_ endpoint: Endpoint) throws -> String {
            try AWSClient.url(for: S3Client.addressed(list, bucket: "my-bucket", endpoint: endpoint), endpoint: endpoint)
                .absoluteString
        }
        XCTAssertEqual(try listURL(resolver().endpoint(for: .s3, region: "eu-west-1")),
                       "https://my-bucket.s3.eu-west-1.amazonaws.com/?delete")
        XCTAssertEqual(try listURL(resolver(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]).endpoint(for: .s3, region: "eu-west-1")),
                       "http://127.0.0.1:5000/my-bucket?delete")
    }

    func testEndpointOverridePrecedence() throws {
        let home = try TempHome(config: """
            [profile dev]
            region = eu-west-1
            services = dev-services
            endpoint_url = http://profile-global:1000

            [services dev-services]
            s3 =
              endpoint_url = http://s3-from-services:2000
            """)
        let profile = try AWSSharedConfig.load(home.environment()).profile("dev")
        func url(_ service: AWSService, _ env: [String: String]) throws -> String {
            try resolver(env, profile: profile).endpoint(for: service, region: "eu-west-1").url.absoluteString
        }
        // profile's services section for S3, profile's endpoint_url for the rest
        XCTAssertEqual(try url(.s3, [:]), "http://s3-from-services:2000")
        XCTAssertEqual(try url(.cloudFormation, [:]), "http://profile-global:1000")
        // AWS_ENDPOINT_URL beats the profile's global endpoint_url but not its service entry
        XCTAssertEqual(try url(.cloudFormation, ["AWS_ENDPOINT_URL": "http://env-global:3000"]), "http://env-global:3000")
        XCTAssertEqual(try url(.s3, ["AWS_ENDPOINT_URL": "http://env-global:3000"]), "http://s3-from-services:2000")
        // AWS_ENDPOINT_URL_<SERVICE> beats everything
        let env = ["AWS_ENDPOINT_URL": "http://env-global:3000",
                   "AWS_ENDPOINT_URL_S3": "http://env-s3:4000",
                   "AWS_ENDPOINT_URL_CLOUDFORMATION": "http://env-cfn:4001",
                   "AWS_ENDPOINT_URL_STS": "http://env-sts:4002",
                   "AWS_ENDPOINT_URL_ECR": "http://env-ecr:4003"]
        XCTAssertEqual(try url(.s3, env), "http://env-s3:4000")
        XCTAssertEqual(try url(.cloudFormation, env), "http://env-cfn:4001")
        XCTAssertEqual(try url(.sts, env), "http://env-sts:4002")
        XCTAssertEqual(try url(.ecr, env), "http://env-ecr:4003")
        XCTAssertEqual(try url(.iam, env), "http://env-global:3000")
        let custom = try resolver(env, profile: profile).endpoint(for: .s3, region: "eu-west-1")
        XCTAssertTrue(custom.isCustom)
        XCTAssertEqual(custom.signingRegion, "eu-west-1")
        // and all of it can be switched off
        XCTAssertEqual(try url(.s3, env.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 }),
                       "https://s3.eu-west-1.amazonaws.com")
        XCTAssertThrowsError(try url(.s3, ["AWS_ENDPOINT_URL_S3": "localhost:4566"])) {
            XCTAssertEqual("\($0)", "AWS_ENDPOINT_URL_S3 is not an http(s) URL: 'localhost:4566'")
        }
    }

    func testRegionResolutionOrder() throws {
        let home = try TempHome(config: "[profile dev]\nregion = eu-west-1\n")
        let profile = try AWSSharedConfig.load(home.environment()).profile("dev")
        func region(_ explicit: String?, _ env: [String: String], _ fallback: String? = "ap-south-1") throws -> String {
            try RegionResolver.resolve(explicit: explicit, environment: AWSEnvironment(variables: env, homeDirectory: home.path),
                                       profile: profile, fallback: fallback)
        }
        let all = ["AWS_REGION": "us-west-1", "AWS_DEFAULT_REGION": "us-west-2"]
        XCTAssertEqual(try region("ca-central-1", all), "ca-central-1")
        XCTAssertEqual(try region(nil, all), "us-west-1")
        XCTAssertEqual(try region(nil, ["AWS_DEFAULT_REGION": "us-west-2"]), "us-west-2")
        XCTAssertEqual(try region(nil, [:]), "eu-west-1")
        XCTAssertEqual(try RegionResolver.resolve(environment: AWSEnvironment(variables: [:], homeDirectory: "/x"),
                                                  profile: nil, fallback: "ap-south-1"), "ap-south-1")
        XCTAssertThrowsError(try RegionResolver.resolve(environment: AWSEnvironment(variables: [:], homeDirectory: "/h"),
                                                        profile: nil)) {
            XCTAssertEqual("\($0)", "No AWS region configured. Looked at: the --region option, AWS_REGION, "
                           + "AWS_DEFAULT_REGION, the 'region' of profile 'default' in /h/.aws/config, "
                           + "and the stack's configured region.")
        }
    }

    func testResolveWiresEverything() async throws {
        let home = try TempHome(config: "[profile dev]\nregion = eu-north-1\nmax_attempts = 7\n",
                                credentials: "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n")
        let transport = ScriptedTransport([.xml(200, """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
                <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
                <Account>123456789012</Account>
              </GetCallerIdentityResult>
              <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
            </GetCallerIdentityResponse>
            """)])
        let client = try AWSClient.resolve(profile: "dev", environment: home.environment(), transport: transport)
        XCTAssertEqual(client.region, "eu-north-1")
        XCTAssertEqual(client.options.retry.maxAttempts, 7)
        let identity = try await STSClient(client: client).getCallerIdentity()
        XCTAssertEqual(identity, .init(account: "123456789012", arn: "arn:aws:iam::123456789012:user/Alice",
                                       userId: "AIDACKCEVSQ6C2EXAMPLE"))
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.url.absoluteString, "https://sts.eu-north-1.amazonaws.com/")
        XCTAssertEqual(request.bodyText, "Action=GetCallerIdentity&Version=2011-06-15")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded; charset=utf-8")
        XCTAssertTrue(request.headers["Authorization"]!.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIADEV/"), request.headers["Authorization"]!)
        XCTAssertNil(request.headers["User-Agent"])
    }
}
