import InfraCore
import InfraResources

/// A Lambda function other constructs can invoke: one this app creates (`Function`) or an
/// existing one (`Function.imported(...)`, an `ImportedFunction`).
///
/// Invoking it, granting invocation and letting a service invoke it (permissions, bucket
/// notifications, topic subscriptions, API integrations, custom resource providers) work on
/// both. What needs the function's own role or configuration (grants *to* it, environment
/// variables, event sources, its memory or timeout) exists only on `Function`, so asking an
/// imported function for it does not compile.
public protocol FunctionRef: Construct {
    /// The function's ARN.
    var functionArn: StringValue { get }
    /// The function's name.
    var functionName: StringValue { get }
    /// The condition under which the function exists (its image gate's), nil when it always
    /// does. Resources that reference the function must carry it too.
    var condition: Condition? { get }
}

extension FunctionRef {
    /// Lets `grantee` invoke the function (`lambda:InvokeFunction` on it and its versions).
    public func grantInvoke(_ grantee: Grantable) {
        app.addGrant(grantee, on: self, "invoke")
        var resources = [functionArn, ServerlessSupport.flat("\(functionArn):*")]
        if let condition { resources = resources.map { Fn.if(condition, $0) } }
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["lambda:InvokeFunction"], resources: resources))
    }

    /// Lets an AWS service (or account) invoke the function: a `Lambda::Permission` created
    /// under `scope` (default: the function), so it lives in the invoker's stack.
    @discardableResult
    public func addPermission(
        _ id: String, principal: String, sourceArn: StringValue? = nil, sourceAccount: StringValue? = nil,
        scope: Construct? = nil
    ) -> Lambda.Permission {
        let p = Lambda.Permission(scope ?? self, id)
        p.condition = condition
        p.action = "lambda:InvokeFunction"
        p.functionName = functionArn
        p.principal = StringValue(principal)
        p.sourceArn = sourceArn
        p.sourceAccount = sourceAccount
        return p
    }
}
