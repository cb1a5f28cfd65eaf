import InfraCore

/// What an address record points at.
public struct RecordTarget {
    enum Kind {
        case alias(AliasTarget, evaluateTargetHealth: Bool)
        case addresses([String])
    }

    let kind: Kind

    /// A Route 53 alias to a load balancer or CloudFront distribution (free queries, follows
    /// the target's addresses). `evaluateTargetHealth` defaults to false (CloudFront does not
    /// support it).
    public static func alias(_ target: AliasTarget, evaluateTargetHealth: Bool = false) -> RecordTarget {
        RecordTarget(kind: .alias(target, evaluateTargetHealth: evaluateTargetHealth))
    }

    /// Literal IP addresses.
    public static func ipAddresses(_ addresses: [String]) -> RecordTarget {
        RecordTarget(kind: .addresses(addresses))
    }
}
