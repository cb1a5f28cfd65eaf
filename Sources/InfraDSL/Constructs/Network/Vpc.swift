import InfraCore
import InfraResources

/// A VPC with subnets spread over availability zones, an internet gateway, NAT gateways and
/// route tables, ready for load balancers (public), services (private) and databases (isolated).
///
/// Defaults:
/// - CIDR block `10.0.0.0/16`, DNS support and DNS host names on, default tenancy;
/// - 2 availability zones (`Fn::Select` over `Fn::GetAZs ""`, so the template works in any region);
/// - three subnet groups, `/24` each: `Public`, `Private` (outbound through NAT) and `Isolated`
///   (no route out), allocated in order from the start of the block;
/// - one NAT gateway (in the first public subnet) when there are private subnets, none otherwise;
///   private subnets of every zone route through the NAT gateway of their zone, or the last one;
/// - no public IP on launch, even in public subnets;
/// - flow logs of rejected traffic to a CloudWatch log group kept 365 days (and kept when the
///   stack is deleted);
/// - no gateway endpoint (`gatewayEndpoints: [.s3]` adds a free S3 endpoint to every route table).
///
/// An existing VPC is imported with `Vpc.imported(...)`, which creates nothing.
public final class Vpc: Construct, VpcRef {
    /// Public + private-with-NAT + isolated subnets, `/24` each.
    public static let defaultSubnetConfiguration: [SubnetConfiguration] = [.public(), .privateWithEgress(), .isolated()]

    /// The CloudFormation VPC (`<path>/Resource`).
    public var resource: EC2.VPC { vpcResource! }
    /// Set in `init`, right after the construct itself (its scope) exists.
    private var vpcResource: EC2.VPC?
    public let cidr: String
    /// The zones the subnets are spread over, in order.
    public let availabilityZones: [StringValue]
    public let subnetConfiguration: [SubnetConfiguration]
    /// The number of NAT gateways.
    public let natGatewayCount: Int
    /// All subnets, group by group, zone by zone.
    public private(set) var subnets: [Subnet] = []
    public private(set) var internetGateway: EC2.InternetGateway?
    public private(set) var internetGatewayAttachment: EC2.VPCGatewayAttachment?
    public private(set) var natGateways: [EC2.NatGateway] = []
    public private(set) var gatewayEndpoints: [GatewayEndpointService: EC2.VPCEndpoint] = [:]
    public private(set) var flowLog: EC2.FlowLog?
    public private(set) var flowLogGroup: Logs.LogGroup?

    private let maxAzs: Int
    private let explicitZones: [String]?
    private let flowLogOptions: FlowLogOptions?
    private var problems: [String] = []

    /// - Parameters:
    ///   - cidr: the IPv4 block (default `10.0.0.0/16`; prefix /16 to /28).
    ///   - maxAzs: how many zones to use (default 2), ignored when `availabilityZones` is given.
    ///   - availabilityZones: explicit zone names (default nil: the first `maxAzs` of the region).
    ///   - subnetConfiguration: the subnet groups (default `Vpc.defaultSubnetConfiguration`).
    ///   - natGateways: NAT gateway count (default nil: 1 when there are private subnets, else 0).
    ///     At most one per zone; private subnets need at least one.
    ///   - gatewayEndpoints: gateway endpoints to add (default none).
    ///   - flowLogs: flow log settings (default `FlowLogOptions()`: rejected traffic, 365 days);
    ///     nil for none.
    ///   - enableDnsHostnames: default true (interface endpoints and RDS need it).
    public init(
        _ scope: Construct, _ id: String, cidr: String = "10.0.0.0/16", maxAzs: Int = 2,
        availabilityZones: [String]? = nil,
        subnetConfiguration: [SubnetConfiguration] = Vpc.defaultSubnetConfiguration,
        natGateways: Int? = nil, gatewayEndpoints: [GatewayEndpointService] = [],
        flowLogs: FlowLogOptions? = FlowLogOptions(), enableDnsHostnames: Bool = true
    ) {
        self.cidr = cidr
        self.maxAzs = maxAzs
        self.explicitZones = availabilityZones
        self.subnetConfiguration = subnetConfiguration
        self.flowLogOptions = flowLogs
        let hasPrivate = subnetConfiguration.contains { $0.type == .privateWithEgress }
        self.natGatewayCount = natGateways ?? (hasPrivate ? 1 : 0)
        let zoneCount = availabilityZones?.count ?? max(0, maxAzs)
        if let names = availabilityZones {
            self.availabilityZones = names.map { StringValue($0) }
        } else {
            self.availabilityZones = (0..<zoneCount).map { Fn.select($0, Fn.getAZs()) }
        }
        super.init(scope, id)

        vpcResource = EC2.VPC(self, "Resource") {
            $0.cidrBlock = StringValue(cidr)
            $0.enableDnsSupport = true
            $0.enableDnsHostnames = BoolValue(enableDnsHostnames)
            $0.instanceTenancy = .default
            $0.tags = [Tag("Name", StringValue(self.path))]
        }

        let blocks = allocate(zoneCount: zoneCount)
        let hasPublic = subnetConfiguration.contains { $0.type == .public }
        if hasPublic {
            let igw = EC2.InternetGateway(self, "IGW") { $0.tags = [Tag("Name", StringValue(self.path))] }
            internetGateway = igw
            internetGatewayAttachment = EC2.VPCGatewayAttachment(self, "VPCGW") {
                $0.vpcId = self.vpcId
                $0.internetGatewayId = igw.ref
            }
        }

        for (g, group) in subnetConfiguration.enumerated() {
            guard let groupBlocks = blocks[g] else { continue }
            for (z, block) in groupBlocks.enumerated() {
                let subnet = Subnet(self, "\(LogicalID.sanitize(group.name))Subnet\(z + 1)", type: group.type,
                                    groupName: group.name, zoneIndex: z, cidrBlock: block.description,
                                    availabilityZone: self.availabilityZones[z])
                subnets.append(subnet)
            }
        }

        // Public routes, then NAT gateways in the first public subnets, then private routes.
        let publicSubnets = subnets(.public)
        for s in publicSubnets {
            guard let igw = internetGateway, let attachment = internetGatewayAttachment else { break }
            let route = EC2.Route(s, "DefaultRoute") {
                $0.routeTableId = s.routeTableId
                $0.destinationCidrBlock = "0.0.0.0/0"
                $0.gatewayId = igw.ref
            }
            route.addDependency(attachment)
            s.defaultRoute = route
        }
        if natGatewayCount > 0, !publicSubnets.isEmpty, natGatewayCount <= zoneCount {
            for s in publicSubnets.prefix(natGatewayCount) {
                let eip = EC2.EIP(s, "EIP") {
                    $0.domain = "vpc"
                    $0.tags = [Tag("Name", StringValue(s.path))]
                }
                let nat = EC2.NatGateway(s, "NATGateway") {
                    $0.subnetId = s.subnetId
                    $0.allocationId = eip.attrAllocationId
                    $0.tags = [Tag("Name", StringValue(s.path))]
                }
                // The NAT gateway needs the subnet's route to the internet gateway to work.
                if let r = s.defaultRoute { nat.addDependency(r) }
                s.natGateway = nat
                self.natGateways.append(nat)
            }
        }
        if !self.natGateways.isEmpty {
            for s in subnets(.privateWithEgress) {
                let nat = self.natGateways[min(s.zoneIndex, self.natGateways.count - 1)]
                s.defaultRoute = EC2.Route(s, "DefaultRoute") {
                    $0.routeTableId = s.routeTableId
                    $0.destinationCidrBlock = "0.0.0.0/0"
                    $0.natGatewayId = nat.ref
                }
            }
        }

        for service in gatewayEndpoints where self.gatewayEndpoints[service] == nil {
            addGatewayEndpoint(service)
        }

        if let options = flowLogs {
            let group = Logs.LogGroup(self, "FlowLogGroup") {
                $0.retentionInDays = NumberValue(options.retention.count(of: .days))
                $0.kmsKeyId = options.encryptionKeyArn
            }
            group.deletionPolicy = .retain
            group.updateReplacePolicy = .retain
            flowLogGroup = group
            let role = Role(self, "FlowLogRole", assumedBy: "vpc-flow-logs.amazonaws.com",
                            description: "Lets VPC flow logs write to \(path)/FlowLogGroup")
            role.addToPrincipalPolicy(PolicyStatement(
                actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources: [group.attrArn]))
            flowLog = EC2.FlowLog(self, "FlowLog") {
                $0.resourceId = self.vpcId
                $0.resourceTypeProperty = .vpc
                $0.trafficType = FlowLogs.TrafficType(options.traffic.rawValue)
                $0.logDestinationType = .cloudWatchLogs
                $0.logGroupName = group.ref
                $0.deliverLogsPermissionArn = role.arn
                $0.tags = [Tag("Name", StringValue(self.path))]
            }
        }
    }

    private typealias FlowLogs = EC2.FlowLog

    // MARK: - VpcRef

    /// The VPC id (`Ref`).
    public var vpcId: StringValue { resource.ref }
    /// The VPC's CIDR block (`Fn::GetAtt CidrBlock`).
    public var vpcCidrBlock: StringValue? { resource.attrCidrBlock }

    public func subnetIds(_ type: SubnetType) -> [StringValue] { subnets(type).map(\.subnetId) }

    /// The subnets of a kind, in zone order (of every group of that kind).
    public func subnets(_ type: SubnetType) -> [Subnet] { subnets.filter { $0.type == type } }

    /// The subnets of one group, in zone order.
    public func subnets(group name: String) -> [Subnet] { subnets.filter { $0.groupName == name } }

    /// The routes that give private subnets their internet access: resources in private subnets
    /// that need the internet while they are created depend on them.
    public var internetConnectivityEstablished: [Resource] {
        subnets(.privateWithEgress).compactMap(\.defaultRoute)
    }

    /// Adds a gateway endpoint (S3 or DynamoDB) routed from every route table of the VPC.
    @discardableResult
    public func addGatewayEndpoint(_ service: GatewayEndpointService) -> EC2.VPCEndpoint {
        if let existing = gatewayEndpoints[service] { return existing }
        let id = service == .s3 ? "S3Endpoint" : "DynamoDBEndpoint"
        let endpoint = EC2.VPCEndpoint(self, id) {
            $0.vpcId = self.vpcId
            $0.serviceName = Fn.sub("com.amazonaws.${AWS::Region}.\(service.rawValue)")
            $0.vpcEndpointType = .gateway
            $0.routeTableIds = ListValue(self.subnets.map(\.routeTableId))
        }
        gatewayEndpoints[service] = endpoint
        return endpoint
    }

    // MARK: - Allocation and validation

    /// The blocks of each group (nil for a group that could not be allocated; the problem is
    /// recorded for `validate`).
    private func allocate(zoneCount: Int) -> [[IPv4Cidr]?] {
        guard let vpcBlock = IPv4Cidr(cidr) else {
            problems.append("invalid CIDR block '\(cidr)' (expected a.b.c.d/n with no host bits set)")
            return subnetConfiguration.map { _ in nil }
        }
        if !(16...28).contains(vpcBlock.prefixLength) {
            problems.append("the VPC CIDR block '\(cidr)' must have a prefix length between /16 and /28")
        }
        var result: [[IPv4Cidr]?] = Array(repeating: nil, count: subnetConfiguration.count)
        var taken: [(IPv4Cidr, String)] = []
        // Explicit blocks first, so automatic allocation goes around them.
        for (g, group) in subnetConfiguration.enumerated() {
            guard let texts = group.cidrBlocks else { continue }
            if texts.count != zoneCount {
                problems.append("subnet group '\(group.name)' has \(texts.count) CIDR blocks for \(zoneCount) availability zones")
                continue
            }
            var blocks: [IPv4Cidr] = []
            for t in texts {
                guard let b = IPv4Cidr(t) else {
                    problems.append("subnet group '\(group.name)': invalid CIDR block '\(t)'")
                    continue
                }
                if !vpcBlock.contains(b) {
                    problems.append("subnet group '\(group.name)': \(t) is not inside the VPC block \(cidr)")
                }
                if !(16...28).contains(b.prefixLength) {
                    problems.append("subnet group '\(group.name)': \(t) must have a prefix length between /16 and /28")
                }
                for (other, owner) in taken where other.overlaps(b) {
                    problems.append("subnet CIDR blocks overlap: \(t) (\(group.name)) and \(other) (\(owner))")
                }
                taken.append((b, group.name))
                blocks.append(b)
            }
            if blocks.count == texts.count { result[g] = blocks }
        }
        var cursor = UInt64(vpcBlock.network)
        let end = UInt64(vpcBlock.lastAddress) + 1
        for (g, group) in subnetConfiguration.enumerated() where group.cidrBlocks == nil {
            guard (max(16, vpcBlock.prefixLength)...28).contains(group.cidrMask) else {
                problems.append("subnet group '\(group.name)': cidrMask /\(group.cidrMask) must be between /\(max(16, vpcBlock.prefixLength)) and /28")
                continue
            }
            let size = UInt64(1) << UInt64(32 - group.cidrMask)
            var blocks: [IPv4Cidr] = []
            for _ in 0..<zoneCount {
                cursor = (cursor + size - 1) / size * size
                while cursor + size <= end,
                      taken.contains(where: { $0.0.overlaps(IPv4Cidr(network: UInt32(cursor), prefixLength: group.cidrMask)) }) {
                    cursor += size
                }
                guard cursor + size <= end else { break }
                let b = IPv4Cidr(network: UInt32(cursor), prefixLength: group.cidrMask)
                blocks.append(b)
                taken.append((b, group.name))
                cursor += size
            }
            if blocks.count < zoneCount {
                problems.append("the subnets do not fit in the VPC block \(cidr): subnet group '\(group.name)' needs \(zoneCount) more /\(group.cidrMask) block(s); use a larger VPC block or smaller cidrMask values")
                continue
            }
            result[g] = blocks
        }
        return result
    }

    public override func validate() -> [String] {
        var errors = problems
        let zoneCount = availabilityZones.count
        if let names = explicitZones {
            if names.isEmpty { errors.append("availabilityZones must not be empty") }
            if Set(names).count != names.count { errors.append("availabilityZones has duplicates") }
        } else if !(1...6).contains(maxAzs) {
            errors.append("maxAzs must be between 1 and 6 (got \(maxAzs))")
        }
        if subnetConfiguration.isEmpty { errors.append("subnetConfiguration must name at least one subnet group") }
        var seen = Set<String>()
        for g in subnetConfiguration {
            if g.name.isEmpty || LogicalID.sanitize(g.name) != g.name {
                errors.append("subnet group name '\(g.name)' must be letters and digits only")
            }
            if !seen.insert(g.name).inserted { errors.append("subnet group name '\(g.name)' is used twice") }
        }
        let hasPublic = subnetConfiguration.contains { $0.type == .public }
        let hasPrivate = subnetConfiguration.contains { $0.type == .privateWithEgress }
        if natGatewayCount < 0 { errors.append("natGateways must not be negative") }
        if natGatewayCount > zoneCount {
            errors.append("natGateways (\(natGatewayCount)) is more than the number of availability zones (\(zoneCount)): there is at most one NAT gateway per zone")
        }
        if hasPrivate && natGatewayCount == 0 {
            errors.append("private subnets need at least one NAT gateway (natGateways: 0); use isolated subnets for subnets without internet access")
        }
        if natGatewayCount > 0 && !hasPublic {
            errors.append("NAT gateways need a public subnet group")
        }
        if natGatewayCount > 0 && !hasPrivate {
            errors.append("natGateways is \(natGatewayCount) but there are no private subnets to use them; set natGateways: 0")
        }
        if let problem = flowLogOptions?.retention.logRetentionProblem("flow log retention") { errors.append(problem) }
        return errors
    }
}
