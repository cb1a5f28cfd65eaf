import InfraDSL
import XCTest

final class LoadBalancingTests: XCTestCase {
    private func app(_ configure: (Stack, Vpc) -> Void) -> App {
        let app = App()
        let stack = Stack(app, "S")
        configure(stack, Vpc(stack, "Vpc", flowLogs: nil))
        return app
    }

    private func ingress(_ t: Value) -> [Value] { NetT.properties(t, "AWS::EC2::SecurityGroupIngress") }

    // MARK: - Load balancer, listeners, target groups

    func testLoadBalancerDefaults() throws {
        var lb: ApplicationLoadBalancer!
        let app = app { stack, vpc in
            lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 200, messageBody: "ok"))
        }
        let t = try NetT.template(app)
        let lbId = try XCTUnwrap(NetT.logicalId(t, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
        let p = NetT.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        XCTAssertEqual(p["Scheme"], "internet-facing")
        XCTAssertEqual(p["Type"], "application")
        XCTAssertEqual(p["Subnets"], .array(lb.vpc.subnetIds(.public).map { $0.token }.map { v -> Value in
            if case .ref(let r) = v { return NetT.ref(r.logicalId) }
            return v
        }))
        guard case .array(let attributes)? = p["LoadBalancerAttributes"] else { return XCTFail() }
        XCTAssertTrue(attributes.contains(["Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"]))
        XCTAssertFalse(attributes.contains { $0["Key"] == "access_logs.s3.enabled" })
        // Its own security group, open only on the listener port.
        let sgId = try XCTUnwrap((lb.securityGroup as? SecurityGroup)?.resource.logicalId)
        XCTAssertEqual(p["SecurityGroups"], [NetT.getAtt(sgId, "GroupId")])
        XCTAssertEqual(ingress(t), [["CidrIp": "0.0.0.0/0", "Description": "from the internet to HTTP 80", "FromPort": 80,
                                     "GroupId": NetT.getAtt(sgId, "GroupId"), "IpProtocol": "tcp", "ToPort": 80]])
        let listener = NetT.only(t, "AWS::ElasticLoadBalancingV2::Listener")
        XCTAssertEqual(listener["Protocol"], "HTTP")
        XCTAssertEqual(listener["Port"], 80)
        XCTAssertEqual(listener["LoadBalancerArn"], NetT.ref(lbId))
        XCTAssertNil(listener["SslPolicy"])
        XCTAssertEqual(listener["DefaultActions"], [["FixedResponseConfig": ["ContentType": "text/plain", "MessageBody": "ok", "StatusCode": "200"],
                                                     "Type": "fixed-response"]])
        // It waits for the internet gateway.
        XCTAssertEqual(NetT.resources(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").first?.value["DependsOn"],
                       [.string(NetT.logicalId(t, "AWS::EC2::VPCGatewayAttachment")!)])
        XCTAssertEqual(lb.aliasDnsName, lb.resource.attrDNSName)
    }

    func testInternalLoadBalancerWithAccessLogsAndClosedListener() throws {
        let app = app { stack, vpc in
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc, internetFacing: false,
                                             accessLogs: LoadBalancerAccessLogs(bucketName: "logs-bucket", prefix: "alb"))
            lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 404), open: false)
        }
        let t = try NetT.template(app)
        let p = NetT.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        XCTAssertEqual(p["Scheme"], "internal")
        guard case .array(let attributes)? = p["LoadBalancerAttributes"] else { return XCTFail() }
        XCTAssertTrue(attributes.contains(["Key": "access_logs.s3.bucket", "Value": "logs-bucket"]))
        XCTAssertTrue(attributes.contains(["Key": "access_logs.s3.prefix", "Value": "alb"]))
        XCTAssertEqual(ingress(t).count, 0)
        let subnets = try XCTUnwrap(p["Subnets"])
        guard case .array(let ids) = subnets else { return XCTFail() }
        XCTAssertTrue(ids.allSatisfy { $0["Ref"]?.stringLiteral?.hasPrefix("VpcPrivateSubnet") == true })
    }

    func testAccessLogsToABucketOfTheAppGrantDeliveryAndWaitForThePolicy() throws {
        // A region opened before August 2022: its Elastic Load Balancing account.
        let app = App()
        let stack = Stack(app, "S", region: "eu-west-1")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let logs = Bucket(stack, "Logs")
        let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc, accessLogs: LoadBalancerAccessLogs(bucket: logs, prefix: "alb"))
        lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 404))
        let t = try NetT.template(app)
        let bucketId = try XCTUnwrap(NetT.logicalId(t, "AWS::S3::Bucket"))
        let policyId = try XCTUnwrap(NetT.logicalId(t, "AWS::S3::BucketPolicy"))
        let p = NetT.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        guard case .array(let attributes)? = p["LoadBalancerAttributes"] else { return XCTFail() }
        XCTAssertTrue(attributes.contains(["Key": "access_logs.s3.bucket", "Value": NetT.ref(bucketId)]))
        let dependsOn = NetT.resources(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").first?.value["DependsOn"]
        guard case .array(let deps)? = dependsOn else { return XCTFail("no DependsOn") }
        XCTAssertTrue(deps.contains(.string(policyId)))
        let statements = NetT.only(t, "AWS::S3::BucketPolicy")["PolicyDocument"]?["Statement"]
        guard case .array(let list)? = statements else { return XCTFail() }
        XCTAssertTrue(list.contains([
            "Effect": "Allow", "Principal": ["AWS": ["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":iam::156460612806:root"]]]],
            "Action": "s3:PutObject",
            "Resource": ["Fn::Join": ["", [NetT.getAtt(bucketId, "Arn"), "/alb/AWSLogs/", ["Ref": "AWS::AccountId"], "/*"]]],
        ]), "\(list)")
    }

    func testAccessLogsDeliveryPrincipalForNewRegionsAndStacksWithoutRegion() throws {
        let app = App()
        let newer = Stack(app, "New", region: "eu-central-2")
        let any = Stack(app, "Any")
        for stack in [newer, any] {
            let vpc = Vpc(stack, "Vpc", flowLogs: nil)
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc, accessLogs: LoadBalancerAccessLogs(bucket: Bucket(stack, "Logs")))
            lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 404))
        }
        let a = try NetT.template(app, stack: 0), b = try NetT.template(app, stack: 1)
        func principal(_ t: Value) -> Value? {
            guard case .array(let list)? = NetT.only(t, "AWS::S3::BucketPolicy")["PolicyDocument"]?["Statement"] else { return nil }
            return list.first { $0["Action"] == "s3:PutObject" }?["Principal"]
        }
        XCTAssertEqual(principal(a), ["Service": "logdelivery.elasticloadbalancing.amazonaws.com"])
        XCTAssertNil(a["Mappings"])
        // Without a region, the account comes from a mapping by AWS::Region.
        XCTAssertEqual(b["Mappings"]?["ElasticLoadBalancingAccounts"]?["us-east-1"], ["AccountId": "127311923021"])
        XCTAssertEqual(principal(b), ["AWS": ["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":iam::",
            ["Fn::FindInMap": ["ElasticLoadBalancingAccounts", ["Ref": "AWS::Region"], "AccountId"]], ":root"]]]])
    }

    func testAccessLogsMisuseIsReported() {
        let app = App()
        let stack = Stack(app, "S", region: "us-east-1")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let kms = Bucket(stack, "Kms", encryption: .kms(keyArn: "arn:aws:kms:us-east-1:123456789012:key/abc"))
        let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc, accessLogs: LoadBalancerAccessLogs(bucket: kms, prefix: "/AWSLogs"))
        lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 404))
        NetT.assertError(app, "S/Lb: the access log prefix '/AWSLogs' must be non-empty")
        NetT.assertError(app, "S/Lb: access logs need a bucket encrypted with SSE-S3 (S/Kms uses a KMS key")
    }

    func testHttpsListenerUsesAModernPolicyAndRedirectListener() throws {
        let app = app { stack, vpc in
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            let tg = ApplicationTargetGroup(stack, "Tg", vpc: vpc)
            let https = lb.addListener("Https", certificateArns: ["arn:aws:acm:us-east-1:123456789012:certificate/abc"], defaultAction: .forward(tg))
            https.addCertificate("arn:aws:acm:us-east-1:123456789012:certificate/def")
            lb.addRedirect()
        }
        let t = try NetT.template(app)
        let listeners = NetT.properties(t, "AWS::ElasticLoadBalancingV2::Listener")
        XCTAssertEqual(listeners.count, 2)
        let https = try XCTUnwrap(listeners.first { $0["Protocol"] == "HTTPS" })
        XCTAssertEqual(https["Port"], 443)
        XCTAssertEqual(https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
        XCTAssertEqual(https["Certificates"], [["CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"]])
        XCTAssertEqual(NetT.only(t, "AWS::ElasticLoadBalancingV2::ListenerCertificate")["Certificates"],
                       [["CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/def"]])
        let http = try XCTUnwrap(listeners.first { $0["Protocol"] == "HTTP" })
        XCTAssertEqual(http["Port"], 80)
        XCTAssertEqual(http["DefaultActions"], [["RedirectConfig": ["Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"],
                                                 "Type": "redirect"]])
        XCTAssertEqual(Set(ingress(t).compactMap { NetT.int($0["FromPort"]) }), [80, 443])
    }

    func testHttpsListenerWithoutCertificateIsReported() {
        let app = app { stack, vpc in
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            lb.addListener("Https", protocol: .https, defaultAction: .fixedResponse(statusCode: 200))
            lb.addListener("Http", protocol: .http, certificateArns: ["arn:aws:acm:x"], defaultAction: .fixedResponse(statusCode: 200))
        }
        NetT.assertError(app, "S/Lb/Https: an HTTPS listener needs a certificate")
        NetT.assertError(app, "S/Lb/Http: certificates apply to HTTPS listeners only")
    }

    func testRedirectWithoutHttpsListenerIsReported() {
        let app = app { stack, vpc in
            ApplicationLoadBalancer(stack, "Lb", vpc: vpc).addRedirect()
        }
        NetT.assertError(app, "S/Lb/HttpRedirect: redirects to HTTPS on port 443, but the load balancer has no HTTPS listener on that port")
    }

    func testWeakTlsPolicyAndDuplicatePortsAreReported() {
        let app = app { stack, vpc in
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            lb.addListener("A", certificateArns: ["arn:aws:acm:x"], sslPolicy: "ELBSecurityPolicy-2016-08",
                           defaultAction: .fixedResponse(statusCode: 200))
            lb.addListener("B", port: 443, protocol: .http, defaultAction: .fixedResponse(statusCode: 302))
        }
        NetT.assertError(app, "S/Lb/A: the TLS policy 'ELBSecurityPolicy-2016-08' allows TLS 1.0/1.1")
        NetT.assertError(app, "S/Lb: two listeners use port 443")
        NetT.assertError(app, "fixed response status 302 must be 2XX, 4XX or 5XX")
    }

    func testLoadBalancerNeedsTwoZonesAndAListener() {
        let app = app { _, _ in }
        let stack = app.stacks[0]
        let single = Vpc(stack, "Single", maxAzs: 1, flowLogs: nil)
        _ = ApplicationLoadBalancer(stack, "Lb", vpc: single)
        NetT.assertError(app, "S/Lb: an application load balancer needs subnets in at least two availability zones (got 1)")
        NetT.assertError(app, "S/Lb: the load balancer has no listener")
    }

    func testTargetGroupDefaultsAndRules() throws {
        let app = app { stack, vpc in
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            let api = ApplicationTargetGroup(stack, "Api", vpc: vpc, port: 8080,
                                             healthCheck: TargetGroupHealthCheck(path: "/health", healthyHttpCodes: "200"),
                                             stickinessCookieDuration: .seconds(3600))
            let listener = lb.addListener("Http", defaultAction: .fixedResponse(statusCode: 404))
            listener.addRule("Api", priority: 10, pathPatterns: ["/api/*"], hostHeaders: ["example.com"], action: .forward(api))
        }
        let t = try NetT.template(app)
        let tgId = try XCTUnwrap(NetT.logicalId(t, "AWS::ElasticLoadBalancingV2::TargetGroup"))
        let tg = NetT.only(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
        XCTAssertEqual(tg["Port"], 8080)
        XCTAssertEqual(tg["Protocol"], "HTTP")
        XCTAssertEqual(tg["TargetType"], "ip")
        XCTAssertEqual(tg["HealthCheckPath"], "/health")
        XCTAssertEqual(tg["Matcher"], ["HttpCode": "200"])
        XCTAssertEqual(tg["TargetGroupAttributes"], [
            ["Key": "deregistration_delay.timeout_seconds", "Value": "30"],
            ["Key": "stickiness.enabled", "Value": "true"], ["Key": "stickiness.type", "Value": "lb_cookie"],
            ["Key": "stickiness.lb_cookie.duration_seconds", "Value": "3600"],
        ])
        let rule = NetT.only(t, "AWS::ElasticLoadBalancingV2::ListenerRule")
        XCTAssertEqual(rule["Priority"], 10)
        XCTAssertEqual(rule["Actions"], [["TargetGroupArn": NetT.ref(tgId), "Type": "forward"]])
        XCTAssertEqual(rule["Conditions"], [["Field": "path-pattern", "PathPatternConfig": ["Values": ["/api/*"]]],
                                            ["Field": "host-header", "HostHeaderConfig": ["Values": ["example.com"]]]])
    }

    func testTargetGroupMisuseIsReported() {
        let app = app { stack, vpc in
            _ = ApplicationTargetGroup(stack, "Orphan", vpc: vpc, healthCheck: TargetGroupHealthCheck(path: "health", interval: .seconds(5), timeout: .seconds(5)))
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            let listener = lb.addListener("Http", defaultAction: .forward([]))
            listener.addRule("A", priority: 1, pathPatterns: ["/a"], action: .fixedResponse(statusCode: 200))
            listener.addRule("B", priority: 1, action: .fixedResponse(statusCode: 200))
        }
        NetT.assertError(app, "S/Orphan: no listener routes to this target group")
        NetT.assertError(app, "S/Orphan: the health check path must start with '/'")
        NetT.assertError(app, "S/Orphan: the health check timeout must be shorter than its interval")
        NetT.assertError(app, "S/Lb/Http: a forward action needs at least one target group")
        NetT.assertError(app, "S/Lb/Http: rule priority 1 is used twice")
        NetT.assertError(app, "S/Lb/Http: rule 'B' needs path patterns or host headers")
    }

    func testServiceBehindATargetGroupIsOpenOnlyToItsLoadBalancer() throws {
        let app = app { stack, vpc in
            let cluster = Cluster(stack, "Cluster", vpc: vpc)
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx"), portMappings: [PortMapping(containerPort: 8080)])
            let service = FargateService(stack, "Service", cluster: cluster, taskDefinition: task)
            let tg = ApplicationTargetGroup(stack, "Tg", vpc: vpc, port: 8080)
            // Registered before any listener routes to the group: the rule still appears.
            service.attachToTargetGroup(tg)
            let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
            lb.addListener("Http", defaultAction: .forward(tg))
        }
        let t = try NetT.template(app)
        let groups = NetT.resources(t, "AWS::EC2::SecurityGroup").map(\.id)
        let serviceSg = try XCTUnwrap(groups.first { $0.hasPrefix("Service") })
        let lbSg = try XCTUnwrap(groups.first { $0.hasPrefix("Lb") })
        let toService = ingress(t).filter { $0["GroupId"] == NetT.getAtt(serviceSg, "GroupId") }
        XCTAssertEqual(toService.count, 1)
        XCTAssertEqual(toService.first?["SourceSecurityGroupId"], NetT.getAtt(lbSg, "GroupId"))
        XCTAssertEqual(toService.first?["FromPort"], 8080)
        XCTAssertEqual(toService.first?["ToPort"], 8080)
        XCTAssertNil(toService.first?["CidrIp"])
        let service = NetT.resources(t, "AWS::ECS::Service").first?.value
        let listenerId = try XCTUnwrap(NetT.logicalId(t, "AWS::ElasticLoadBalancingV2::Listener"))
        guard case .array(let deps)? = service?["DependsOn"] else { return XCTFail("no DependsOn") }
        XCTAssertTrue(deps.contains(.string(listenerId)))
        XCTAssertEqual(service?["Properties"]?["HealthCheckGracePeriodSeconds"], 60)
        XCTAssertEqual(service?["Properties"]?["LoadBalancers"], [["ContainerName": "app", "ContainerPort": 8080,
                                                                   "TargetGroupArn": NetT.ref(NetT.logicalId(t, "AWS::ElasticLoadBalancingV2::TargetGroup")!)]])
    }

    func testTargetPortMustBeMappedByTheContainer() {
        let app = app { stack, vpc in
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx"), portMappings: [PortMapping(containerPort: 80)])
            let service = FargateService(stack, "Service", cluster: Cluster(stack, "Cluster", vpc: vpc), taskDefinition: task)
            let tg = ApplicationTargetGroup(stack, "Tg", vpc: vpc, targetType: .instance)
            ApplicationLoadBalancer(stack, "Lb", vpc: vpc).addListener("Http", defaultAction: .forward(tg))
            service.attachToTargetGroup(tg, containerPort: 9000)
        }
        NetT.assertError(app, "S/Service: container 'app' does not map port 9000")
        NetT.assertError(app, "S/Service: tasks with the awsvpc network mode register as 'ip' targets")
    }

    // MARK: - The load-balanced Fargate service

    func testLoadBalancedServiceWithoutCertificateServesHttpOnly() throws {
        var svc: ApplicationLoadBalancedFargateService!
        let app = app { stack, vpc in
            svc = ApplicationLoadBalancedFargateService(stack, "Web", cluster: Cluster(stack, "Cluster", vpc: vpc),
                                                        image: .fromRegistry("streamlit:1"), containerPort: 8501, healthCheckPath: "/_stcore/health")
        }
        let t = try NetT.template(app)
        let listeners = NetT.properties(t, "AWS::ElasticLoadBalancingV2::Listener")
        XCTAssertEqual(listeners.count, 1)
        XCTAssertEqual(listeners.first?["Protocol"], "HTTP")
        XCTAssertEqual(listeners.first?["DefaultActions"]?.netArrayFirst?["Type"], "forward")
        XCTAssertNil(svc.redirectListener)
        XCTAssertEqual(NetT.only(t, "AWS::ElasticLoadBalancingV2::TargetGroup")["HealthCheckPath"], "/_stcore/health")
        XCTAssertEqual(NetT.resources(t, "AWS::CertificateManager::Certificate").count, 0)
        XCTAssertEqual(NetT.resources(t, "AWS::Route53::RecordSet").count, 0)
        // The internet reaches the load balancer on 80 only; the service only from the load balancer on 8501.
        let rules = ingress(t)
        XCTAssertEqual(rules.filter { $0["CidrIp"] != nil }.compactMap { $0["FromPort"] }, [80])
        let fromLb = rules.filter { $0["SourceSecurityGroupId"] != nil }
        XCTAssertEqual(fromLb.count, 1)
        XCTAssertEqual(fromLb.first?["FromPort"], 8501)
        XCTAssertEqual(fromLb.first?["SourceSecurityGroupId"], NetT.getAtt(try XCTUnwrap(svc.loadBalancer.securityGroup as? SecurityGroup).resource.logicalId, "GroupId"))
        XCTAssertEqual(fromLb.first?["GroupId"], NetT.getAtt(try XCTUnwrap(svc.service.securityGroups[0] as? SecurityGroup).resource.logicalId, "GroupId"))
        XCTAssertEqual(svc.url, "http://\(svc.loadBalancer.dnsName)")
    }

    func testLoadBalancedServiceWithCertificateRedirectsHttpAndAddsAlias() throws {
        var svc: ApplicationLoadBalancedFargateService!
        let app = app { stack, vpc in
            let zone = HostedZone(stack, "Zone", zoneName: "sign2text.com")
            svc = ApplicationLoadBalancedFargateService(
                stack, "Api", cluster: Cluster(stack, "Cluster", vpc: vpc), image: .fromRegistry("sign2text:1"), containerPort: 8000,
                cpu: 1024, memory: .mebibytes(6144), certificate: .create, domainName: "api", hostedZone: zone)
        }
        XCTAssertEqual(svc.url, "https://api.sign2text.com")
        let t = try NetT.template(app)
        let listeners = NetT.properties(t, "AWS::ElasticLoadBalancingV2::Listener")
        XCTAssertEqual(listeners.count, 2)
        let certId = try XCTUnwrap(NetT.logicalId(t, "AWS::CertificateManager::Certificate"))
        let https = try XCTUnwrap(listeners.first { $0["Protocol"] == "HTTPS" })
        XCTAssertEqual(https["Certificates"], [["CertificateArn": NetT.ref(certId)]])
        XCTAssertEqual(https["DefaultActions"]?.netArrayFirst?["Type"], "forward")
        let http = try XCTUnwrap(listeners.first { $0["Protocol"] == "HTTP" })
        XCTAssertEqual(http["DefaultActions"]?.netArrayFirst?["Type"], "redirect")
        let zoneId = try XCTUnwrap(NetT.logicalId(t, "AWS::Route53::HostedZone"))
        let cert = NetT.only(t, "AWS::CertificateManager::Certificate")
        XCTAssertEqual(cert["DomainName"], "api.sign2text.com")
        XCTAssertEqual(cert["ValidationMethod"], "DNS")
        XCTAssertEqual(cert["DomainValidationOptions"], [["DomainName": "api.sign2text.com", "HostedZoneId": NetT.ref(zoneId)]])
        let lbId = try XCTUnwrap(NetT.logicalId(t, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
        let record = NetT.only(t, "AWS::Route53::RecordSet")
        XCTAssertEqual(record["Name"], "api.sign2text.com.")
        XCTAssertEqual(record["Type"], "A")
        XCTAssertEqual(record["HostedZoneId"], NetT.ref(zoneId))
        XCTAssertEqual(record["AliasTarget"], ["DNSName": NetT.getAtt(lbId, "DNSName"), "EvaluateTargetHealth": false,
                                               "HostedZoneId": NetT.getAtt(lbId, "CanonicalHostedZoneID")])
        XCTAssertEqual(Set(ingress(t).filter { $0["CidrIp"] != nil }.compactMap { NetT.int($0["FromPort"]) }), [80, 443])
        XCTAssertEqual(NetT.only(t, "AWS::ECS::TaskDefinition")["Memory"], "6144")
    }

    func testLoadBalancedServiceWithExistingCertificateArn() throws {
        let app = app { stack, vpc in
            _ = ApplicationLoadBalancedFargateService(stack, "Web", cluster: Cluster(stack, "Cluster", vpc: vpc), image: .fromRegistry("x"),
                                                      certificate: .arn("arn:aws:acm:eu-west-1:123456789012:certificate/abc"))
        }
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.properties(t, "AWS::ElasticLoadBalancingV2::Listener").count, 2)
        XCTAssertEqual(NetT.resources(t, "AWS::CertificateManager::Certificate").count, 0)
    }

    func testLoadBalancedServiceMisuseIsReported() {
        let app = app { stack, vpc in
            let cluster = Cluster(stack, "Cluster", vpc: vpc)
            _ = ApplicationLoadBalancedFargateService(stack, "A", cluster: cluster, image: .fromRegistry("x"), domainName: "www")
            _ = ApplicationLoadBalancedFargateService(stack, "B", cluster: cluster, image: .fromRegistry("x"), certificate: .create)
            let zone = HostedZone(stack, "Zone", zoneName: "example.com")
            _ = ApplicationLoadBalancedFargateService(stack, "C", cluster: cluster, image: .fromRegistry("x"), memory: .mebibytes(4096),
                                                      domainName: "www.other.org.", hostedZone: zone)
        }
        NetT.assertError(app, "S/A: domainName needs a hostedZone")
        NetT.assertError(app, "S/B: certificate: .create needs domainName and hostedZone")
        NetT.assertError(app, "S/C/TaskDefinition: Fargate does not offer 4096 MiB with 256 CPU units")
    }
}
