import InfraDSL
import XCTest

final class AuthTests: XCTestCase {
    func testUserPoolDefaults() throws {
        let app = App()
        _ = UserPool(Stack(app, "S"), "Users")
        let t = try DTTemplate(app)
        let pool = t.one("AWS::Cognito::UserPool")
        XCTAssertEqual(pool.body["DeletionPolicy"], "Retain")
        let p = pool.body["Properties"]!
        XCTAssertEqual(p["UsernameAttributes"], ["email"])
        XCTAssertEqual(p["AutoVerifiedAttributes"], ["email"])
        XCTAssertEqual(p["UsernameConfiguration"], ["CaseSensitive": false])
        XCTAssertEqual(p["AdminCreateUserConfig"], ["AllowAdminCreateUserOnly": true])
        XCTAssertEqual(p["AccountRecoverySetting"], ["RecoveryMechanisms": [["Name": "verified_email", "Priority": 1]]])
        XCTAssertEqual(p["Policies"], ["PasswordPolicy": [
            "MinimumLength": 12, "RequireLowercase": true, "RequireNumbers": true, "RequireSymbols": true, "RequireUppercase": true,
            "TemporaryPasswordValidityDays": 3,
        ]])
        XCTAssertEqual(p["MfaConfiguration"], "OPTIONAL")
        XCTAssertEqual(p["EnabledMfas"], ["SOFTWARE_TOKEN_MFA"])
        XCTAssertNil(p["UserPoolAddOns"])
        XCTAssertEqual(p["DeletionProtection"], "INACTIVE")
    }

    func testUserPoolOptions() throws {
        let app = App()
        _ = UserPool(Stack(app, "S"), "Users", selfSignUp: true, mfa: .required, advancedSecurity: true, deletionProtection: true)
        let p = try DTTemplate(app).props("AWS::Cognito::UserPool")
        XCTAssertEqual(p["AdminCreateUserConfig"], ["AllowAdminCreateUserOnly": false])
        XCTAssertEqual(p["MfaConfiguration"], "ON")
        XCTAssertEqual(p["UserPoolAddOns"], ["AdvancedSecurityMode": "ENFORCED"])
        XCTAssertEqual(p["UserPoolTier"], "PLUS")
        XCTAssertEqual(p["DeletionProtection"], "ACTIVE")
    }

    func testClientDefaultsAndOAuth() throws {
        let app = App()
        let pool = UserPool(Stack(app, "S"), "Users")
        pool.addClient("Web", oauth: .init(callbackUrls: ["https://app.example.com/", "http://localhost:3000/"],
                                           logoutUrls: ["https://app.example.com/bye"]))
        let t = try DTTemplate(app)
        XCTAssertEqual(t.props("AWS::Cognito::UserPoolClient"), [
            "AccessTokenValidity": 60, "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email", "profile"], "CallbackURLs": ["https://app.example.com/", "http://localhost:3000/"],
            "ClientName": "Web", "EnableTokenRevocation": true, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "GenerateSecret": false, "IdTokenValidity": 60, "LogoutURLs": ["https://app.example.com/bye"],
            "PreventUserExistenceErrors": "ENABLED", "RefreshTokenValidity": 30, "SupportedIdentityProviders": ["COGNITO"],
            "TokenValidityUnits": ["AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"],
            "UserPoolId": dtRef(t.one("AWS::Cognito::UserPool").id),
        ])
    }

    /// A callback or logout URL known only at deploy time (a distribution created in the same
    /// stack) can be added as a token; an OAuth client with only such URLs is valid.
    func testClientCallbackUrlTokens() throws {
        let app = App()
        let stack = Stack(app, "S")
        let pool = UserPool(stack, "Users")
        let bucket = Bucket(stack, "Site")
        let client = pool.addClient("Web", oauth: .init(callbackUrls: []))
        client.addCallbackUrl("https://\(bucket.domainName)/")
        client.addCallbackUrl("https://\(bucket.domainName)/")
        client.addLogoutUrl("http://localhost:3000/")
        client.addLogoutUrl("https://\(bucket.domainName)/")
        let t = try DTTemplate(app)
        let bucketId = t.one("AWS::S3::Bucket").id
        let url: Value = ["Fn::Join": ["", ["https://", dtGetAtt(bucketId, "DomainName"), "/"]]]
        let p = t.props("AWS::Cognito::UserPoolClient")
        XCTAssertEqual(p["CallbackURLs"], [url])
        XCTAssertEqual(p["LogoutURLs"], ["http://localhost:3000/", url])

        let bad = App()
        let other = UserPool(Stack(bad, "S"), "Users")
        other.addClient("NoOAuth").addCallbackUrl("https://app.example.com/")
        other.addClient("Web", oauth: .init(callbackUrls: [])).addLogoutUrl("http://app.example.com/")
        dtAssertError(bad, path: "S/Users/NoOAuth", contains: "addCallbackUrl needs a client created with oauth:")
        dtAssertError(bad, path: "S/Users/Web", contains: "flow needs at least one callback URL")
        dtAssertError(bad, path: "S/Users/Web", contains: "must use HTTPS (http only for localhost): 'http://app.example.com/'")
    }

    func testClientValidation() {
        let app = App()
        let pool = UserPool(Stack(app, "S"), "Users")
        _ = UserPoolClient(Stack(app, "T"), "NoCallback", userPool: pool, oauth: .init(callbackUrls: []))
        _ = UserPoolClient(Stack(app, "T2"), "Insecure", userPool: pool, oauth: .init(callbackUrls: ["http://app.example.com/"]),
                       accessTokenValidity: .minutes(2))
        pool.addClient("M2M", oauth: .init(flows: [.clientCredentials], scopes: ["api/read"], callbackUrls: []))
        dtAssertError(app, path: "T/NoCallback", contains: "flow needs at least one callback URL")
        dtAssertError(app, path: "T2/Insecure", contains: "must use HTTPS")
        dtAssertError(app, path: "T2/Insecure", contains: "accessTokenValidity must be between 5 minutes and 1 day (got 2 minutes)")
        dtAssertError(app, path: "S/Users/M2M", contains: "the client_credentials flow needs generateSecret: true")
    }

    func testDomains() throws {
        let app = App()
        let stack = Stack(app, "S")
        let pool = UserPool(stack, "Users")
        let client = pool.addClient("Web", oauth: .init(callbackUrls: ["https://app.example.com/"]))
        let hosted = pool.addDomain("Hosted", cognitoDomainPrefix: "labeling-auth")
        _ = UserPoolDomain(stack, "Custom", userPool: pool, customDomain: "auth.example.com",
                           certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc")
        _ = Output(stack, "SignIn", value: hosted.signInUrl(client: client, redirectUri: "https://app.example.com/"))
        let t = try DTTemplate(app)
        let domains = t.all("AWS::Cognito::UserPoolDomain").map { $0.body["Properties"]! }
        let poolId = t.one("AWS::Cognito::UserPool").id
        XCTAssertEqual(domains[0], ["Domain": "labeling-auth", "UserPoolId": dtRef(poolId)])
        XCTAssertEqual(domains[1], [
            "CustomDomainConfig": ["CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"],
            "Domain": "auth.example.com", "UserPoolId": dtRef(poolId),
        ])
        XCTAssertEqual(hosted.baseUrl.token, .intrinsic("Fn::Join", ["", ["https://labeling-auth.auth.", .pseudo("AWS::Region"), ".amazoncognito.com"]]))
        XCTAssertEqual(t.value["Outputs"]?["SignIn"]?["Value"], ["Fn::Join": ["", [
            "https://labeling-auth.auth.", ["Ref": "AWS::Region"], ".amazoncognito.com/login?client_id=",
            dtRef(t.one("AWS::Cognito::UserPoolClient").id), "&response_type=code&redirect_uri=https%3A%2F%2Fapp%2Eexample%2Ecom%2F",
        ]]])
    }

    func testDomainValidation() {
        let app = App()
        let stack = Stack(app, "S")
        let pool = UserPool(stack, "Users")
        pool.addDomain("Reserved", cognitoDomainPrefix: "my-cognito-login")
        pool.addDomain("Upper", cognitoDomainPrefix: "MyApp")
        _ = UserPoolDomain(stack, "Custom", userPool: pool, customDomain: "auth.example.com",
                           certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc")
        dtAssertError(app, path: "S/Users/Reserved", contains: "must not contain the reserved word 'cognito'")
        dtAssertError(app, path: "S/Users/Upper", contains: "cognitoDomainPrefix 'MyApp' is invalid")
        dtAssertError(app, path: "S/Custom", contains: "must be in us-east-1")
    }

    func testImportedUserPool() throws {
        let app = App()
        let stack = Stack(app, "S")
        let pool = UserPool.imported(stack, "Existing", userPoolId: "eu-west-1_AbC123")
        let fn = Function(stack, "Fn", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        let api = RestApi(stack, "Api")
        api.root.addMethod("GET", integration: .lambdaProxy(fn), authorizer: api.addCognitoAuthorizer("Auth", userPools: [pool]))
        let t = try DTTemplate(app)
        XCTAssertTrue(t.all("AWS::Cognito::UserPool").isEmpty)
        XCTAssertEqual(t.props("AWS::ApiGateway::Authorizer")["ProviderARNs"], [["Fn::Join": ["", [
            "arn:", ["Ref": "AWS::Partition"], ":cognito-idp:", ["Ref": "AWS::Region"], ":", ["Ref": "AWS::AccountId"], ":userpool/eu-west-1_AbC123",
        ]]]])
    }
}
