/// AWS services reachable through a gateway VPC endpoint (free, routed by the route tables).
public enum GatewayEndpointService: String, Sendable, CaseIterable {
    case s3
    case dynamoDB = "dynamodb"
}
