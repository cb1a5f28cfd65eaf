import InfraCore

/// What an API method forwards requests to.
public enum ApiIntegration {
    /// A Lambda function with the proxy integration (the function gets the whole request and
    /// returns `{statusCode, headers, body}`; with CORS it must add the CORS headers itself).
    /// API Gateway is allowed to invoke it for this method only (a `Lambda::Permission` whose
    /// source ARN is the method's execute-api ARN on the API's stage).
    case lambdaProxy(any FunctionRef)
    /// An HTTP endpoint with the proxy integration.
    case httpProxy(url: StringValue, httpMethod: String = "ANY")
    /// A fixed answer from API Gateway itself (health checks, stubs).
    case mock(statusCode: Int = 200, body: String = "")
    /// A CORS preflight answer (what `ApiResource.addCorsPreflight` uses).
    case corsPreflight(RestApi.CorsOptions)
}
