import InfraDSL
import XCTest

/// Template helpers shared by the network, container, load balancing and DNS tests.
enum NetT {
    static func template(_ app: App, stack index: Int = 0) throws -> Value {
        try app.synthesize().stacks[index].template
    }

    /// The resources of a type, in template order, as (logical id, resource).
    static func resources(_ t: Value, _ type: String) -> [(id: String, value: Value)] {
        guard case .object(let pairs)? = t["Resources"] else { return [] }
        return pairs.filter { $0.1["Type"] == .string(type) }.map { ($0.0, $0.1) }
    }

    static func properties(_ t: Value, _ type: String) -> [Value] {
        resources(t, type).map { $0.value["Properties"] ?? .object([]) }
    }

    /// The one resource of a type (fails the test if there is not exactly one).
    static func only(_ t: Value, _ type: String, file: StaticString = #filePath, line: UInt = #line) -> Value {
        let all = resources(t, type)
        XCTAssertEqual(all.count, 1, "expected one \(type)", file: file, line: line)
        return all.first?.value["Properties"] ?? .object([])
    }

    static func logicalId(_ t: Value, _ type: String) -> String? { resources(t, type).first?.id }

    /// The synthesis error messages (empty when synthesis succeeds).
    static func errors(_ app: App) -> [String] {
        do {
            _ = try app.synthesize()
            return []
        } catch let e as SynthesisError {
            return e.diagnostics.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    static func assertError(_ app: App, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        let errors = errors(app)
        XCTAssertTrue(errors.contains { $0.contains(fragment) }, "no error containing '\(fragment)' in \(errors)", file: file, line: line)
    }

    static func int(_ v: Value?) -> Int? {
        if case .int(let i)? = v { return i }
        return nil
    }

    static func ref(_ id: String) -> Value { ["Ref": .string(id)] }
    static func getAtt(_ id: String, _ attribute: String) -> Value { ["Fn::GetAtt": [.string(id), .string(attribute)]] }
}

final class NetworkTests: XCTestCase {
    func testDefaultVpcHasThreeTiersOverTwoZonesWithOneNat() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc")
        let t = try NetT.template(app)

        let v = NetT.only(t, "AWS::EC2::VPC")
        XCTAssertEqual(v["CidrBlock"], "10.0.0.0/16")
        XCTAssertEqual(v["EnableDnsSupport"], true)
        XCTAssertEqual(v["EnableDnsHostnames"], true)

        let subnets = NetT.properties(t, "AWS::EC2::Subnet")
        XCTAssertEqual(subnets.count, 6)
        XCTAssertEqual(subnets.compactMap { $0["CidrBlock"]?.stringLiteral },
                       ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"])
        XCTAssertEqual(subnets[0]["AvailabilityZone"], ["Fn::Select": [0, ["Fn::GetAZs": ""]]])
        XCTAssertEqual(subnets[1]["AvailabilityZone"], ["Fn::Select": [1, ["Fn::GetAZs": ""]]])
        XCTAssertTrue(subnets.allSatisfy { $0["MapPublicIpOnLaunch"] == false })
        XCTAssertEqual(vpc.subnetIds(.public).count, 2)
        XCTAssertEqual(vpc.subnetIds(.privateWithEgress).count, 2)
        XCTAssertEqual(vpc.subnetIds(.isolated).count, 2)

        XCTAssertEqual(NetT.resources(t, "AWS::EC2::NatGateway").count, 1)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::EIP").count, 1)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::InternetGateway").count, 1)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::RouteTable").count, 6)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::SubnetRouteTableAssociation").count, 6)
        // 2 public routes to the IGW + 2 private routes to the NAT; isolated subnets have none.
        let routes = NetT.properties(t, "AWS::EC2::Route")
        XCTAssertEqual(routes.filter { $0["GatewayId"] != nil }.count, 2)
        XCTAssertEqual(routes.filter { $0["NatGatewayId"] != nil }.count, 2)
        XCTAssertEqual(routes.count, 4)
        // Flow logs on by default, kept a year.
        XCTAssertEqual(NetT.only(t, "AWS::Logs::LogGroup")["RetentionInDays"], 365)
        XCTAssertEqual(NetT.only(t, "AWS::EC2::FlowLog")["TrafficType"], "REJECT")
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::VPCEndpoint").count, 0)
    }

    func testPublicRoutesWaitForTheGatewayAttachmentAndPrivateRoutesUseTheirZoneNat() throws {
        let app = App()
        let vpc = Vpc(Stack(app, "S"), "Vpc", natGateways: 2)
        let t = try NetT.template(app)
        let attachment = try XCTUnwrap(NetT.logicalId(t, "AWS::EC2::VPCGatewayAttachment"))
        let publicRoutes = NetT.resources(t, "AWS::EC2::Route").filter { $0.value["Properties"]?["GatewayId"] != nil }
        XCTAssertTrue(publicRoutes.allSatisfy { $0.value["DependsOn"] == [.string(attachment)] })
        let nats = NetT.resources(t, "AWS::EC2::NatGateway").map(\.id)
        XCTAssertEqual(nats.count, 2)
        let privateRoutes = vpc.subnets(.privateWithEgress).map { $0.defaultRoute!.logicalId }
        let targets = privateRoutes.map { id in NetT.resources(t, "AWS::EC2::Route").first { $0.id == id }!.value["Properties"]!["NatGatewayId"] }
        XCTAssertEqual(targets, nats.map { NetT.ref($0) })
    }

    func testNoNatWithoutPrivateSubnetsAndCustomMasks() throws {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", cidr: "10.1.0.0/20", maxAzs: 3,
                subnetConfiguration: [.public(cidrMask: 26), .isolated("Db", cidrMask: 25)], flowLogs: nil)
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::NatGateway").count, 0)
        XCTAssertEqual(NetT.properties(t, "AWS::EC2::Subnet").compactMap { $0["CidrBlock"]?.stringLiteral },
                       ["10.1.0.0/26", "10.1.0.64/26", "10.1.0.128/26", "10.1.1.0/25", "10.1.1.128/25", "10.1.2.0/25"])
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::FlowLog").count, 0)
    }

    func testGatewayEndpointUsesEveryRouteTable() throws {
        let app = App()
        let vpc = Vpc(Stack(app, "S"), "Vpc", gatewayEndpoints: [.s3])
        let t = try NetT.template(app)
        let e = NetT.only(t, "AWS::EC2::VPCEndpoint")
        XCTAssertEqual(e["VpcEndpointType"], "Gateway")
        XCTAssertEqual(e["ServiceName"], ["Fn::Sub": "com.amazonaws.${AWS::Region}.s3"])
        XCTAssertEqual(e["RouteTableIds"], .array(vpc.subnets.map { NetT.ref($0.routeTable.logicalId) }))
    }

    func testFlowLogRoleMayOnlyWriteToItsLogGroup() throws {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", flowLogs: FlowLogOptions(traffic: .all, retention: .days(30)))
        let t = try NetT.template(app)
        let group = try XCTUnwrap(NetT.logicalId(t, "AWS::Logs::LogGroup"))
        let role = NetT.only(t, "AWS::IAM::Role")
        XCTAssertEqual(role["AssumeRolePolicyDocument"]?["Statement"]?.netArrayFirst?["Principal"], ["Service": "vpc-flow-logs.amazonaws.com"])
        let statement = role["Policies"]?.netArrayFirst?["PolicyDocument"]?["Statement"]?.netArrayFirst
        XCTAssertEqual(statement?["Resource"], NetT.getAtt(group, "Arn"))
        XCTAssertEqual(NetT.only(t, "AWS::EC2::FlowLog")["TrafficType"], "ALL")
        XCTAssertEqual(NetT.only(t, "AWS::Logs::LogGroup")["RetentionInDays"], 30)
    }

    func testExistingVpcCreatesNothingAndServesItsIds() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc.imported(stack, "Vpc", vpcId: "vpc-0abc", publicSubnetIds: ["subnet-a", "subnet-b"],
                               privateSubnetIds: ["subnet-c", "subnet-d"], isolatedSubnetIds: ["subnet-e", "subnet-f"])
        XCTAssertEqual(vpc.vpcId, "vpc-0abc")
        XCTAssertEqual(vpc.subnetIds(.privateWithEgress), ["subnet-c", "subnet-d"])
        XCTAssertEqual(vpc.subnetIds(preferring: [.privateWithEgress, .public]), ["subnet-c", "subnet-d"])
        XCTAssertNil(vpc.vpcCidrBlock)
        _ = SecurityGroup(stack, "Sg", vpc: vpc, description: "x")
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::VPC").count, 0)
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::Subnet").count, 0)
        XCTAssertEqual(NetT.only(t, "AWS::EC2::SecurityGroup")["VpcId"], "vpc-0abc")
    }

    func testExistingVpcValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Vpc.imported(stack, "Vpc", vpcId: "vpc0", publicSubnetIds: ["subnet-a", "subnet-a"], privateSubnetIds: ["sg-1"])
        _ = SecurityGroup(stack, "Sg", vpc: Vpc.imported(stack, "Other", vpcId: "vpc-1", isolatedSubnetIds: ["subnet-z"]), description: "x")
        NetT.assertError(app, "S/Vpc: 'vpc0' is not a VPC id")
        NetT.assertError(app, "subnet 'subnet-a' is listed twice")
        NetT.assertError(app, "'sg-1' (private) is not a subnet id")
        XCTAssertEqual(NetT.errors(app).filter { $0.hasPrefix("S/Other") }, [])
    }

    func testInvalidCidrIsReported() {
        for bad in ["10.0.0.0", "10.0.0.1/16", "300.0.0.0/16", "10.0.0.0/33", "10.0.0.0/8"] {
            let app = App()
            _ = Vpc(Stack(app, "S"), "Vpc", cidr: bad)
            XCTAssertTrue(NetT.errors(app).contains { $0.hasPrefix("S/Vpc:") && $0.contains(bad) }, bad)
        }
    }

    func testNatCountBeyondZonesIsReported() {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", natGateways: 3)
        NetT.assertError(app, "natGateways (3) is more than the number of availability zones (2)")
    }

    func testPrivateSubnetsWithoutNatAreReported() {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", natGateways: 0)
        NetT.assertError(app, "private subnets need at least one NAT gateway")
    }

    func testNatWithoutPrivateSubnetsIsReported() {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", subnetConfiguration: [.public()], natGateways: 1)
        NetT.assertError(app, "there are no private subnets to use them")
    }

    func testOverlappingExplicitSubnetCidrsAreReported() {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", subnetConfiguration: [
            SubnetConfiguration(name: "Public", type: .public, cidrBlocks: ["10.0.0.0/24", "10.0.1.0/24"]),
            SubnetConfiguration(name: "Db", type: .isolated, cidrBlocks: ["10.0.1.0/25", "10.1.0.0/24"]),
        ])
        NetT.assertError(app, "subnet CIDR blocks overlap: 10.0.1.0/25 (Db) and 10.0.1.0/24 (Public)")
        NetT.assertError(app, "10.1.0.0/24 is not inside the VPC block 10.0.0.0/16")
    }

    func testAutomaticAllocationGoesAroundExplicitBlocks() throws {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", subnetConfiguration: [
            .public(),
            SubnetConfiguration(name: "Db", type: .isolated, cidrBlocks: ["10.0.0.0/24", "10.0.2.0/24"]),
        ], flowLogs: nil)
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.properties(t, "AWS::EC2::Subnet").compactMap { $0["CidrBlock"]?.stringLiteral },
                       ["10.0.1.0/24", "10.0.3.0/24", "10.0.0.0/24", "10.0.2.0/24"])
    }

    func testSubnetsThatDoNotFitAreReported() {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", cidr: "10.0.0.0/24", maxAzs: 3)
        NetT.assertError(app, "the subnets do not fit in the VPC block 10.0.0.0/24")
    }

    func testBadRetentionAndGroupNamesAreReported() {
        let app = App()
        _ = Vpc(Stack(app, "S"), "Vpc", subnetConfiguration: [.public("Web-Tier"), .public("Web-Tier")],
                flowLogs: FlowLogOptions(retention: .days(42)))
        NetT.assertError(app, "flow log retention 42 days is not one CloudWatch Logs accepts")
        NetT.assertError(app, "subnet group name 'Web-Tier' must be letters and digits only")
        NetT.assertError(app, "subnet group name 'Web-Tier' is used twice")
    }

    func testCidrParsing() {
        XCTAssertEqual(IPv4Cidr("10.0.0.0/16")?.description, "10.0.0.0/16")
        XCTAssertNil(IPv4Cidr("10.0.0.1/16"))
        XCTAssertNil(IPv4Cidr("10.0.0/16"))
        XCTAssertNil(IPv4Cidr("10.0.0.0/-1"))
        XCTAssertTrue(IPv4Cidr("10.0.0.0/16")!.contains(IPv4Cidr("10.0.255.0/24")!))
        XCTAssertFalse(IPv4Cidr("10.0.0.0/16")!.overlaps(IPv4Cidr("10.1.0.0/16")!))
        XCTAssertTrue(IPv4Cidr("0.0.0.0/0")!.overlaps(IPv4Cidr("192.168.1.0/24")!))
    }

    /// `split` computes what `Fn::Cidr [block, count, 32 - prefix]` selects.
    func testCidrSplit() {
        XCTAssertEqual(IPv4Cidr("10.0.0.0/16")!.split(count: 4, prefixLength: 24)?.map(\.description),
                       ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"])
        XCTAssertEqual(IPv4Cidr("172.16.0.0/20")!.split(count: 2, prefixLength: 22)?.map(\.description), ["172.16.0.0/22", "172.16.4.0/22"])
        XCTAssertEqual(IPv4Cidr("10.0.0.0/23")!.split(count: 2, prefixLength: 24)?.map(\.description), ["10.0.0.0/24", "10.0.1.0/24"])
        XCTAssertNil(IPv4Cidr("10.0.0.0/24")!.split(count: 2, prefixLength: 24), "does not fit")
        XCTAssertNil(IPv4Cidr("10.0.0.0/24")!.split(count: 1, prefixLength: 16), "larger than the block")
        XCTAssertEqual(IPv4Cidr("255.255.255.0/24")!.split(count: 2, prefixLength: 25)?.last?.description, "255.255.255.128/25")
        XCTAssertNil(IPv4Cidr.problem("10.0.0.0/16"))
        XCTAssertEqual(IPv4Cidr.problem("10.0.0.1/16"), "'10.0.0.1/16' has host bits set (the block is 10.0.0.0/16)")
        XCTAssertEqual(IPv4Cidr.problem("10.0.0/16"), "'10.0.0/16' is not an IPv4 CIDR block such as 10.0.0.0/16 (a.b.c.d/n)")
        XCTAssertEqual(IPv4Cidr.problem("10.0.0.0/33"), "'10.0.0.0/33' is not an IPv4 CIDR block such as 10.0.0.0/16 (a.b.c.d/n)")
    }
}

extension Value {
    /// The first element of an array value.
    var netArrayFirst: Value? {
        if case .array(let items) = self { return items.first }
        return nil
    }
}
