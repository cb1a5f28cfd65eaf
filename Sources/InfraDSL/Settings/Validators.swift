import Foundation

/// The one rule per kind of value that constructs and stack settings share. Each `is...` answers
/// whether a value is valid; each `...Problem` returns the message for an invalid one (nil when
/// valid), so a construct (naming its path) and a setting (naming its file and key) say the same.
public enum Validate {
    // MARK: DNS

    /// A DNS name: labels of letters, digits, hyphens and underscores (hyphen not at either end),
    /// 1-63 characters each and 253 in all, one trailing dot allowed; `*` allowed as the first
    /// label when `wildcard`.
    /// `underscore: false` for host names (certificates, load balancer aliases).
    public static func isDNSName(_ name: String, wildcard: Bool = false, underscore: Bool = true) -> Bool {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        guard !n.isEmpty, n.count <= 253 else { return false }
        let labels = n.split(separator: ".", omittingEmptySubsequences: false)
        for (i, label) in labels.enumerated() {
            if wildcard && i == 0 && label == "*" && labels.count > 1 { continue }
            guard (1...63).contains(label.count), label.first != "-", label.last != "-",
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || (underscore && $0 == "_")) }) else { return false }
        }
        return true
    }

    /// A domain name below a top-level domain (at least two labels), such as example.com.
    public static func isDomainName(_ name: String, underscore: Bool = true) -> Bool {
        isDNSName(name, underscore: underscore) && name.split(separator: ".").count >= 2
    }

    /// A Route 53 hosted zone id: upper-case letters and digits, such as Z0123456789ABC.
    public static func isHostedZoneId(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 32 && id.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }

    // MARK: EC2 and S3 ids

    /// A VPC id: `vpc-` and at least one more character.
    public static func isVpcId(_ id: String) -> Bool { id.hasPrefix("vpc-") && id.count > 4 }

    /// A subnet id: `subnet-` and at least one more character.
    public static func isSubnetId(_ id: String) -> Bool { id.hasPrefix("subnet-") && id.count > 7 }

    /// nil when `id` is a VPC id.
    public static func vpcIdProblem(_ id: String) -> String? { isVpcId(id) ? nil : "'\(id)' is not a VPC id (vpc-...)" }

    /// nil when every id is a subnet id.
    public static func subnetIdsProblem(_ ids: [String]) -> String? {
        ids.first { !isSubnetId($0) }.map { "'\($0)' is not a subnet id (subnet-...)" }
    }

    /// S3's rule for a bucket name: 3-63 lower-case letters, digits, `-` and `.`, starting and
    /// ending with a letter or digit, no `..`, not starting with `xn--`.
    public static func isBucketName(_ name: String) -> Bool {
        let chars = name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        let ends = name.first.map { $0.isLowercase || $0.isNumber } == true && name.last.map { $0.isLowercase || $0.isNumber } == true
        return (3...63).contains(name.count) && chars && ends && !name.contains("..") && !name.hasPrefix("xn--")
    }

    // MARK: Containers

    /// ECR's rule: lower-case path components of letters and digits separated by `.`, `_` or `-`
    /// (no two separators in a row, except `__`), joined by `/`, 2 to 256 characters.
    public static func isECRRepositoryName(_ name: String) -> Bool {
        guard (2...256).contains(name.count) else { return false }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = component.first, let last = component.last,
                  first.isASCII, first.isLowercase || first.isNumber,
                  last.isASCII, last.isLowercase || last.isNumber else { return false }
            var previousSeparator = false
            for ch in component {
                let separator = ch == "." || ch == "_" || ch == "-"
                guard ch.isASCII, separator || ch.isLowercase || ch.isNumber else { return false }
                if separator && previousSeparator && ch != "_" { return false }
                previousSeparator = separator
            }
        }
        return true
    }

    public static let ecrRepositoryNameRule = "lower-case letters, digits and . _ - /, 2-256, components starting and ending with a letter or digit"

    /// A Docker image tag: letters, digits, `.`, `_`, `-`, 1-128, not starting with `.` or `-`.
    public static func isImageTag(_ tag: String) -> Bool {
        (1...128).contains(tag.count) && tag.first != "." && tag.first != "-"
            && tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    public static let imageTagRule = "letters, digits, . _ -, at most 128, not starting with . or -"

    // MARK: Numbers

    /// A TCP/UDP port.
    public static let ports = 1...65535

    /// An Application Load Balancer's idle timeout, seconds.
    public static let albIdleTimeoutSeconds = 1...4000

    /// The retention periods CloudWatch Logs accepts, in days.
    public static let logRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                                          2192, 2557, 2922, 3288, 3653]

    /// nil when `days` is a retention CloudWatch Logs accepts.
    public static func logRetentionProblem(_ days: Int) -> String? {
        logRetentionDays.contains(days) ? nil
            : "\(days) is not a retention CloudWatch Logs accepts (\(logRetentionDays.map(String.init).joined(separator: ", ")))"
    }

    /// nil when `value` is in `range`.
    public static func rangeProblem(_ value: Int, _ range: ClosedRange<Int>) -> String? {
        range.contains(value) ? nil : "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))"
    }

    // MARK: Network

    /// nil when `text` is an IPv4 CIDR block (see `IPv4Cidr.problem`); `prefixes` limits its length.
    public static func cidrProblem(_ text: String, prefixes: ClosedRange<Int> = 0...32) -> String? {
        if let p = IPv4Cidr.problem(text) { return p }
        let block = IPv4Cidr(text)!
        return prefixes.contains(block.prefixLength) ? nil
            : "'\(text)': the prefix length must be between /\(prefixes.lowerBound) and /\(prefixes.upperBound)"
    }

    // MARK: ARNs

    /// An ARN of `service` (`arn:<partition>:<service>:<region>:<account>:<resource>`) whose
    /// resource starts with `resourcePrefix` (such as `certificate/`).
    public static func isARN(_ arn: String, service: String, resourcePrefix: String = "") -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ["aws", "aws-cn", "aws-us-gov"].contains(String(parts[1])),
              parts[2] == service else { return false }
        let account = parts[4]
        guard account.isEmpty || (account.count == 12 && account.allSatisfy(\.isNumber)) else { return false }
        return parts[5].hasPrefix(resourcePrefix) && parts[5].count > resourcePrefix.count
    }

    /// The region of an ARN (its fourth field), nil when it is not an ARN.
    public static func arnRegion(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" ? String(parts[3]) : nil
    }

    // MARK: Fargate

    /// A Fargate CPU/memory pair's problem by setting key (`TaskDefinition.fargateSizeProblem`).
    public static func fargateSizeProblem(cpu: Int, memory: MemorySize, cpuKey: String, memoryKey: String) -> (key: String, message: String)? {
        switch TaskDefinition.fargateSizeProblem(cpu: cpu, memory: memory) {
        case .cpu(let message)?: return (cpuKey, message)
        case .memory(let message)?: return (memoryKey, message)
        case nil: return nil
        }
    }

    // MARK: API Gateway and CloudFront

    /// nil when `path` is one API Gateway path segment of letters, digits, `-`, `_` and `.`.
    public static func apiPathSegmentProblem(_ path: String) -> String? {
        !path.isEmpty && path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) ? nil
            : "'\(path)' must be one path segment of letters, digits, '-', '_' and '.'"
    }

    /// nil when `name` is an API Gateway stage name: 1-128 letters, digits, `-` and `_`.
    public static func apiStageNameProblem(_ name: String) -> String? {
        !name.isEmpty && name.count <= 128 && name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) ? nil
            : "'\(name)' must be 1-128 letters, digits, '-' and '_'"
    }

    /// nil when `origins` are CORS origins: `*` alone, or https origins (http only for localhost)
    /// without a path or trailing `/`.
    public static func corsOriginsProblem(_ origins: [String]) -> String? {
        if origins.isEmpty { return "must name at least one origin (or be null)" }
        if origins.count > 1 && origins.contains("*") { return "'*' must be the only origin when used" }
        for o in origins where o != "*" {
            let local = o.hasPrefix("http://localhost") || o.hasPrefix("http://127.0.0.1")
            if !(o.hasPrefix("https://") || local) || o.hasSuffix("/") || o.contains("'") {
                return "'\(o)' is not an origin such as https://app.example.com (https, no path or trailing '/')"
            }
        }
        return nil
    }

    /// nil when `arn` is an ACM certificate CloudFront can use (in us-east-1).
    public static func cloudFrontCertificateProblem(_ arn: String) -> String? {
        if !isARN(arn, service: "acm", resourcePrefix: "certificate/") { return "'\(arn)' is not an ACM certificate ARN" }
        let region = arnRegion(arn) ?? ""
        return region == "us-east-1" ? nil : "CloudFront only uses certificates from us-east-1 (got \(region))"
    }

    /// The rules of a CloudFront site's custom domain (`SITE_DOMAIN`, `SITE_CERTIFICATE_ARN`,
    /// `HOSTED_ZONE_ID`, `HOSTED_ZONE_NAME`) between each other, by key.
    public static func siteDomainProblems(domain: String?, certificateArn: String?, hostedZoneId: String?,
                                          hostedZoneName: String?) -> [(key: String, message: String)] {
        var p: [(key: String, message: String)] = []
        if domain != nil {
            if certificateArn == nil { p.append(("SITE_CERTIFICATE_ARN", "required with SITE_DOMAIN: an ACM certificate in us-east-1 covering it")) }
        } else {
            if certificateArn != nil { p.append(("SITE_CERTIFICATE_ARN", "only used with SITE_DOMAIN")) }
            if hostedZoneId != nil { p.append(("HOSTED_ZONE_ID", "only used with SITE_DOMAIN")) }
        }
        if hostedZoneId != nil {
            if let zone = hostedZoneName {
                let z = zone.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
                let d = (domain ?? "").lowercased()
                if !(d == z || d.hasSuffix("." + z)) { p.append(("HOSTED_ZONE_NAME", "SITE_DOMAIN '\(d)' is not in the zone '\(z)'")) }
            } else {
                p.append(("HOSTED_ZONE_NAME", "required with HOSTED_ZONE_ID"))
            }
        } else if hostedZoneName != nil {
            p.append(("HOSTED_ZONE_ID", "required with HOSTED_ZONE_NAME"))
        }
        return p
    }
}
