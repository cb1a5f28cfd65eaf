import Foundation
import InfraCore
import InfraResources

/// The domain of a user pool's hosted UI: a Cognito prefix
/// (`https://<prefix>.auth.<region>.amazoncognito.com`) or a custom domain with an ACM
/// certificate from us-east-1 (Cognito serves it through CloudFront; point an alias record at
/// this construct, an `AliasTarget`, and make sure the parent domain resolves first, as
/// Cognito checks it). Defaults: the classic hosted UI (managed login version 1).
public final class UserPoolDomain: Construct, AliasTarget {
    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Cognito.UserPoolDomain { resourceStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var resourceStorage: Cognito.UserPoolDomain?

    private let domain: String
    /// The prefix when it is a token (e.g. `<name>-${AWS::AccountId}`); `domain` is then its literal part.
    private var prefixToken: StringValue?
    private let isCustom: Bool
    private let certificateArn: StringValue?

    /// A Cognito-prefix domain: `prefix` is 1-63 lowercase letters, digits and hyphens, unique
    /// in the region, and may not contain `aws`, `amazon` or `cognito`.
    public init(_ scope: Construct, _ id: String, userPool: any UserPoolRef, cognitoDomainPrefix: String) {
        domain = cognitoDomainPrefix
        isCustom = false
        certificateArn = nil
        super.init(scope, id)
        let d = Cognito.UserPoolDomain(self, "Resource")
        resourceStorage = d
        d.domain = StringValue(cognitoDomainPrefix)
        d.userPoolId = userPool.userPoolId
    }

    /// A Cognito-prefix domain given as a token, such as `"\(name)-\(Pseudo.accountId)"` (unique
    /// per account; the literal parts are checked as far as they go, the whole at deploy time).
    public init(_ scope: Construct, _ id: String, userPool: any UserPoolRef, cognitoDomainPrefix: StringValue) {
        domain = cognitoDomainPrefix.literal ?? ""
        prefixToken = cognitoDomainPrefix.literal == nil ? cognitoDomainPrefix : nil
        isCustom = false
        certificateArn = nil
        super.init(scope, id)
        let d = Cognito.UserPoolDomain(self, "Resource")
        resourceStorage = d
        d.domain = cognitoDomainPrefix
        d.userPoolId = userPool.userPoolId
    }

    /// A custom domain (`auth.example.com`) with an ACM certificate from us-east-1.
    public init(_ scope: Construct, _ id: String, userPool: any UserPoolRef, customDomain: String, certificateArn: StringValue) {
        domain = customDomain
        isCustom = true
        self.certificateArn = certificateArn
        super.init(scope, id)
        let d = Cognito.UserPoolDomain(self, "Resource")
        resourceStorage = d
        d.domain = StringValue(customDomain)
        d.userPoolId = userPool.userPoolId
        d.customDomainConfig = .init { $0.certificateArn = certificateArn }
    }

    /// The base URL of the hosted UI.
    public var baseUrl: StringValue {
        if let prefixToken { return "https://\(prefixToken).auth.\(Pseudo.region).amazoncognito.com" }
        return isCustom ? StringValue("https://\(domain)") : "https://\(domain).auth.\(Pseudo.region).amazoncognito.com"
    }

    /// The hosted UI's sign-in URL for `client` (authorization code flow) redirecting to
    /// `redirectUri` (one of the client's callback URLs).
    public func signInUrl(client: UserPoolClient, redirectUri: String) -> StringValue {
        let encoded = redirectUri.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? redirectUri
        return ServerlessSupport.flat("\(baseUrl)/login?client_id=\(client.clientId)&response_type=code&redirect_uri=\(encoded)")
    }

    /// The prefix (a literal or a token); for a custom domain, the domain.
    public var domainName: StringValue { prefixToken ?? StringValue(domain) }

    /// The CloudFront domain name behind a custom domain (for a DNS alias).
    public var aliasDnsName: StringValue { resource.attrCloudFrontDistribution }
    public var aliasHostedZoneId: StringValue { StringValue(StaticSite.cloudFrontHostedZoneId) }

    public override func validate() -> [String] {
        var errors: [String] = []
        if isCustom {
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            if labels.count < 2 || labels.contains(where: \.isEmpty) || domain.count > 253 {
                errors.append("customDomain '\(domain)' is not a fully qualified domain name")
            }
            if let arn = certificateArn?.literal, arn.split(separator: ":").count > 3, arn.split(separator: ":")[3] != "us-east-1" {
                errors.append("the certificate of a custom Cognito domain must be in us-east-1 (got \(arn))")
            }
        } else if prefixToken == nil {
            let valid = (1...63).contains(domain.count)
                && domain.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
                && !domain.hasPrefix("-") && !domain.hasSuffix("-")
            if !valid {
                errors.append("cognitoDomainPrefix '\(domain)' is invalid: 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen")
            }
            for word in ["aws", "amazon", "cognito"] where domain.contains(word) {
                errors.append("cognitoDomainPrefix '\(domain)' must not contain the reserved word '\(word)'")
            }
        }
        return errors
    }
}
