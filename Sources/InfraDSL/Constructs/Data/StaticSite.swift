import InfraCore
import InfraResources

/// Static website content (a single-page app's build, for example) served from a private
/// bucket through a CloudFront distribution.
///
/// ```swift
/// let site = StaticSite(stack, "Frontend", singlePageApp: true,
///                       domainNames: ["app.example.com"], certificateArn: certArn)
/// // site.bucket: upload the build there; site.url: https://<distribution>.cloudfront.net
/// // ARecord(..., target: site)   // the distribution is an AliasTarget
/// ```
///
/// The bucket stays private (all public access blocked): CloudFront reads it with Origin
/// Access Control (SigV4-signed requests), and the bucket policy allows `s3:GetObject` to
/// `cloudfront.amazonaws.com` only for this distribution (`AWS:SourceArn`).
///
/// Defaults: a new `Bucket` with its own defaults (retained on stack deletion); viewers
/// redirected from HTTP to HTTPS; default root object `index.html`; the managed
/// `CachingOptimized` cache policy with compression; the managed `SecurityHeadersPolicy`
/// response headers (HSTS, X-Content-Type-Options, X-Frame-Options, Referrer-Policy,
/// X-XSS-Protection); HTTP/2 and HTTP/3; IPv6; price class 100 (North America and Europe);
/// the `*.cloudfront.net` certificate and no aliases; no SPA fallback. With
/// `singlePageApp: true`, 403 and 404 answers from S3 become `200 /index.html` so client-side
/// routes load. A custom certificate must be an ACM certificate in us-east-1. Uploading the
/// content is not part of this construct. A bucket encrypted with a customer managed KMS key
/// also needs its key policy to let `cloudfront.amazonaws.com` decrypt (managed elsewhere).
public final class StaticSite: Construct, AliasTarget {
    /// The managed CachingOptimized cache policy.
    public static let cachingOptimizedPolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    /// The managed SecurityHeadersPolicy response headers policy.
    public static let securityHeadersPolicyId = "67f7725c-6f97-4210-82d7-5512b31e9d03"
    /// The hosted zone id of every CloudFront distribution, for Route 53 aliases.
    public static let cloudFrontHostedZoneId = "Z2FDTNDATAQYW2"

    /// The bucket holding the content.
    public var bucket: Bucket { contentBucket }
    /// The distribution (`<path>/Distribution`).
    public var distribution: CloudFront.Distribution { distributionStorage! }
    /// The origin access control (`<path>/OriginAccessControl`).
    public var originAccessControl: CloudFront.OriginAccessControl { originAccessControlStorage! }
    /// Set in `init`, right after the construct itself (their scope) exists.
    private var distributionStorage: CloudFront.Distribution?
    private var originAccessControlStorage: CloudFront.OriginAccessControl?

    private let domainNames: [String]
    private let certificateArn: StringValue?
    private let defaultRootObject: String

    /// - Parameters:
    ///   - bucket: the content bucket (default: a new `Bucket` at `<path>/Bucket`).
    ///   - domainNames: alternate domain names (default none); need `certificateArn`.
    ///   - certificateArn: an ACM certificate in us-east-1 covering `domainNames`.
    ///   - defaultRootObject: default `index.html`.
    ///   - singlePageApp: serve `/<defaultRootObject>` for unknown paths (default false).
    ///   - priceClass: default `.priceClass100`.
    ///   - securityHeaders: add the managed security headers (default true).
    ///   - comment: the distribution's comment (default: the construct path).
    public init(
        _ scope: Construct, _ id: String,
        bucket: Bucket? = nil,
        domainNames: [String] = [],
        certificateArn: StringValue? = nil,
        defaultRootObject: String = "index.html",
        singlePageApp: Bool = false,
        priceClass: CloudFront.Distribution.DistributionConfig.PriceClass = .priceClass100,
        securityHeaders: Bool = true,
        comment: String? = nil
    ) {
        self.domainNames = domainNames
        self.certificateArn = certificateArn
        self.defaultRootObject = defaultRootObject
        super.init(scope, id)
        let content = bucket ?? Bucket(self, "Bucket")
        contentBucket = content
        app.addRelation(from: self, to: content, .origin)

        let oac = CloudFront.OriginAccessControl(self, "OriginAccessControl")
        originAccessControlStorage = oac
        // Names are unique per account across regions (CloudFront is global): add the region.
        let oacName = ServerlessSupport.physicalName(
            for: self, allowed: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, maxLength: 48)
        oac.originAccessControlConfig = .init {
            $0.name = Fn.sub("\(oacName)-${AWS::Region}")
            $0.description = StringValue("Access to the bucket of \(path)")
            $0.originAccessControlOriginType = "s3"
            $0.signingBehavior = "always"
            $0.signingProtocol = "sigv4"
        }

        let originId = "S3Origin"
        let d = CloudFront.Distribution(self, "Distribution")
        distributionStorage = d
        d.distributionConfig = .init { c in
            c.enabled = true
            c.comment = StringValue(comment ?? path)
            c.defaultRootObject = StringValue(defaultRootObject)
            c.httpVersion = .http2and3
            c.ipv6Enabled = true
            c.priceClass = priceClass
            c.origins = [.init {
                $0.id = StringValue(originId)
                $0.domainName = content.regionalDomainName
                $0.originAccessControlId = oac.attrId
                $0.s3OriginConfig = .init { $0.originAccessIdentity = "" }
            }]
            c.defaultCacheBehavior = .init {
                $0.targetOriginId = StringValue(originId)
                $0.viewerProtocolPolicy = .redirectToHttps
                $0.cachePolicyId = StringValue(Self.cachingOptimizedPolicyId)
                $0.compress = true
                $0.allowedMethods = ["GET", "HEAD"]
                if securityHeaders { $0.responseHeadersPolicyId = StringValue(Self.securityHeadersPolicyId) }
            }
            if singlePageApp {
                c.customErrorResponses = ListValue([403, 404].map { code in
                    CloudFront.Distribution.CustomErrorResponse {
                        $0.errorCode = NumberValue(code)
                        $0.responseCode = 200
                        $0.responsePagePath = StringValue("/\(defaultRootObject)")
                        $0.errorCachingMinTTL = 10
                    }
                })
            }
            if !domainNames.isEmpty { c.aliases = ListValue(domainNames.map { StringValue($0) }) }
            if let certificateArn {
                c.viewerCertificate = .init {
                    $0.acmCertificateArn = certificateArn
                    $0.sslSupportMethod = .sniOnly
                    $0.minimumProtocolVersion = "TLSv1.2_2021"
                }
            } else {
                c.viewerCertificate = .init { $0.cloudFrontDefaultCertificate = true }
            }
        }

        content.addToResourcePolicy(PolicyStatement(
            actions: ["s3:GetObject"], resources: [content.arnForObjects()],
            principals: ["Service": ["cloudfront.amazonaws.com"]],
            conditions: ["StringEquals": ["AWS:SourceArn": distributionArn.token]]))
    }

    private var contentBucket: Bucket!

    /// The distribution id.
    public var distributionId: StringValue { distribution.ref }
    /// The distribution's ARN.
    public var distributionArn: StringValue {
        "arn:\(Pseudo.partition):cloudfront::\(Pseudo.accountId):distribution/\(distribution.ref)"
    }
    /// The distribution's domain name (`d111111abcdef8.cloudfront.net`).
    public var domainName: StringValue { distribution.attrDomainName }
    /// `https://` and the first alias, or the distribution's domain name.
    public var url: StringValue {
        if let first = domainNames.first { return StringValue("https://\(first)") }
        return "https://\(distribution.attrDomainName)"
    }

    public var aliasDnsName: StringValue { distribution.attrDomainName }
    public var aliasHostedZoneId: StringValue { StringValue(Self.cloudFrontHostedZoneId) }

    public override func validate() -> [String] {
        var errors: [String] = []
        if !domainNames.isEmpty && certificateArn == nil {
            errors.append("domainNames need a certificateArn (an ACM certificate in us-east-1 covering them)")
        }
        if domainNames.isEmpty && certificateArn != nil {
            errors.append("a certificateArn is only used with domainNames")
        }
        if let arn = certificateArn?.literal, arn.hasPrefix("arn:"), arn.split(separator: ":").count > 3,
           arn.split(separator: ":")[3] != "us-east-1" {
            errors.append("CloudFront only accepts ACM certificates from us-east-1 (got \(arn))")
        }
        if defaultRootObject.isEmpty || defaultRootObject.hasPrefix("/") {
            errors.append("defaultRootObject must be an object key without a leading '/' (got '\(defaultRootObject)')")
        }
        return errors
    }
}
