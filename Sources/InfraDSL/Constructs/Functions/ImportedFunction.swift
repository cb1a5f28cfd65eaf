import InfraCore

/// An existing function by ARN (`Function.imported(...)`): creates nothing. It can be invoked,
/// granted to and used as an event target; it has no role here, so it is not `Grantable`, and
/// it has no environment, event sources, memory or timeout to ask for.
public final class ImportedFunction: Construct, FunctionRef {
    public let functionArn: StringValue

    init(_ scope: Construct, _ id: String, functionArn: StringValue) {
        self.functionArn = functionArn
        super.init(scope, id)
    }

    /// The function's name, taken from its ARN.
    public var functionName: StringValue { ServerlessSupport.arnResourceName(functionArn, tokenIndex: 6) }

    /// Always nil: an imported function exists.
    public var condition: Condition? { nil }
}

extension Function {
    /// An existing function by ARN (`arn:aws:lambda:<region>:<account>:function:<name>`).
    public static func imported(_ scope: Construct, _ id: String, arn: StringValue) -> ImportedFunction {
        ImportedFunction(scope, id, functionArn: arn)
    }
}
