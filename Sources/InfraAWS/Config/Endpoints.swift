import Foundation

/// The wire protocol of a service.
public enum AWSProtocol: Sendable {
    case query(version: String)
    case restXML
    case json(version: String, targetPrefix: String)
    /// REST with JSON bodies (Lambda).
    case restJSON
}

/// A service infra talks to.
public struct AWSService: Sendable, Hashable, CustomStringConvertible {
    /// Display name, e.g. "CloudFormation".
    public var name: String
    /// SigV4 signing name, e.g. "cloudformation".
    public var signingName: String
    /// Host label before the region, e.g. "api.ecr".
    public var hostPrefix: String
    /// Suffix of `AWS_ENDPOINT_URL_<X>` and key of a `[services]` section.
    public var environmentKey: String
    public var configKey: String
    /// A global service has one endpoint per partition, signed for the partition's main region.
    public var isGlobal: Bool
    public var `protocol`: AWSProtocol

    public var description: String { name }

    public static func == (a: AWSService, b: AWSService) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// An AWS partition: its DNS suffix and the region global services are signed for.
public struct Partition: Sendable, Equatable {
    public var id: String
    public var dnsSuffix: String
    public var globalRegion: String

    public static let aws = Partition(id: "aws", dnsSuffix: "amazonaws.com", globalRegion: "us-east-1")
    public static let china = Partition(id: "aws-cn", dnsSuffix: "amazonaws.com.cn", globalRegion: "cn-north-1")
    public static let govCloud = Partition(id: "aws-us-gov", dnsSuffix: "amazonaws.com", globalRegion: "us-gov-west-1")

    public static func of(region: String) -> Partition {
        if region.hasPrefix("cn-") { return .china }
        if region.hasPrefix("us-gov-") { return .govCloud }
        return .aws
    }
}

/// Where a call goes and how it is signed.
public struct Endpoint: Sendable, Equatable {
    public var url: URL
    public var signingRegion: String
    /// True for an override (`AWS_ENDPOINT_URL*`, `endpoint_url`): S3 then uses path-style.
    public var isCustom: Bool
    /// S3 only: put the bucket in the host name (`bucket.s3.region.amazonaws.com`).
    public var s3VirtualHostStyle: Bool = false

    public init(url: URL, signingRegion: String, isCustom: Bool, s3VirtualHostStyle: Bool = false) {
        self.url = url
        self.signingRegion = signingRegion
        self.isCustom = isCustom
        self.s3VirtualHostStyle = s3VirtualHostStyle
    }
}

public struct EndpointError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Resolves service endpoints for a region: partition hostnames, the global/regional STS
/// choice, and overrides from `AWS_ENDPOINT_URL_<SERVICE>`, the profile's `services` section,
/// `AWS_ENDPOINT_URL` and the profile's `endpoint_url`, in that order of precedence.
public struct EndpointResolver: Sendable {
    public enum S3AddressingStyle: String, Sendable { case auto, virtual, path }

    public var environment: AWSEnvironment
    public var profile: AWSProfile?
    /// STS: `regional` (the default of current AWS SDKs) or `legacy` (global `sts.amazonaws.com`).
    public var stsRegional: Bool
    public var s3AddressingStyle: S3AddressingStyle
    /// Explicit overrides per service (highest precedence), e.g. from a CLI flag.
    public var overrides: [AWSService: URL]

    public init(environment: AWSEnvironment, profile: AWSProfile? = nil, overrides: [AWSService: URL] = [:]) {
        self.environment = environment
        self.profile = profile
        self.overrides = overrides
        let sts = environment["AWS_STS_REGIONAL_ENDPOINTS"] ?? profile?["sts_regional_endpoints"] ?? "regional"
        self.stsRegional = sts.lowercased() != "legacy"
        let style = profile?.nested("s3", "addressing_style") ?? "auto"
        self.s3AddressingStyle = S3AddressingStyle(rawValue: style.lowercased()) ?? .auto
    }

    /// The configured endpoint override for a service, if any, and where it came from.
    public func configuredEndpoint(for service: AWSService) throws -> (url: URL, source: String)? {
        if let url = overrides[service] { return (url, "explicit override") }
        let ignore = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"].map { $0.lowercased() == "true" }
            ?? (profile?["ignore_configured_endpoint_urls"]?.lowercased() == "true")
        if ignore { return nil }
        let candidates: [(String?, String)] = [
            (environment["AWS_ENDPOINT_URL_\(service.environmentKey)"], "AWS_ENDPOINT_URL_\(service.environmentKey)"),
            (profile?.serviceSetting(service.configKey, "endpoint_url"),
             "endpoint_url of \(service.configKey) in the services section of profile '\(profile?.name ?? "")'"),
            (environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
            (profile?["endpoint_url"], "endpoint_url of profile '\(profile?.name ?? "")'"),
        ]
        for case let (value?, source) in candidates {
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil else {
                throw EndpointError(description: "\(source) is not an http(s) URL: '\(value)'")
            }
            return (url, source)
        }
        return nil
    }

    public func endpoint(for service: AWSService, region: String) throws -> Endpoint {
        guard Self.isValidRegion(region) else {
            throw EndpointError(description: "'\(region)' is not a valid AWS region name")
        }
        if let (url, _) = try configuredEndpoint(for: service) {
            var s = url.absoluteString
            while s.hasSuffix("/") { s.removeLast() }
            return Endpoint(url: URL(string: s)!, signingRegion: region, isCustom: true)
        }
        let partition = Partition.of(region: region)
        let host: String
        var signingRegion = region
        switch service {
        case .iam:
            switch partition {
            case .china: host = "iam.cn-north-1.amazonaws.com.cn"
            case .govCloud: host = "iam.us-gov.amazonaws.com"
            default: host = "iam.amazonaws.com"
            }
            signingRegion = partition.globalRegion
        case .route53:  // h5: global, like IAM (route53.amazonaws.com, signed for us-east-1)
            host = partition == .china ? "route53.amazonaws.com.cn" : "route53.amazonaws.com"
            signingRegion = partition.globalRegion
        case .sts where !stsRegional && partition == .aws:
            host = "sts.amazonaws.com"
            signingRegion = "us-east-1"
        default:
            host = "\(service.hostPrefix).\(region).\(partition.dnsSuffix)"
        }
        return Endpoint(url: URL(string: "https://\(host)")!, signingRegion: signingRegion, isCustom: false,
                        s3VirtualHostStyle: service == .s3 && s3AddressingStyle != .path)
    }

    static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 63 && region.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45
        }
    }
}

/// Region resolution: explicit (`--region`), `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
/// `region`, then the caller's fallback (the stack's config).
public enum RegionResolver {
    public static func resolve(explicit: String? = nil, environment: AWSEnvironment,
                               profile: AWSProfile?, fallback: String? = nil) throws -> String {
        let candidates: [(String?, String)] = [
            (explicit, "explicit region"),
            (environment["AWS_REGION"], "AWS_REGION"),
            (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
            (profile?["region"], "region of profile '\(profile?.name ?? "")'"),
            (fallback, "configured fallback region"),
        ]
        for case let (value?, source) in candidates {
            let region = value.trimmingCharacters(in: .whitespaces)
            guard EndpointResolver.isValidRegion(region) else {
                throw EndpointError(description: "\(source) '\(value)' is not a valid AWS region name")
            }
            return region
        }
        throw EndpointError(description: """
            No AWS region configured. Looked at: the --region option, AWS_REGION, AWS_DEFAULT_REGION, \
            the 'region' of profile '\(profile?.name ?? environment.profileName ?? "default")' in \
            \(environment.configFilePath), and the stack's configured region.
            """)
    }
}
