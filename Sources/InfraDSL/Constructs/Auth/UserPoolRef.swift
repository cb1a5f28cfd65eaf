import InfraCore

/// A Cognito user pool other constructs can use: one this app creates (`UserPool`) or an
/// existing one (`UserPool.imported(...)`, an `ImportedUserPool`). Its id, ARN and issuer URL,
/// app clients, hosted UI domains and API authorizers work on both.
public protocol UserPoolRef: Construct {
    /// The pool id.
    var userPoolId: StringValue { get }
    /// The pool's ARN.
    var arn: StringValue { get }
    /// The issuer URL of the pool's tokens (`https://cognito-idp.<region>.amazonaws.com/<id>`).
    var providerUrl: StringValue { get }
}

extension UserPoolRef {
    /// Adds an app client (see `UserPoolClient` for the parameters and defaults).
    @discardableResult
    public func addClient(
        _ id: String, clientName: String? = nil, generateSecret: Bool = false,
        authFlows: [UserPoolClient.AuthFlow] = [.userSrp], oauth: UserPoolClient.OAuth? = nil
    ) -> UserPoolClient {
        UserPoolClient(self, id, userPool: self, clientName: clientName, generateSecret: generateSecret,
                       authFlows: authFlows, oauth: oauth)
    }

    /// Adds a hosted UI domain with a Cognito prefix (`https://<prefix>.auth.<region>.amazoncognito.com`).
    @discardableResult
    public func addDomain(_ id: String, cognitoDomainPrefix: String) -> UserPoolDomain {
        UserPoolDomain(self, id, userPool: self, cognitoDomainPrefix: cognitoDomainPrefix)
    }

    /// A hosted UI domain whose prefix is a token (`"\(name)-\(Pseudo.accountId)"`).
    @discardableResult
    public func addDomain(_ id: String, cognitoDomainPrefix: StringValue) -> UserPoolDomain {
        UserPoolDomain(self, id, userPool: self, cognitoDomainPrefix: cognitoDomainPrefix)
    }
}
