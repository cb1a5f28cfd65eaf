import InfraCore

/// Helpers shared by the Data, Messaging, Functions, API, Auth and Custom constructs.
enum ServerlessSupport {
    /// Component `index` of `arn` split on `separator`: computed when the ARN is a literal,
    /// `Fn::Select` of `Fn::Split` when it is a token.
    static func arnComponent(_ arn: StringValue, separator: String, index: Int) -> StringValue {
        if let literal = arn.literal {
            let parts = literal.components(separatedBy: separator)
            return StringValue(index < parts.count ? parts[index] : "")
        }
        return Fn.select(index, Fn.split(separator, arn))
    }

    /// Adds `actions` on the customer managed KMS `key` to `grantee`'s policy (nothing without a key).
    static func grantKey(_ grantee: Grantable, _ key: StringValue?, _ actions: [String]) {
        if let key { grantee.addToPrincipalPolicy(PolicyStatement(actions: actions, resources: [key])) }
    }

    /// The last `:`-separated component of a literal ARN (a token yields `Fn::Select` of
    /// component `tokenIndex`).
    static func arnResourceName(_ arn: StringValue, tokenIndex: Int) -> StringValue {
        if let literal = arn.literal {
            return StringValue(literal.components(separatedBy: ":").last ?? literal)
        }
        return Fn.select(tokenIndex, Fn.split(":", arn))
    }

    /// A physical name built from the stack name and the construct path below the stack,
    /// keeping only the characters in `allowed` (others become `-`) and at most `maxLength`
    /// characters (the tail of long names is replaced by a short hash of the whole name).
    static func physicalName(for construct: Construct, allowed: (Character) -> Bool, maxLength: Int, separator: String = "-") -> String {
        let below = construct.pathComponents.dropFirst(construct.stack.pathComponents.count)
        let raw = ([construct.stack.stackName] + below).joined(separator: separator)
        let cleaned = String(raw.map { allowed($0) ? $0 : "-" })
        if cleaned.count <= maxLength { return cleaned }
        let hash = String(Hash.sha256Hex(raw).prefix(8))
        return String(cleaned.prefix(maxLength - hash.count - 1)) + "-" + hash
    }

    /// An error when `policy` is `.snapshot`, which only databases, caches and volumes support.
    static func checkNoSnapshot(_ policy: DeletionPolicy, _ kind: String) -> [String] {
        policy == .snapshot ? ["removalPolicy .snapshot is not supported by \(kind): use .retain or .delete"] : []
    }

    /// `message` when `value` is outside `range`.
    static func check(_ value: Int, in range: ClosedRange<Int>, _ what: String) -> [String] {
        range.contains(value) ? [] : ["\(what) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))"]
    }

    /// `message` when `value` is outside `range`.
    static func check(_ value: Double, in range: ClosedRange<Double>, _ what: String) -> [String] {
        range.contains(value) ? [] : ["\(what) must be between \(format(range.lowerBound)) and \(format(range.upperBound)) (got \(format(value)))"]
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }

    /// A JSON number that renders as an integer when it is one.
    static func number(_ d: Double) -> NumberValue {
        d == d.rounded() && abs(d) < 1e15 ? NumberValue(Int(d)) : NumberValue(d)
    }

    /// Every CloudFormation resource in `construct` and below it.
    static func resources(in construct: Construct) -> [Resource] {
        ([construct] + construct.descendants()).compactMap { $0 as? Resource }
    }

    /// The construct path with everything but letters and digits removed, for child ids
    /// derived from another construct.
    static func idFragment(_ construct: Construct) -> String {
        LogicalID.sanitize(construct.path.replacingOccurrences(of: "/", with: ""))
    }

    /// `value` with nested empty-separator `Fn::Join`s inlined and adjacent literals merged,
    /// so that interpolating a joined token into another string stays one flat join.
    static func flat(_ value: StringValue) -> StringValue {
        guard case .intrinsic("Fn::Join", .array(let args)) = value.token, args.count == 2,
              args[0] == .string(""), case .array(let parts) = args[1] else { return value }
        var out: [Value] = []
        func add(_ part: Value) {
            if case .intrinsic("Fn::Join", .array(let inner)) = part, inner.count == 2, inner[0] == .string(""),
               case .array(let innerParts) = inner[1] {
                innerParts.forEach(add)
                return
            }
            if case .string(let s) = part, case .string(let prev)? = out.last {
                out[out.count - 1] = .string(prev + s)
                return
            }
            if case .string(let s) = part, s.isEmpty { return }
            out.append(part)
        }
        parts.forEach(add)
        if out.count == 1, case .string = out[0] { return StringValue(token: out[0]) }
        return StringValue(token: .intrinsic("Fn::Join", .array([.string(""), .array(out)])))
    }

    /// The actions KMS needs to decrypt with a customer managed key.
    static let kmsDecryptActions = ["kms:Decrypt"]
    /// The actions KMS needs to encrypt (and read back) with a customer managed key.
    static let kmsEncryptDecryptActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
}
