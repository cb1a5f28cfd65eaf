"""The labeling-tool stack (Sources/Stacks/LabelingTool) written with the AWS CDK (Python), for
scripts/bench-vs-cdk: the same architecture with the shipped config's values (config/labeling-tool.json),
synthesized into CDK_OUTDIR (default cdk.out) as `cdk synth` would.

What it has, as infra's stack: a new VPC (10.0.0.0/16, two AZs, public / private-with-NAT /
isolated /24 subnets, one NAT gateway, rejected-traffic flow logs kept 365 days); Aurora
PostgreSQL 16.6 Serverless v2 (0.5-4 ACU, one writer, storage encrypted, postgresql logs
exported, backups 7 days, deletion protection, snapshot on delete) with a generated master
secret; two generated secrets (Doccano administrator, Django SECRET_KEY); an SSE-S3, TLS-only
access-log bucket (90 days); an ECS cluster and an internet-facing ALB in front of a Fargate
service (doccano/doccano:latest, 512 CPU / 1024 MiB, port 8000, secrets injected by ECS,
circuit breaker) in the private subnets; a Python database-initializer function in the private
subnets (code from functions/labeling-tool/db-init) behind a custom resource; the same five
outputs.

What differs (the CDK's own choices, kept as the CDK makes them): 62 resources against infra's
60. The CDK writes each role's statements as separate AWS::IAM::Policy resources (3), the load
balancer's egress rule as an AWS::EC2::SecurityGroupEgress, and leaves the function's log group
to Lambda (infra creates it, named, 30 days); it adds its BootstrapVersion parameter and rule,
CDKMetadata and tree.json, and validates the template after synthesis (its default); logical ids
are the CDK's; the access-log bucket policy and the custom resource's service token are written
the CDK's way. The twin takes the shipped config's values as literals (infra reads them from
config/labeling-tool.json with their schema).
"""
import os

import aws_cdk as cdk
from aws_cdk import (
    Duration,
    RemovalPolicy,
    aws_ec2 as ec2,
    aws_ecs as ecs,
    aws_ecs_patterns as ecs_patterns,
    aws_elasticloadbalancingv2 as elbv2,
    aws_lambda as lambda_,
    aws_logs as logs,
    aws_rds as rds,
    aws_s3 as s3,
    aws_secretsmanager as secretsmanager,
)
from constructs import Construct

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTION_DIR = os.path.join(HERE, "..", "..", "functions", "labeling-tool", "db-init")

DATABASE_URL_SCRIPT = (
    "export DATABASE_URL=\"$(python -c 'import os, urllib.parse as u; e = os.environ; "
    "q = lambda k: u.quote(e[k], safe=\"\"); print(u.urlunsplit((\"postgres\", q(\"DB_USER\") + \":\" + "
    "q(\"DB_PASSWORD\") + \"@\" + e[\"DB_HOST\"] + \":\" + e[\"DB_PORT\"], \"/\" + e[\"DB_NAME\"], "
    "\"sslmode=require\", \"\")))')\" && exec /doccano/tools/run.sh"
)


class LabelingToolStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        # Network: three tiers in two AZs, one NAT gateway, rejected traffic logged.
        vpc = ec2.Vpc(
            self, "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"),
            max_azs=2,
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24),
                ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
        )
        flow_logs = logs.LogGroup(self, "VpcFlowLogGroup", retention=logs.RetentionDays.ONE_YEAR,
                                  removal_policy=RemovalPolicy.RETAIN)
        vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                         traffic_type=ec2.FlowLogTrafficType.REJECT)

        # Database: Aurora PostgreSQL Serverless v2 in the isolated subnets.
        db = rds.DatabaseCluster(
            self, "Database",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_6),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            writer=rds.ClusterInstance.serverless_v2("Instance1"),
            serverless_v2_min_capacity=0.5,
            serverless_v2_max_capacity=4,
            credentials=rds.Credentials.from_generated_secret("postgres"),
            backup=rds.BackupProps(retention=Duration.days(7)),
            deletion_protection=True,
            storage_encrypted=True,
            cloudwatch_logs_exports=["postgresql"],
            removal_policy=RemovalPolicy.SNAPSHOT,
        )

        # Generated credentials for Doccano.
        admin = secretsmanager.Secret(
            self, "AdminCredentials",
            description="Doccano administrator of labeling-tool",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"email":"admin@example.com","username":"admin"}',
                generate_string_key="password", password_length=24,
                exclude_characters=" %+~`#$&*()|[]{}:;<>?!'/@\"\\"),
        )
        django_key = secretsmanager.Secret(
            self, "DjangoSecretKey",
            description="Django SECRET_KEY of Doccano in labeling-tool",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=50, exclude_characters=" %+~`#$&*()|[]{}:;<>?!'/@\"\\"),
        )

        # The web tier: access logs, cluster, ALB and Fargate service.
        access_logs = s3.Bucket(
            self, "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="expire", expiration=Duration.days(90),
                                              abort_incomplete_multipart_upload_after=Duration.days(7))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc)
        service_logs = logs.LogGroup(self, "ServiceLogGroup", retention=logs.RetentionDays.ONE_YEAR,
                                     removal_policy=RemovalPolicy.RETAIN)
        web = ecs_patterns.ApplicationLoadBalancedFargateService(
            self, "Service",
            cluster=cluster,
            cpu=512,
            memory_limit_mib=1024,
            desired_count=1,
            public_load_balancer=True,
            task_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            health_check_grace_period=Duration.seconds(300),
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
                image=ecs.ContainerImage.from_registry("doccano/doccano:latest"),
                container_name="web",
                container_port=8000,
                command=["/bin/bash", "-c", DATABASE_URL_SCRIPT],
                log_driver=ecs.LogDrivers.aws_logs(stream_prefix="web", log_group=service_logs),
                environment={
                    "PORT": "8000",
                    "DB_HOST": db.cluster_endpoint.hostname,
                    "DB_PORT": cdk.Token.as_string(db.cluster_endpoint.port),
                    "DB_NAME": "labelingdb",
                    "DEBUG": "False",
                    "SESSION_COOKIE_SECURE": "False",
                    "CSRF_COOKIE_SECURE": "False",
                },
                secrets={
                    "DB_USER": ecs.Secret.from_secrets_manager(db.secret, "username"),
                    "DB_PASSWORD": ecs.Secret.from_secrets_manager(db.secret, "password"),
                    "ADMIN_USERNAME": ecs.Secret.from_secrets_manager(admin, "username"),
                    "ADMIN_PASSWORD": ecs.Secret.from_secrets_manager(admin, "password"),
                    "ADMIN_EMAIL": ecs.Secret.from_secrets_manager(admin, "email"),
                    "SECRET_KEY": ecs.Secret.from_secrets_manager(django_key),
                },
            ),
        )
        web.target_group.configure_health_check(path="/", healthy_http_codes="200-399")
        web.target_group.set_attribute("deregistration_delay.timeout_seconds", "30")
        web.load_balancer.log_access_logs(access_logs, prefix="alb")

        # The database initializer: a Python function in the private subnets behind a custom resource.
        initializer = lambda_.Function(
            self, "DatabaseInitializer",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="app.handler",
            code=lambda_.Code.from_asset(FUNCTION_DIR),
            description="Creates the labeling tool's database in the Aurora cluster",
            memory_size=256,
            timeout=Duration.seconds(120),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        )
        db.secret.grant_read(initializer)
        db.connections.allow_default_port_from(initializer, "from the database initializer")
        db.connections.allow_default_port_from(web.service, "from the labeling tool service")
        initialization = cdk.CustomResource(
            self, "DatabaseInitialization",
            service_token=initializer.function_arn,
            resource_type="Custom::DatabaseInit",
            properties={"SecretArn": db.secret.secret_arn, "DatabaseName": "labelingdb"},
        )
        initialization.node.add_dependency(db)
        # The service (not its security group, which the database's ingress rule references) waits.
        web.service.node.default_child.node.add_dependency(initialization)

        cdk.CfnOutput(self, "Url", value="http://" + web.load_balancer.load_balancer_dns_name,
                      description="Doccano (log in as the administrator of AdminCredentialsSecretArn)")
        cdk.CfnOutput(self, "LoadBalancerDnsName", value=web.load_balancer.load_balancer_dns_name,
                      description="Point a DNS name of the certificate at this name (CNAME or alias)")
        cdk.CfnOutput(self, "AdminCredentialsSecretArn", value=admin.secret_arn,
                      description="Doccano administrator user, e-mail and password")
        cdk.CfnOutput(self, "DatabaseSecretArn", value=db.secret.secret_arn,
                      description="Database master credentials and endpoint")
        cdk.CfnOutput(self, "DatabaseEndpoint", value=db.cluster_endpoint.socket_address,
                      description="Aurora PostgreSQL writer endpoint")


app = cdk.App()
stack = LabelingToolStack(
    app, "labeling-tool",
    env=cdk.Environment(region="us-east-1"),
    description="Doccano labeling tool on Fargate behind an ALB, Aurora PostgreSQL, DB initializer (seed 000)",
)
cdk.Tags.of(stack).add("project", "labeling-tool")
app.synth()
