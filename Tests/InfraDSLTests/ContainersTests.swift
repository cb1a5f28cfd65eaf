import Foundation
import InfraDSL
import XCTest

final class ContainersTests: XCTestCase {
    private func fargateApp(_ configure: (Stack, Cluster) -> Void) -> App {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        configure(stack, Cluster(stack, "Cluster", vpc: vpc))
        return app
    }

    // MARK: - Repository

    func testRepositoryDefaults() throws {
        let app = App()
        let repo = Repository(Stack(app, "Coral"), "Frontend_Images")
        XCTAssertEqual(repo.name, "coral-frontend-images")
        let t = try NetT.template(app)
        let r = try XCTUnwrap(NetT.resources(t, "AWS::ECR::Repository").first?.value)
        let p = r["Properties"]!
        XCTAssertEqual(p["RepositoryName"], "coral-frontend-images")
        XCTAssertEqual(p["ImageScanningConfiguration"], ["ScanOnPush": true])
        XCTAssertEqual(p["ImageTagMutability"], "IMMUTABLE")
        XCTAssertEqual(p["EncryptionConfiguration"], ["EncryptionType": "KMS"])
        XCTAssertNil(p["LifecyclePolicy"])
        XCTAssertEqual(r["DeletionPolicy"], "Retain")
    }

    func testRepositoryLifecycleAndRemoval() throws {
        let app = App()
        _ = Repository(Stack(app, "S"), "Repo", repositoryName: "team/app", tagMutability: .mutable, encryption: .aes256,
                       maxImageCount: 5, removalPolicy: .delete)
        let t = try NetT.template(app)
        let r = try XCTUnwrap(NetT.resources(t, "AWS::ECR::Repository").first?.value)
        let p = r["Properties"]!
        XCTAssertEqual(p["RepositoryName"], "team/app")
        XCTAssertEqual(p["EmptyOnDelete"], true)
        XCTAssertEqual(p["ImageTagMutability"], "MUTABLE")
        XCTAssertEqual(p["EncryptionConfiguration"], ["EncryptionType": "AES256"])
        let text = try XCTUnwrap(p["LifecyclePolicy"]?["LifecyclePolicyText"]?.stringLiteral)
        let policy = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let rule = try XCTUnwrap((policy["rules"] as? [[String: Any]])?.first)
        XCTAssertEqual((rule["selection"] as? [String: Any])?["countNumber"] as? Int, 5)
        XCTAssertEqual(r["DeletionPolicy"], "Delete")
    }

    func testRepositoryNameValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Repository(stack, "A", repositoryName: "UpperCase")
        _ = Repository(stack, "B", repositoryName: "a--b")
        _ = Repository(stack, "C", maxImageCount: 0)
        NetT.assertError(app, "S/A: 'UpperCase' is not a valid repository name")
        NetT.assertError(app, "S/B: 'a--b' is not a valid repository name")
        NetT.assertError(app, "S/C: maxImageCount must be at least 1")
    }

    func testRepositoryPolicyLetsAServicePull() throws {
        let app = App()
        let stack = Stack(app, "S")
        let repo = Repository(stack, "Workers")
        let pull = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
        repo.addToResourcePolicy(PolicyStatement(actions: pull, resources: ["ignored"], principals: ["Service": ["lambda.amazonaws.com"]],
                                                 conditions: ["StringLike": ["aws:sourceArn": "arn:aws:lambda:*:*:function:a"]]))
        repo.addToResourcePolicy(PolicyStatement(actions: pull, principals: ["Service": ["lambda.amazonaws.com"]],
                                                 conditions: ["StringLike": ["aws:sourceArn": "arn:aws:lambda:*:*:function:a"]]))
        let t = try NetT.template(app)
        let p = NetT.only(t, "AWS::ECR::Repository")
        XCTAssertEqual(p["RepositoryPolicyText"], [
            "Version": "2012-10-17",
            "Statement": [[
                "Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"],
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Condition": ["StringLike": ["aws:sourceArn": "arn:aws:lambda:*:*:function:a"]],
            ]],
        ])
        XCTAssertNil(NetT.only(try NetT.template({ let a = App(); _ = Repository(Stack(a, "S"), "R"); return a }()),
                               "AWS::ECR::Repository")["RepositoryPolicyText"])
    }

    func testRepositoryPolicyMisuseIsReported() {
        let app = App()
        let stack = Stack(app, "S")
        Repository.fromName(stack, "Imported", "existing").addToResourcePolicy(
            PolicyStatement(actions: ["ecr:BatchGetImage"], principals: ["Service": ["lambda.amazonaws.com"]]))
        Repository(stack, "Own").addToResourcePolicy(PolicyStatement(actions: ["ecr:BatchGetImage"]))
        NetT.assertError(app, "S/Imported: cannot change the policy of an imported repository")
        NetT.assertError(app, "S/Own: a repository policy statement needs a principal")
    }

    func testImportedRepositoryCreatesNothingAndGrantsPullByName() throws {
        let app = App()
        let stack = Stack(app, "S")
        let repo = Repository.fromName(stack, "Repo", "coral-workers")
        let role = Role(stack, "Role", assumedBy: "ecs-tasks.amazonaws.com")
        repo.grantPull(role)
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.resources(t, "AWS::ECR::Repository").count, 0)
        let statements = NetT.only(t, "AWS::IAM::Role")["Policies"]?.netArrayFirst?["PolicyDocument"]?["Statement"]
        XCTAssertEqual(statements, [
            ["Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Resource": ["Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/coral-workers"]],
            ["Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"],
        ])
        XCTAssertEqual(repo.repositoryName, "coral-workers")
    }

    // MARK: - Cluster

    func testFargateClusterDefaults() throws {
        let app = fargateApp { _, _ in }
        let t = try NetT.template(app)
        XCTAssertEqual(NetT.only(t, "AWS::ECS::Cluster"), ["ClusterSettings": [["Name": "containerInsights", "Value": "enabled"]]])
        XCTAssertEqual(NetT.resources(t, "AWS::AutoScaling::AutoScalingGroup").count, 0)
        XCTAssertEqual(NetT.resources(t, "AWS::ECS::CapacityProvider").count, 0)
    }

    func testEc2ClusterUsesTheSsmAmiAndJoinsTheCluster() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let cluster = Cluster(stack, "Cluster", vpc: vpc, ec2Capacity: Ec2CapacityOptions(instanceType: "m5.large", maxCapacity: 3))
        let task = TaskDefinition(stack, "Task", compatibility: .ec2, memoryMiB: 1024)
        task.addContainer("app", image: .fromRegistry("nginx:1.27"), portMappings: [PortMapping(containerPort: 80)])
        _ = Ec2Service(stack, "Service", cluster: cluster, taskDefinition: task)
        let t = try NetT.template(app)

        guard case .object(let params)? = t["Parameters"], let (paramId, param) = params.first else { return XCTFail("no parameter") }
        XCTAssertEqual(param["Type"], "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>")
        XCTAssertEqual(param["Default"], "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")

        let clusterId = try XCTUnwrap(NetT.logicalId(t, "AWS::ECS::Cluster"))
        let data = try XCTUnwrap(NetT.only(t, "AWS::EC2::LaunchTemplate")["LaunchTemplateData"])
        XCTAssertEqual(data["ImageId"], NetT.ref(paramId))
        XCTAssertEqual(data["InstanceType"], "m5.large")
        XCTAssertEqual(data["MetadataOptions"]?["HttpTokens"], "required")
        XCTAssertEqual(data["BlockDeviceMappings"]?.netArrayFirst?["Ebs"]?["Encrypted"], true)
        XCTAssertEqual(data["UserData"], ["Fn::Base64": ["Fn::Sub": ["#!/bin/bash\necho ECS_CLUSTER=${T0} >> /etc/ecs/ecs.config\n",
                                                                     ["T0": NetT.ref(clusterId)]]]])
        let profile = try XCTUnwrap(NetT.logicalId(t, "AWS::IAM::InstanceProfile"))
        XCTAssertEqual(data["IamInstanceProfile"], ["Arn": NetT.getAtt(profile, "Arn")])

        let instanceRole = NetT.properties(t, "AWS::IAM::Role").first { $0["AssumeRolePolicyDocument"]?["Statement"]?.netArrayFirst?["Principal"] == ["Service": "ec2.amazonaws.com"] }
        XCTAssertEqual(instanceRole?["ManagedPolicyArns"]?.netArrayFirst,
                       ["Fn::Join": ["", ["arn:", ["Ref": "AWS::Partition"], ":iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]]])

        let asgId = try XCTUnwrap(NetT.logicalId(t, "AWS::AutoScaling::AutoScalingGroup"))
        let asg = NetT.only(t, "AWS::AutoScaling::AutoScalingGroup")
        XCTAssertEqual(asg["MaxSize"], "3")
        XCTAssertEqual(asg["VPCZoneIdentifier"], .array(vpc.subnets(.privateWithEgress).map { NetT.ref($0.resource.logicalId) }))
        let provider = NetT.only(t, "AWS::ECS::CapacityProvider")
        XCTAssertEqual(provider["AutoScalingGroupProvider"]?["AutoScalingGroupArn"], NetT.ref(asgId))
        let providerId = try XCTUnwrap(NetT.logicalId(t, "AWS::ECS::CapacityProvider"))
        let association = NetT.only(t, "AWS::ECS::ClusterCapacityProviderAssociations")
        XCTAssertEqual(association["Cluster"], NetT.ref(clusterId))
        XCTAssertEqual(association["CapacityProviders"], [NetT.ref(providerId)])

        let service = NetT.only(t, "AWS::ECS::Service")
        XCTAssertNil(service["LaunchType"])
        XCTAssertEqual(service["CapacityProviderStrategy"], [["CapacityProvider": NetT.ref(providerId), "Weight": 1]])
        XCTAssertEqual(NetT.only(t, "AWS::ECS::TaskDefinition")["RequiresCompatibilities"], ["EC2"])
    }

    func testEc2ServiceNeedsEc2CapacityAndAnEc2TaskDefinition() {
        let app = fargateApp { stack, cluster in
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx:1.27"))
            _ = Ec2Service(stack, "Service", cluster: cluster, taskDefinition: task)
        }
        NetT.assertError(app, "S/Service: the task definition 'S/Task' is for FARGATE, not EC2")
        NetT.assertError(app, "has no EC2 capacity")
    }

    func testEc2CapacityValidation() {
        let app = App()
        let stack = Stack(app, "S")
        _ = Cluster(stack, "Cluster", vpc: Vpc(stack, "Vpc", flowLogs: nil),
                    ec2Capacity: Ec2CapacityOptions(minCapacity: 3, maxCapacity: 2, rootVolumeSizeGiB: 8))
        NetT.assertError(app, "S/Cluster: EC2 capacity needs 0 <= minCapacity <= maxCapacity")
        NetT.assertError(app, "root volume of at least 30 GiB")
    }

    func testBridgeTasksAreReachedOnTheDynamicPortRangeOfTheInstances() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let cluster = Cluster(stack, "Cluster", vpc: vpc, ec2Capacity: Ec2CapacityOptions())
        let task = TaskDefinition(stack, "Task", compatibility: .ec2, networkMode: .bridge)
        task.addContainer("app", image: .fromRegistry("nginx"), portMappings: [PortMapping(containerPort: 80)], memoryLimitMiB: 256)
        let service = Ec2Service(stack, "Service", cluster: cluster, taskDefinition: task)
        let tg = ApplicationTargetGroup(stack, "Tg", vpc: vpc, targetType: .instance)
        let lb = ApplicationLoadBalancer(stack, "Lb", vpc: vpc)
        lb.addListener("Http", defaultAction: .forward(tg))
        service.attachToTargetGroup(tg)
        XCTAssertTrue(service.connections.securityGroups[0] === cluster.instanceSecurityGroup)
        let t = try NetT.template(app)
        let instanceSg = try XCTUnwrap(cluster.instanceSecurityGroup?.resource?.logicalId)
        let rules = NetT.properties(t, "AWS::EC2::SecurityGroupIngress").filter { $0["GroupId"] == NetT.getAtt(instanceSg, "GroupId") }
        XCTAssertEqual(rules.count, 1)
        XCTAssertEqual(rules.first?["FromPort"], 32768)
        XCTAssertEqual(rules.first?["ToPort"], 65535)
        XCTAssertEqual(rules.first?["SourceSecurityGroupId"], NetT.getAtt(lb.securityGroup.resource!.logicalId, "GroupId"))
        let s = NetT.only(t, "AWS::ECS::Service")
        XCTAssertNil(s["NetworkConfiguration"])
        XCTAssertEqual(NetT.only(t, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]?.netArrayFirst?["PortMappings"],
                       [["ContainerPort": 80, "Protocol": "tcp"]])
    }

    // MARK: - Task definitions

    func testTaskDefinitionDefaults() throws {
        let app = fargateApp { stack, _ in
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx:1.27"), portMappings: [PortMapping(containerPort: 8080)],
                              environment: ["MODE": "prod"])
        }
        let t = try NetT.template(app)
        let td = NetT.only(t, "AWS::ECS::TaskDefinition")
        XCTAssertEqual(td["Cpu"], "256")
        XCTAssertEqual(td["Memory"], "512")
        XCTAssertEqual(td["NetworkMode"], "awsvpc")
        XCTAssertEqual(td["RequiresCompatibilities"], ["FARGATE"])
        XCTAssertEqual(td["Family"], "s-task")
        XCTAssertNotEqual(td["TaskRoleArn"], td["ExecutionRoleArn"])
        let group = try XCTUnwrap(NetT.resources(t, "AWS::Logs::LogGroup").first)
        XCTAssertEqual(group.value["Properties"]?["RetentionInDays"], 365)
        let c = try XCTUnwrap(td["ContainerDefinitions"]?.netArrayFirst)
        XCTAssertEqual(c["Image"], "nginx:1.27")
        XCTAssertEqual(c["Essential"], true)
        XCTAssertEqual(c["PortMappings"], [["ContainerPort": 8080, "HostPort": 8080, "Protocol": "tcp"]])
        XCTAssertEqual(c["Environment"], [["Name": "MODE", "Value": "prod"]])
        XCTAssertEqual(c["LogConfiguration"], ["LogDriver": "awslogs", "Options": [
            "awslogs-group": NetT.ref(group.id), "awslogs-region": ["Ref": "AWS::Region"], "awslogs-stream-prefix": "app"]])
        // The execution role may write to its log group only; the task role has no permission.
        let roles = NetT.resources(t, "AWS::IAM::Role").filter { $0.id.contains("Task") }
        let execution = try XCTUnwrap(roles.first { $0.id.contains("ExecutionRole") }?.value["Properties"])
        XCTAssertEqual(execution["Policies"]?.netArrayFirst?["PolicyDocument"]?["Statement"],
                       [["Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": NetT.getAtt(group.id, "Arn")]])
        let task = try XCTUnwrap(roles.first { $0.id.contains("TaskRole") }?.value["Properties"])
        XCTAssertNil(task["Policies"])
    }

    func testFargateSizesAreValidated() {
        for (cpu, memory, ok) in [(256, 512, true), (1024, 6144, true), (256, 4096, false), (300, 1024, false),
                                  (8192, 20480, true), (8192, 18432, false), (4096, 30720, true)] {
            let app = fargateApp { stack, _ in
                TaskDefinition(stack, "Task", cpu: cpu, memoryMiB: memory).addContainer("app", image: .fromRegistry("nginx"))
            }
            XCTAssertEqual(NetT.errors(app).isEmpty, ok, "\(cpu)/\(memory): \(NetT.errors(app))")
        }
        let app = fargateApp { stack, _ in
            TaskDefinition(stack, "Task", cpu: 256, memoryMiB: 4096).addContainer("app", image: .fromRegistry("nginx"))
        }
        NetT.assertError(app, "S/Task: Fargate does not offer 4096 MiB with 256 CPU units; allowed: 512, 1024, 2048 MiB")
    }

    func testTaskDefinitionMisuseIsReported() {
        let app = fargateApp { stack, _ in
            _ = TaskDefinition(stack, "Empty")
            let bridge = TaskDefinition(stack, "Bridge", networkMode: .bridge, logRetentionDays: 10)
            let c = bridge.addContainer("app", image: .fromRegistry("nginx"), portMappings: [PortMapping(containerPort: 80, hostPort: 8080)],
                                        essential: false, memoryLimitMiB: 1024)
            c.addEnvironment("TOKEN", "x")
            c.addSecret("TOKEN", .ssmParameter("/app/token"))
            c.healthCheck = .shell("true", intervalSeconds: 5, timeoutSeconds: 10)
            bridge.addContainer("app", image: .fromRegistry("nginx"))
        }
        NetT.assertError(app, "S/Empty: the task definition has no container")
        NetT.assertError(app, "S/Bridge: Fargate tasks need the awsvpc network mode")
        NetT.assertError(app, "container name 'app' is used twice")
        NetT.assertError(app, "'TOKEN' is both an environment variable and a secret")
        NetT.assertError(app, "the containers reserve 1024 MiB, more than the task's 512 MiB")
        NetT.assertError(app, "log retention of 10 days")
        NetT.assertError(app, "health check timeout must be shorter than its interval")
    }

    func testSecretsAreReadByTheExecutionRoleOnly() throws {
        let secretArn: StringValue = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
        let app = fargateApp { stack, _ in
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx"),
                              secrets: ["DB_PASSWORD": .secretsManager(secretArn, field: "password"), "API_KEY": .ssmParameter("/app/key")])
        }
        let t = try NetT.template(app)
        let c = NetT.only(t, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]?.netArrayFirst
        XCTAssertEqual(c?["Secrets"], [
            ["Name": "API_KEY", "ValueFrom": ["Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/key"]],
            ["Name": "DB_PASSWORD", "ValueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::"],
        ])
        XCTAssertNil(c?["Environment"])
        let roles = NetT.resources(t, "AWS::IAM::Role")
        let execution = roles.first { $0.id.contains("ExecutionRole") }?.value["Properties"]?["Policies"]?.netArrayFirst?["PolicyDocument"]?["Statement"]
        guard case .array(let statements)? = execution else { return XCTFail("no execution policy") }
        XCTAssertTrue(statements.contains(["Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                                           "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"]))
        XCTAssertTrue(statements.contains { $0["Action"] == "ssm:GetParameters" })
        XCTAssertNil(roles.first { $0.id.contains("TaskRole") }?.value["Properties"]?["Policies"])
    }

    func testSecretWithItsOwnGrant() throws {
        let app = fargateApp { stack, _ in
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx"), secrets: [
                "TOKEN": .secretsManager("arn:partial:token", grantRead: { grantee in
                    grantee.addToPrincipalPolicy(PolicyStatement(actions: ["secretsmanager:GetSecretValue"], resources: ["arn:partial:token-??????"]))
                    grantee.addToPrincipalPolicy(PolicyStatement(actions: ["kms:Decrypt"], resources: ["arn:key"]))
                }),
            ])
        }
        let t = try NetT.template(app)
        let execution = NetT.resources(t, "AWS::IAM::Role").first { $0.id.contains("ExecutionRole") }?.value["Properties"]?["Policies"]?.netArrayFirst?["PolicyDocument"]?["Statement"]
        guard case .array(let statements)? = execution else { return XCTFail("no execution policy") }
        XCTAssertTrue(statements.contains(["Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:key"]))
        XCTAssertTrue(statements.contains(["Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:partial:token-??????"]))
        XCTAssertFalse(statements.contains { $0["Resource"] == "arn:partial:token" })
    }

    func testImageFromRepositoryGrantsPullToTheExecutionRole() throws {
        let app = fargateApp { stack, _ in
            let repo = Repository(stack, "Repo")
            TaskDefinition(stack, "Task").addContainer("app", image: .fromRepository(repo, tag: "v2"))
        }
        let t = try NetT.template(app)
        let repoId = try XCTUnwrap(NetT.logicalId(t, "AWS::ECR::Repository"))
        let c = NetT.only(t, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]?.netArrayFirst
        XCTAssertEqual(c?["Image"], ["Fn::Join": ["", [NetT.getAtt(repoId, "RepositoryUri"), ":v2"]]])
        let execution = NetT.resources(t, "AWS::IAM::Role").first { $0.id.contains("ExecutionRole") }?.value["Properties"]?["Policies"]?.netArrayFirst?["PolicyDocument"]?["Statement"]
        guard case .array(let statements)? = execution else { return XCTFail("no execution policy") }
        XCTAssertTrue(statements.contains { $0["Resource"] == NetT.getAtt(repoId, "Arn") && $0["Action"]?.netArrayFirst == "ecr:BatchCheckLayerAvailability" })
    }

    func testImageFromAssetIsRegisteredAndPointsAtTheBootstrapRepository() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("containers-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "FROM scratch\n".write(toFile: dir + "/Dockerfile", atomically: true, encoding: .utf8)
        let hash = try Asset.hashDirectory(dir)

        let app = fargateApp { stack, _ in
            TaskDefinition(stack, "Task").addContainer("app", image: .fromAsset(directory: dir))
        }
        let assembly = try app.synthesize()
        XCTAssertEqual(assembly.assets.map(\.id), [hash])
        XCTAssertEqual(assembly.assets.first?.kind, .containerImage)
        XCTAssertEqual(assembly.assets.first?.sourcePath, dir)
        XCTAssertEqual(assembly.stacks[0].assets, [hash])
        let c = NetT.only(assembly.stacks[0].template, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]?.netArrayFirst
        XCTAssertEqual(c?["Image"], ["Fn::Sub": .string("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/infra-assets:\(hash)")])
    }

    func testImageAssetProblemsAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("containers-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "print(1)\n".write(toFile: dir + "/app.py", atomically: true, encoding: .utf8)
        let app = fargateApp { stack, _ in
            TaskDefinition(stack, "NoDockerfile").addContainer("app", image: .fromAsset(directory: dir))
            TaskDefinition(stack, "Missing").addContainer("app", image: .fromAsset(directory: dir + "/nowhere"))
        }
        NetT.assertError(app, "S/NoDockerfile: container image directory '\(dir)' has no Dockerfile")
        NetT.assertError(app, "S/Missing: container image asset:")
    }

    // MARK: - Services

    func testFargateServiceDefaults() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", flowLogs: nil)
        let cluster = Cluster(stack, "Cluster", vpc: vpc)
        let task = TaskDefinition(stack, "Task")
        task.addContainer("app", image: .fromRegistry("nginx"), portMappings: [PortMapping(containerPort: 80)])
        let service = FargateService(stack, "Service", cluster: cluster, taskDefinition: task)
        XCTAssertEqual(service.connections.defaultPort, .tcp(80))
        let t = try NetT.template(app)
        let s = NetT.only(t, "AWS::ECS::Service")
        XCTAssertEqual(s["LaunchType"], "FARGATE")
        XCTAssertEqual(s["DesiredCount"], 1)
        XCTAssertEqual(s["PlatformVersion"], "LATEST")
        XCTAssertEqual(s["DeploymentConfiguration"], ["DeploymentCircuitBreaker": ["Enable": true, "Rollback": true],
                                                      "MaximumPercent": 200, "MinimumHealthyPercent": 100])
        XCTAssertNil(s["HealthCheckGracePeriodSeconds"])
        let network = s["NetworkConfiguration"]?["AwsvpcConfiguration"]
        XCTAssertEqual(network?["AssignPublicIp"], "DISABLED")
        XCTAssertEqual(network?["Subnets"], .array(vpc.subnets(.privateWithEgress).map { NetT.ref($0.resource.logicalId) }))
        // Its own group, no inbound rule.
        let sgId = try XCTUnwrap(service.securityGroups.first?.resource?.logicalId)
        XCTAssertEqual(network?["SecurityGroups"], [NetT.getAtt(sgId, "GroupId")])
        XCTAssertEqual(NetT.resources(t, "AWS::EC2::SecurityGroupIngress").count, 0)
        // Waits for the NAT routes so the first tasks can pull their image.
        let deps = NetT.resources(t, "AWS::ECS::Service").first?.value["DependsOn"]
        XCTAssertEqual(deps, .array(vpc.internetConnectivityEstablished.map { .string($0.logicalId) }.sorted { $0.stringLiteral! < $1.stringLiteral! }))
    }

    func testFargateServiceInPublicSubnetsGetsAPublicIp() throws {
        let app = App()
        let stack = Stack(app, "S")
        let vpc = Vpc(stack, "Vpc", subnetConfiguration: [.public()], flowLogs: nil)
        let task = TaskDefinition(stack, "Task")
        task.addContainer("app", image: .fromRegistry("nginx"))
        _ = FargateService(stack, "Service", cluster: Cluster(stack, "Cluster", vpc: vpc), taskDefinition: task, desiredCount: 0)
        let t = try NetT.template(app)
        let network = NetT.only(t, "AWS::ECS::Service")["NetworkConfiguration"]?["AwsvpcConfiguration"]
        XCTAssertEqual(network?["AssignPublicIp"], "ENABLED")
        XCTAssertEqual(NetT.only(t, "AWS::ECS::Service")["DesiredCount"], 0)
    }

    func testServiceMisuseIsReported() {
        let app = fargateApp { stack, cluster in
            let task = TaskDefinition(stack, "Task")
            task.addContainer("app", image: .fromRegistry("nginx"))
            _ = FargateService(stack, "Service", cluster: cluster, taskDefinition: task, subnetType: .isolated, assignPublicIp: true,
                               deployment: DeploymentOptions(minHealthyPercent: 100, maxHealthyPercent: 100),
                               healthCheckGracePeriodSeconds: 30)
        }
        NetT.assertError(app, "S/Service: assignPublicIp needs public subnets")
        NetT.assertError(app, "a deployment can neither start nor stop a task")
        NetT.assertError(app, "healthCheckGracePeriodSeconds applies only to services behind a load balancer")
    }

    func testConnectionsOpenTheServiceToAnotherService() throws {
        let app = fargateApp { stack, cluster in
            let apiTask = TaskDefinition(stack, "ApiTask")
            apiTask.addContainer("api", image: .fromRegistry("nginx"), portMappings: [PortMapping(containerPort: 8080)])
            let api = FargateService(stack, "Api", cluster: cluster, taskDefinition: apiTask)
            let clientTask = TaskDefinition(stack, "ClientTask")
            clientTask.addContainer("client", image: .fromRegistry("busybox"))
            let client = FargateService(stack, "Client", cluster: cluster, taskDefinition: clientTask)
            api.connections.allowDefaultPort(from: client)
        }
        let t = try NetT.template(app)
        let rule = NetT.only(t, "AWS::EC2::SecurityGroupIngress")
        XCTAssertEqual(rule["FromPort"], 8080)
        let groups = NetT.resources(t, "AWS::EC2::SecurityGroup").map(\.id)
        XCTAssertEqual(rule["GroupId"], NetT.getAtt(groups.first { $0.hasPrefix("Api") }!, "GroupId"))
        XCTAssertEqual(rule["SourceSecurityGroupId"], NetT.getAtt(groups.first { $0.hasPrefix("Client") }!, "GroupId"))
    }
}
