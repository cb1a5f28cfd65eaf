import InfraDSL
import XCTest

final class APITests: XCTestCase {
    private func makeApi(_ stack: Stack, cors: RestApi.CorsOptions? = nil) -> (RestApi, Function) {
        let fn = Function(stack, "Handler", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        let api = RestApi(stack, "Api", defaultCors: cors)
        return (api, fn)
    }

    func testLambdaProxyMethodWithScopedPermission() throws {
        let app = App()
        let stack = Stack(app, "S")
        let (api, fn) = makeApi(stack)
        api.root.addResource("users").addResource("{id}").addMethod("GET", integration: .lambdaProxy(fn))
        let t = try DTTemplate(app)
        let apiId = t.one("AWS::ApiGateway::RestApi").id
        let fnId = t.one("AWS::Lambda::Function").id
        let resources = t.all("AWS::ApiGateway::Resource")
        XCTAssertEqual(resources.count, 2)
        let users = resources.first { $0.body["Properties"]?["PathPart"] == "users" }!
        let idRes = resources.first { $0.body["Properties"]?["PathPart"] == "{id}" }!
        XCTAssertEqual(users.body["Properties"]?["ParentId"], dtGetAtt(apiId, "RootResourceId"))
        XCTAssertEqual(idRes.body["Properties"]?["ParentId"], dtRef(users.id))
        let method = t.one("AWS::ApiGateway::Method").body["Properties"]!
        XCTAssertEqual(method["HttpMethod"], "GET")
        XCTAssertEqual(method["AuthorizationType"], "NONE")
        XCTAssertEqual(method["ResourceId"], dtRef(idRes.id))
        XCTAssertEqual(method["Integration"], [
            "IntegrationHttpMethod": "POST", "Type": "AWS_PROXY",
            "Uri": ["Fn::Join": ["", [
                "arn:", ["Ref": "AWS::Partition"], ":apigateway:", ["Ref": "AWS::Region"], ":lambda:path/2015-03-31/functions/",
                dtGetAtt(fnId, "Arn"), "/invocations",
            ]]],
        ])
        XCTAssertEqual(t.props("AWS::Lambda::Permission"), [
            "Action": "lambda:InvokeFunction", "FunctionName": dtGetAtt(fnId, "Arn"), "Principal": "apigateway.amazonaws.com",
            "SourceArn": ["Fn::Join": ["", [
                "arn:", ["Ref": "AWS::Partition"], ":execute-api:", ["Ref": "AWS::Region"], ":", ["Ref": "AWS::AccountId"], ":",
                dtRef(apiId), "/prod/GET/users/*",
            ]]],
        ])
    }

    func testApiDefaultsStageDeploymentAndUrl() throws {
        let app = App()
        let stack = Stack(app, "S")
        let (api, fn) = makeApi(stack)
        api.root.addMethod("ANY", integration: .lambdaProxy(fn))
        _ = Output(stack, "Url", value: api.url)
        let t = try DTTemplate(app)
        let restApi = t.one("AWS::ApiGateway::RestApi")
        XCTAssertEqual(restApi.body["Properties"], ["EndpointConfiguration": ["Types": ["REGIONAL"]], "Name": "S-Api"])
        let deployment = t.one("AWS::ApiGateway::Deployment")
        let method = t.one("AWS::ApiGateway::Method")
        XCTAssertEqual(deployment.body["DependsOn"], [.string(method.id)])
        let stage = t.one("AWS::ApiGateway::Stage")
        XCTAssertEqual(stage.body["Properties"], [
            "DeploymentId": dtRef(deployment.id),
            "MethodSettings": [["HttpMethod": "*", "ResourcePath": "/*", "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100]],
            "RestApiId": dtRef(restApi.id), "StageName": "prod", "TracingEnabled": false,
        ])
        XCTAssertEqual(t.value["Outputs"]?["Url"]?["Value"], ["Fn::Join": ["", [
            "https://", dtRef(restApi.id), ".execute-api.", ["Ref": "AWS::Region"], ".", ["Ref": "AWS::URLSuffix"], "/", dtRef(stage.id), "/",
        ]]])
        // ANY on the root: the permission covers every method of "/".
        XCTAssertTrue(t.json.contains("/prod/*/\""))
    }

    func testDeploymentLogicalIdChangesWithTheApiShape() throws {
        func deploymentId(_ build: (RestApi, Function) -> Void) throws -> String {
            let app = App()
            let stack = Stack(app, "S")
            let (api, fn) = makeApi(stack)
            build(api, fn)
            return try DTTemplate(app).one("AWS::ApiGateway::Deployment").id
        }
        let a = try deploymentId { api, fn in api.root.addResource("a").addMethod("GET", integration: .lambdaProxy(fn)) }
        let same = try deploymentId { api, fn in api.root.addResource("a").addMethod("GET", integration: .lambdaProxy(fn)) }
        let otherMethod = try deploymentId { api, fn in api.root.addResource("a").addMethod("POST", integration: .lambdaProxy(fn)) }
        let otherPath = try deploymentId { api, fn in api.root.addResource("b").addMethod("GET", integration: .lambdaProxy(fn)) }
        XCTAssertEqual(a, same)
        XCTAssertNotEqual(a, otherMethod)
        XCTAssertNotEqual(a, otherPath)
        XCTAssertTrue(a.hasPrefix("ApiDeployment"))

        // Synthesizing twice does not stack hashes.
        let app = App()
        let (api, fn) = makeApi(Stack(app, "S"))
        api.root.addMethod("GET", integration: .lambdaProxy(fn))
        XCTAssertEqual(try DTTemplate(app).one("AWS::ApiGateway::Deployment").id, try DTTemplate(app).one("AWS::ApiGateway::Deployment").id)
    }

    func testCorsPreflightUsesMockIntegration() throws {
        let app = App()
        let stack = Stack(app, "S")
        let (api, fn) = makeApi(stack, cors: .init(allowOrigins: ["https://app.example.com"]))
        api.root.addResource("predict").addMethod("POST", integration: .lambdaProxy(fn))
        let t = try DTTemplate(app)
        let options = t.all("AWS::ApiGateway::Method").filter { $0.body["Properties"]?["HttpMethod"] == "OPTIONS" }
        XCTAssertEqual(options.count, 2) // root and /predict
        let p = options[1].body["Properties"]!
        XCTAssertEqual(p["AuthorizationType"], "NONE")
        XCTAssertEqual(p["Integration"]?["Type"], "MOCK")
        XCTAssertEqual(p["Integration"]?["IntegrationHttpMethod"], "OPTIONS")
        XCTAssertEqual(p["Integration"]?["RequestTemplates"], ["application/json": "{ statusCode: 200 }"])
        XCTAssertEqual(p["Integration"]?["IntegrationResponses"], [[
            "ResponseParameters": [
                "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
                "method.response.header.Access-Control-Allow-Methods": "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'",
                "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                "method.response.header.Vary": "'Origin'",
            ],
            "StatusCode": "204",
        ]])
        XCTAssertEqual(p["MethodResponses"], [[
            "ResponseParameters": [
                "method.response.header.Access-Control-Allow-Headers": true, "method.response.header.Access-Control-Allow-Methods": true,
                "method.response.header.Access-Control-Allow-Origin": true, "method.response.header.Vary": true,
            ],
            "StatusCode": "204",
        ]])
        let responses = t.all("AWS::ApiGateway::GatewayResponse")
        XCTAssertEqual(responses.map { $0.body["Properties"]?["ResponseType"] }, ["DEFAULT_4XX", "DEFAULT_5XX"])
        XCTAssertEqual(responses[0].body["Properties"]?["ResponseParameters"]?["gatewayresponse.header.Access-Control-Allow-Origin"],
                       "'https://app.example.com'")
    }

    func testCognitoAuthorizerOnMethods() throws {
        let app = App()
        let stack = Stack(app, "S")
        let users = UserPool(stack, "Users")
        let (api, fn) = makeApi(stack)
        let auth = api.addCognitoAuthorizer("Auth", userPools: [users])
        api.root.addResource("predict").addMethod("POST", integration: .lambdaProxy(fn), authorizer: auth)
        api.defaultAuthorizer = auth
        api.root.addResource("other").addMethod("GET", integration: .lambdaProxy(fn), authorizationScopes: ["api/read"])
        let t = try DTTemplate(app)
        let authorizer = t.one("AWS::ApiGateway::Authorizer")
        XCTAssertEqual(authorizer.body["Properties"], [
            "AuthorizerResultTtlInSeconds": 300, "IdentitySource": "method.request.header.Authorization", "Name": "Auth",
            "ProviderARNs": [dtGetAtt(t.one("AWS::Cognito::UserPool").id, "Arn")],
            "RestApiId": dtRef(t.one("AWS::ApiGateway::RestApi").id), "Type": "COGNITO_USER_POOLS",
        ])
        let methods = t.all("AWS::ApiGateway::Method").map { $0.body["Properties"]! }
        XCTAssertEqual(methods.count, 2)
        for m in methods {
            XCTAssertEqual(m["AuthorizationType"], "COGNITO_USER_POOLS")
            XCTAssertEqual(m["AuthorizerId"], dtRef(authorizer.id))
        }
        XCTAssertEqual(methods[1]["AuthorizationScopes"], ["api/read"])
    }

    func testAccessLoggingTracingAndCloudWatchRole() throws {
        let app = App()
        let stack = Stack(app, "S")
        let fn = Function(stack, "Handler", code: .inline("x"), handler: "index.handler", runtime: .python3_12)
        let api = RestApi(stack, "Api", stageName: "v1", throttling: .init(rateLimit: 10, burstLimit: 20), tracing: true,
                          accessLogging: true, cloudWatchRole: true)
        api.root.addMethod("GET", integration: .lambdaProxy(fn))
        let t = try DTTemplate(app)
        let stage = t.one("AWS::ApiGateway::Stage")
        let account = t.one("AWS::ApiGateway::Account")
        XCTAssertEqual(stage.body["DependsOn"], [.string(account.id)])
        let p = stage.body["Properties"]!
        XCTAssertEqual(p["TracingEnabled"], true)
        XCTAssertEqual(p["StageName"], "v1")
        let logGroupId = t.all("AWS::Logs::LogGroup").first { $0.id.hasPrefix("ApiAccessLogs") }!.id
        XCTAssertEqual(p["AccessLogSetting"]?["DestinationArn"], ["Fn::Join": ["", [
            "arn:", ["Ref": "AWS::Partition"], ":logs:", ["Ref": "AWS::Region"], ":", ["Ref": "AWS::AccountId"], ":log-group:", dtRef(logGroupId),
        ]]])
        XCTAssertEqual(p["MethodSettings"], [["HttpMethod": "*", "ResourcePath": "/*", "ThrottlingBurstLimit": 20, "ThrottlingRateLimit": 10]])
        XCTAssertTrue(t.json.contains("AmazonAPIGatewayPushToCloudWatchLogs"))
    }

    func testApiValidation() {
        let app = App()
        let stack = Stack(app, "S")
        let empty = RestApi(stack, "Empty", stageName: "bad stage")
        _ = empty
        let (api, fn) = makeApi(stack, cors: .init(allowOrigins: ["*"], allowCredentials: true))
        api.root.addMethod("FETCH", integration: .lambdaProxy(fn))
        let r = api.root.addResource("items")
        r.addResource("{id}")
        r.addResource("{name}")
        let other = RestApi(stack, "Other")
        let foreign = other.addCognitoAuthorizer("Auth", userPools: [])
        api.root.addResource("x").addMethod("GET", integration: .lambdaProxy(fn), authorizer: foreign)
        dtAssertError(app, path: "S/Empty", contains: "the API has no methods")
        dtAssertError(app, path: "S/Empty", contains: "stageName 'bad stage' is invalid")
        dtAssertError(app, path: "S/Api/Default/FETCH", contains: "'FETCH' is not an HTTP method")
        dtAssertError(app, path: "S/Api/Default/OPTIONS", contains: "CORS with credentials cannot allow every origin")
        dtAssertError(app, path: "S/Api/Default/items/{name}", contains: "more than one path parameter child")
        dtAssertError(app, path: "S/Api/Default/x/GET", contains: "belongs to another API")
        dtAssertError(app, path: "S/Other/Auth", contains: "needs 1 to 1000 user pools")
    }
}
