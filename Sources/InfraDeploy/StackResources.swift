import Foundation
import InfraAWS
import InfraContract

/// One resource of a stack, from ListStackResources.
public struct ResourceSummary: Sendable, Equatable {
    public var logicalId: String
    public var physicalId: String?
    public var type: String
    public var status: ResourceStatus
    public var reason: String?
}

extension CloudFormationClient {
    /// ListStackResources, every page (DescribeStackResources stops at 100 resources). Entries
    /// without a logical id are skipped: moto lists resource types it does not model (bucket
    /// policies, ...) that way.
    func listStackResources(_ stack: String) async throws -> [ResourceSummary] {
        var out: [ResourceSummary] = []
        var token: String?
        repeat {
            var p = QueryParameters()
            p.set("StackName", stack)
            p.set("NextToken", token)
            let r = try await client.query(.cloudFormation, "ListStackResources", p, idempotency: .safe)  // a read (h3)
            for m in r.members("StackResourceSummaries") {
                guard let id = m.string("LogicalResourceId"), !id.isEmpty else { continue }
                out.append(ResourceSummary(logicalId: id, physicalId: m.string("PhysicalResourceId").flatMap { $0.isEmpty ? nil : $0 },
                                           type: m.string("ResourceType") ?? "", status: ResourceStatus(rawValue: m.string("ResourceStatus") ?? ""),
                                           reason: m.string("ResourceStatusReason")))
            }
            token = r.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return out
    }
}
