"""One probe per fix (docs/MOTO.md): stock moto's failure, and AWS's documented behaviour with the fix."""
import json

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import VPC, deploy, physical


def parameter(name: str, value) -> dict:
    return {"Type": "AWS::SSM::Parameter", "Properties": {"Name": name, "Type": "String", "Value": value}}


# Fn::Cidr


def cidr_subnet(index: int, count: int = 4, bits: int = 8) -> dict:
    return {"Vpc": VPC["Vpc"], "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
        "VpcId": {"Ref": "Vpc"}, "CidrBlock": {"Fn::Select": [index, {"Fn::Cidr": ["10.0.0.0/16", count, bits]}]}}}}


def test_fn_cidr(aws, stock):
    if stock:
        with pytest.raises(KeyError, match="^1$"):  # Fn::Select's index into the unresolved {"Fn::Cidr": ...}
            deploy(aws, cidr_subnet(1))
        return
    deploy(aws, cidr_subnet(1))
    subnet = aws("ec2").describe_subnets(SubnetIds=[physical(aws, "probe", "Subnet")])["Subnets"][0]
    assert subnet["CidrBlock"] == "10.0.1.0/24"


def test_fn_cidr_refuses_what_aws_refuses(aws, stock):
    if stock:
        with pytest.raises(KeyError):  # no Fn::Cidr at all
            deploy(aws, cidr_subnet(0, count=300))
        return
    with pytest.raises(ClientError, match="count must be between 1 and 256"):
        deploy(aws, cidr_subnet(0, count=300))  # count over 256
    with pytest.raises(ClientError, match="fewer than 4 /17 blocks"):
        deploy(aws, cidr_subnet(0, count=4, bits=15), name="probe2")  # a /16 holds two /17s


# AWS::KMS::Key with tags


KEY = {"Key": {"Type": "AWS::KMS::Key", "Properties": {
    "KeyPolicy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]},
    "Tags": [{"Key": "project", "Value": "probe"}]}}}


def test_kms_key_tags(aws, stock):
    if stock:
        with pytest.raises(KeyError, match="TagKey"):
            deploy(aws, KEY)
        return
    deploy(aws, KEY)
    kms = aws("kms")
    key_id = physical(aws, "probe", "Key")
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "project", "TagValue": "probe"}]
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])["Version"] == "2012-10-17"


# API Gateway MOCK integration


def api(integration: dict) -> dict:
    return {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "probe"}},
        "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items"}},
        "Options": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Items"}, "HttpMethod": "OPTIONS",
            "AuthorizationType": "NONE", "Integration": integration,
            "MethodResponses": [{"StatusCode": "204", "ResponseParameters": {
                "method.response.header.Access-Control-Allow-Origin": True}}]}},
    }


CORS_PREFLIGHT = {"Type": "MOCK", "RequestTemplates": {"application/json": "{ statusCode: 200 }"},
                  "IntegrationResponses": [{"StatusCode": "204", "ResponseParameters": {
                      "method.response.header.Access-Control-Allow-Origin": "'*'"}}]}


def test_apigateway_mock_integration(aws, stock):
    if stock:
        with pytest.raises(KeyError, match="IntegrationHttpMethod"):
            deploy(aws, api(CORS_PREFLIGHT))
        with pytest.raises(KeyError, match="Uri"):
            deploy(aws, api({**CORS_PREFLIGHT, "IntegrationHttpMethod": "OPTIONS"}), name="probe2")
        return
    deploy(aws, api(CORS_PREFLIGHT))
    apigw = aws("apigateway")
    rest_api, resource = physical(aws, "probe", "Api"), physical(aws, "probe", "Items")
    integration = apigw.get_integration(restApiId=rest_api, resourceId=resource, httpMethod="OPTIONS")
    assert integration["type"] == "MOCK"
    assert integration["requestTemplates"] == {"application/json": "{ statusCode: 200 }"}
    assert integration["integrationResponses"]["204"]["responseParameters"] == {
        "method.response.header.Access-Control-Allow-Origin": "'*'"}
    method = apigw.get_method(restApiId=rest_api, resourceId=resource, httpMethod="OPTIONS")
    assert list(method["methodResponses"]) == ["204"]


def test_apigateway_http_integration_without_method_still_refused(aws, stock):
    if stock:
        with pytest.raises(KeyError, match="IntegrationHttpMethod"):
            deploy(aws, api({"Type": "HTTP", "Uri": "https://example.com/"}))
        return
    # moto's API Gateway error, raised inside CloudFormation, reaches the client as API Gateway's JSON
    with pytest.raises(Exception, match="Enumeration value for HttpMethod must be non-empty"):
        deploy(aws, api({"Type": "HTTP", "Uri": "https://example.com/"}))


# AWS::RDS::DBCluster and its instances


def aurora(deletion_protection: bool = False) -> dict:
    return {
        "Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": {
            "Engine": "aurora-postgresql", "EngineVersion": "16.6", "MasterUsername": "postgres",
            "MasterUserPassword": "correct-horse-battery", "DatabaseName": "probe",
            "DeletionProtection": deletion_protection,
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4}}},
        "Writer": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "DBClusterIdentifier": {"Ref": "Cluster"}, "DBInstanceClass": "db.serverless", "Engine": "aurora-postgresql"}},
        "Address": parameter("address", {"Fn::GetAtt": ["Cluster", "Endpoint.Address"]}),
        "Port": parameter("port", {"Fn::GetAtt": ["Cluster", "Endpoint.Port"]}),
        "Reader": parameter("reader", {"Fn::GetAtt": ["Cluster", "ReadEndpoint.Address"]}),
        "Arn": parameter("arn", {"Fn::GetAtt": ["Cluster", "DBClusterArn"]}),
    }


def test_rds_db_cluster(aws, stock):
    if stock:
        with pytest.raises(ClientError, match="Fn::GetAtt references undefined resource Cluster"):
            deploy(aws, {k: v for k, v in aurora().items() if k != "Writer"})
        return
    deploy(aws, aurora())
    rds, ssm = aws("rds"), aws("ssm")
    cluster_id = physical(aws, "probe", "Cluster")
    assert cluster_id == cluster_id.lower() and cluster_id.startswith("probe-cluster-")
    cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    value = lambda name: ssm.get_parameter(Name=name)["Parameter"]["Value"]  # noqa: E731
    assert value("address") == cluster["Endpoint"]
    assert value("port") == "5432"
    assert value("reader") == cluster["ReaderEndpoint"]
    assert value("arn") == cluster["DBClusterArn"]
    assert [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]] == [physical(aws, "probe", "Writer")]
    aws("cloudformation").delete_stack(StackName="probe")
    assert rds.describe_db_clusters()["DBClusters"] == []
    assert rds.describe_db_instances()["DBInstances"] == []


def test_rds_db_cluster_deletion_protection(aws, stock):
    if stock:
        with pytest.raises(KeyError, match="aurora-postgresql"):  # the instance, before any cluster
            deploy(aws, aurora(deletion_protection=True))
        return
    deploy(aws, aurora(deletion_protection=True))
    with pytest.raises(ClientError, match="Cannot delete protected Cluster"):
        aws("cloudformation").delete_stack(StackName="probe")


def test_rds_db_instance_in_cluster(aws, stock):
    rds = aws("rds")
    rds.create_db_cluster(DBClusterIdentifier="existing", Engine="aurora-mysql", MasterUsername="admin",
                          MasterUserPassword="correct-horse-battery")
    instance = {"Writer": {"Type": "AWS::RDS::DBInstance", "Properties": {
        "DBClusterIdentifier": "existing", "DBInstanceClass": "db.serverless", "Engine": "aurora-mysql"}}}
    if stock:
        with pytest.raises(KeyError, match="aurora-mysql"):
            deploy(aws, instance)
        return
    deploy(aws, instance)
    db = rds.describe_db_instances(DBInstanceIdentifier=physical(aws, "probe", "Writer"))["DBInstances"][0]
    assert db["DBClusterIdentifier"] == "existing"
    with pytest.raises(ClientError, match="engine"):  # moto's own check: the engines must match
        deploy(aws, {"Other": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "DBClusterIdentifier": "existing", "DBInstanceClass": "db.serverless", "Engine": "aurora-postgresql"}}},
            name="probe2")


# AWS::SecretsManager::Secret + SecretTargetAttachment


def test_secretsmanager_secret(aws, stock):
    resources = {
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {
            "SecretStringTemplate": '{"username":"postgres"}', "GenerateStringKey": "password",
            "PasswordLength": 30, "ExcludeCharacters": "\"@/\\"}}},
        "Cluster": aurora()["Cluster"],
        "Attachment": {"Type": "AWS::SecretsManager::SecretTargetAttachment", "Properties": {
            "SecretId": {"Ref": "Secret"}, "TargetId": {"Ref": "Cluster"}, "TargetType": "AWS::RDS::DBCluster"}},
        "SecretArn": parameter("secret-arn", {"Ref": "Attachment"}),
    }
    if stock:
        with pytest.raises(ClientError, match="Fn::GetAtt|length greater than or equal to 1|undefined"):
            deploy(aws, {k: v for k, v in resources.items() if k != "Cluster"} | {"Cluster": aurora()["Cluster"]})
        return
    deploy(aws, resources)
    arn = aws("ssm").get_parameter(Name="secret-arn")["Parameter"]["Value"]
    assert arn == physical(aws, "probe", "Secret")
    secret = json.loads(aws("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    assert secret["username"] == "postgres" and len(secret["password"]) == 30
    assert not set(secret["password"]) & set("\"@/\\")
    cluster = aws("rds").describe_db_clusters()["DBClusters"][0]
    assert (secret["host"], secret["port"], secret["engine"]) == (cluster["Endpoint"], 5432, "aurora-postgresql")
    aws("cloudformation").delete_stack(StackName="probe")
    assert aws("secretsmanager").list_secrets()["SecretList"] == []


# AWS::CertificateManager::Certificate referenced by a listener


def https_listener() -> dict:
    return VPC | {
        "Certificate": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
            "DomainName": "api.example.com", "ValidationMethod": "DNS"}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
            "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
        "Targets": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "Port": 80, "Protocol": "HTTP", "TargetType": "ip"}},
        "Https": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"}, "Port": 443, "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": {"Ref": "Certificate"}}],
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Targets"}}]}},
    }


def test_acm_certificate(aws, stock):
    if stock:
        with pytest.raises(KeyError, match="CertificateArn"):
            deploy(aws, https_listener())
        return
    deploy(aws, https_listener())
    arn = physical(aws, "probe", "Certificate")
    assert aws("acm").describe_certificate(CertificateArn=arn)["Certificate"]["DomainName"] == "api.example.com"
    listener = aws("elbv2").describe_listeners(LoadBalancerArn=physical(aws, "probe", "Lb"))["Listeners"][0]
    assert listener["Certificates"] == [{"CertificateArn": arn}]
    aws("cloudformation").delete_stack(StackName="probe")
    assert aws("acm").list_certificates()["CertificateSummaryList"] == []


# AWS::CloudFront::Distribution + OriginAccessControl


DISTRIBUTION = {
    "Site": {"Type": "AWS::S3::Bucket"},
    "Oac": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {"OriginAccessControlConfig": {
        "Name": "probe", "OriginAccessControlOriginType": "s3", "SigningBehavior": "always",
        "SigningProtocol": "sigv4"}}},
    "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Enabled": True, "DefaultRootObject": "index.html", "Aliases": [],
        "Origins": [{"Id": "S3", "DomainName": {"Fn::GetAtt": ["Site", "RegionalDomainName"]},
                     "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]}, "S3OriginConfig": {"OriginAccessIdentity": ""}}],
        "DefaultCacheBehavior": {"TargetOriginId": "S3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "AllowedMethods": ["GET", "HEAD"], "CachedMethods": ["GET", "HEAD"]},
        "CustomErrorResponses": [{"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"}]}}},
    "Domain": parameter("domain", {"Fn::GetAtt": ["Cdn", "DomainName"]}),
}


def test_cloudfront_distribution(aws, stock):
    if stock:
        with pytest.raises(ClientError, match="Fn::GetAtt references undefined resource"):
            deploy(aws, DISTRIBUTION)
        return
    deploy(aws, DISTRIBUTION)
    cloudfront = aws("cloudfront")
    distribution = cloudfront.get_distribution(Id=physical(aws, "probe", "Cdn"))["Distribution"]
    assert aws("ssm").get_parameter(Name="domain")["Parameter"]["Value"] == distribution["DomainName"]
    assert distribution["DomainName"].endswith(".cloudfront.net")
    config = distribution["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["CustomErrorResponses"]["Quantity"] == 1
    control = physical(aws, "probe", "Oac")
    assert cloudfront.get_origin_access_control(Id=control)["OriginAccessControl"]["Id"] == control
    aws("cloudformation").delete_stack(StackName="probe")
    assert cloudfront.list_distributions()["DistributionList"]["Quantity"] == 0


# AWS::ECR::Repository without RepositoryName


def test_ecr_repository_name(aws, stock):
    repository = {"Repository": {"Type": "AWS::ECR::Repository"}}
    if stock:
        with pytest.raises(ClientError, match="InvalidParameterException"):
            deploy(aws, repository, name="Probe")
        return
    deploy(aws, repository, name="Probe")
    name = physical(aws, "Probe", "Repository")
    assert name == name.lower() and name.startswith("probe-repository-")
    assert aws("ecr").describe_repositories(repositoryNames=[name])["repositories"][0]["repositoryName"] == name
    with pytest.raises(ClientError, match="InvalidParameterException"):  # a given name is still checked
        deploy(aws, {"Repository": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "Upper"}}},
               name="probe2")


# DeleteStack of a VPC with gateways, NAT, EIP and route tables


NETWORK = VPC | {
    "Igw": {"Type": "AWS::EC2::InternetGateway"},
    "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"},
                                                                       "InternetGatewayId": {"Ref": "Igw"}}},
    "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
    "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "SubnetA"},
                                                           "AllocationId": {"Fn::GetAtt": ["Eip", "AllocationId"]}}},
    "Public": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
    "PublicDefault": {"Type": "AWS::EC2::Route", "DependsOn": ["Attach"], "Properties": {
        "RouteTableId": {"Ref": "Public"}, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "Igw"}}},
    "PublicA": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
        "RouteTableId": {"Ref": "Public"}, "SubnetId": {"Ref": "SubnetA"}}},
    "Private": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
    "PrivateDefault": {"Type": "AWS::EC2::Route", "Properties": {
        "RouteTableId": {"Ref": "Private"}, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": "Nat"}}},
    "PrivateB": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
        "RouteTableId": {"Ref": "Private"}, "SubnetId": {"Ref": "SubnetB"}}},
}


def test_ec2_vpc_teardown(aws, stock):
    deploy(aws, NETWORK)
    ec2 = aws("ec2")
    vpc = physical(aws, "probe", "Vpc")
    if stock:
        with pytest.raises(ClientError, match="DependencyViolation"):
            aws("cloudformation").delete_stack(StackName="probe")
        return
    aws("cloudformation").delete_stack(StackName="probe")
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] == vpc] == []
    assert ec2.describe_internet_gateways()["InternetGateways"] == []
    assert [n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]] == ["deleted"]
    assert ec2.describe_addresses()["Addresses"] == []
    assert [t for t in ec2.describe_route_tables()["RouteTables"] if t["VpcId"] == vpc] == []


# Custom resources


FUNCTION = {
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "Provider": {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Code": {"ZipFile": "def handler(event, context):\n    pass\n"}}},
    "Init": {"Type": "Custom::Init", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}, "Name": "db"}},
}


def respond(stack_id: str, body: dict) -> requests.Response:
    """What a provider sends: an unsigned PUT of the response object to the ResponseURL."""
    url = f"https://cloudformation.us-east-1.amazonaws.com/cloudformation_us-east-1/cfnresponse?stack={stack_id}"
    return requests.put(url, data=json.dumps({"StackId": stack_id, "RequestId": "r", "LogicalResourceId": "Init",
                                              **body}), headers={"Content-Type": ""})


def test_custom_resource_waits_for_its_response(aws, stock):
    stack = deploy(aws, FUNCTION)
    if stock:
        assert stack["StackStatus"] == "CREATE_COMPLETE"  # before any response
        return
    assert stack["StackStatus"] == "CREATE_IN_PROGRESS"
    assert respond(stack["StackId"], {"Status": "SUCCESS", "PhysicalResourceId": "database-db",
                                      "Data": {"Created": "true"}}).status_code == 200
    cfn = aws("cloudformation")
    assert cfn.describe_stacks(StackName="probe")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert physical(aws, "probe", "Init") == "database-db"


def test_custom_resource_failed(aws, stock):
    stack = deploy(aws, FUNCTION)
    if stock:
        respond(stack["StackId"], {"Status": "FAILED", "PhysicalResourceId": "database-db", "Reason": "no route"})
        assert aws("cloudformation").describe_stacks(StackName="probe")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        return
    respond(stack["StackId"], {"Status": "FAILED", "PhysicalResourceId": "database-db", "Reason": "no route to host"})
    stack = aws("cloudformation").describe_stacks(StackName="probe")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_FAILED"
    events = aws("cloudformation").describe_stack_events(StackName="probe")["StackEvents"]
    assert "no route to host" in events[0]["ResourceStatusReason"]


# DescribeStackResource next to a type moto does not model


def test_describe_stack_resource(aws, stock):
    deploy(aws, {"Policy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": "Queue"}],
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}},
                 "Queue": {"Type": "AWS::SQS::Queue"}})
    cfn = aws("cloudformation")
    if stock:
        with pytest.raises(AttributeError, match="logical_resource_id"):
            cfn.describe_stack_resource(StackName="probe", LogicalResourceId="Queue")
        return
    detail = cfn.describe_stack_resource(StackName="probe", LogicalResourceId="Queue")["StackResourceDetail"]
    assert detail["ResourceType"] == "AWS::SQS::Queue"
    with pytest.raises(ClientError, match="Resource Policy does not exist"):
        cfn.describe_stack_resource(StackName="probe", LogicalResourceId="Policy")


# Updating a function with inline code


def test_lambda_inline_code_update(aws, stock):
    cfn = aws("cloudformation")
    deploy(aws, FUNCTION | {"Init": {"Type": "AWS::SQS::Queue"}})
    bigger = json.loads(json.dumps(FUNCTION))
    bigger["Provider"]["Properties"]["MemorySize"] = 512
    cfn.create_change_set(StackName="probe", ChangeSetName="update", ChangeSetType="UPDATE",
                          TemplateBody=json.dumps({"Resources": bigger | {"Init": {"Type": "AWS::SQS::Queue"}}}))
    if stock:
        with pytest.raises(Exception, match="(?i)zip|padding|base64"):
            cfn.execute_change_set(StackName="probe", ChangeSetName="update")
        return
    cfn.execute_change_set(StackName="probe", ChangeSetName="update")
    function = aws("lambda").get_function(FunctionName=physical(aws, "probe", "Provider"))["Configuration"]
    assert function["MemorySize"] == 512


# AWS::DynamoDB::Table encrypted with a customer managed key


def test_dynamodb_sse_specification(aws, stock):
    deploy(aws, KEY | {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS",
                             "KMSMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}}}} if not stock else {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/probe"}}}})
    table = aws("dynamodb").describe_table(TableName=physical(aws, "probe", "Table"))["Table"]
    if stock:
        assert "SSEDescription" not in table
        return
    assert table["SSEDescription"]["Status"] == "ENABLED" and table["SSEDescription"]["SSEType"] == "KMS"
    assert table["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:us-east-1:123456789012:key/")


# UsePreviousValue of an SSM-typed parameter


def test_ssm_parameter_use_previous_value(aws, stock):
    aws("ssm").put_parameter(Name="/probe/ami", Value="ami-0123456789abcdef0", Type="String")
    body = {"Parameters": {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/probe/ami"}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Ami"}}}}}
    cfn = aws("cloudformation")
    cfn.create_change_set(StackName="probe", ChangeSetName="create", ChangeSetType="CREATE", TemplateBody=json.dumps(body))
    cfn.execute_change_set(StackName="probe", ChangeSetName="create")
    body["Resources"]["Other"] = {"Type": "AWS::SQS::Queue"}
    cfn.create_change_set(StackName="probe", ChangeSetName="update", ChangeSetType="UPDATE", TemplateBody=json.dumps(body),
                          Parameters=[{"ParameterKey": "Ami", "UsePreviousValue": True}])
    if stock:
        with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'value'"):
            cfn.execute_change_set(StackName="probe", ChangeSetName="update")
        return
    cfn.execute_change_set(StackName="probe", ChangeSetName="update")
    assert physical(aws, "probe", "Queue").endswith("/ami-0123456789abcdef0")
    assert cfn.describe_stacks(StackName="probe")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"


# An unchanged change set that sends the parameters again


def test_unchanged_change_set_with_parameters(aws, stock):
    body = json.dumps({"Parameters": {"Size": {"Type": "Number", "Default": 60}},
                       "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
                           "VisibilityTimeout": {"Ref": "Size"}}}}})
    cfn = aws("cloudformation")
    cfn.create_change_set(StackName="probe", ChangeSetName="create", ChangeSetType="CREATE", TemplateBody=body)
    cfn.execute_change_set(StackName="probe", ChangeSetName="create")
    cfn.create_change_set(StackName="probe", ChangeSetName="same", ChangeSetType="UPDATE", TemplateBody=body,
                          Parameters=[{"ParameterKey": "Size", "ParameterValue": "60"}])
    change_set = cfn.describe_change_set(StackName="probe", ChangeSetName="same")
    if stock:
        assert (change_set["Status"], change_set["Changes"]) == ("CREATE_COMPLETE", [])
        return
    assert change_set["Status"] == "FAILED"
    assert "didn't contain changes" in change_set["StatusReason"]
    cfn.create_change_set(StackName="probe", ChangeSetName="other", ChangeSetType="UPDATE", TemplateBody=body,
                          Parameters=[{"ParameterKey": "Size", "ParameterValue": "120"}])
    assert cfn.describe_change_set(StackName="probe", ChangeSetName="other")["Status"] == "CREATE_COMPLETE"


# CloudFormation's tags on the EC2 resources of a change-set stack


def test_stack_tags_on_ec2_resources(aws, stock):
    deploy(aws, VPC)
    subnets = aws("ec2").describe_subnets(Filters=[{"Name": "tag:aws:cloudformation:stack-name", "Values": ["probe"]}])
    if stock:
        assert subnets["Subnets"] == []
        return
    assert {s["CidrBlock"] for s in subnets["Subnets"]} == {"10.0.0.0/24", "10.0.1.0/24"}
    tags = {t["Key"]: t["Value"] for t in subnets["Subnets"][0]["Tags"]}
    assert tags["aws:cloudformation:logical-id"] in ("SubnetA", "SubnetB")


# A parameter read through a condition (Fn::If) changes on update


def test_condition_parameter_update(aws, stock):
    body = json.dumps({
        "Parameters": {"Ready": {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"}},
        "Conditions": {"Ready": {"Fn::Equals": [{"Ref": "Ready"}, "true"]}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
            "VisibilityTimeout": {"Fn::If": ["Ready", 120, 30]}}}}})
    cfn = aws("cloudformation")
    cfn.create_change_set(StackName="probe", ChangeSetName="create", ChangeSetType="CREATE", TemplateBody=body)
    cfn.execute_change_set(StackName="probe", ChangeSetName="create")
    url = physical(aws, "probe", "Queue")
    cfn.create_change_set(StackName="probe", ChangeSetName="ready", ChangeSetType="UPDATE", TemplateBody=body,
                          Parameters=[{"ParameterKey": "Ready", "ParameterValue": "true"}])
    cfn.execute_change_set(StackName="probe", ChangeSetName="ready")
    timeout = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert cfn.describe_stacks(StackName="probe")["Stacks"][0]["Parameters"][0]["ParameterValue"] == "true"
    if stock:
        assert timeout["VisibilityTimeout"] == "30"
        return
    assert timeout["VisibilityTimeout"] == "120"


# A task definition updated (a new revision) keeps its containers


def test_ecs_task_definition_update(aws, stock):
    def body(memory: str) -> str:
        return json.dumps({"Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": "probe", "Memory": memory, "ContainerDefinitions": [
                {"Name": "app", "Image": "nginx:1", "PortMappings": [{"ContainerPort": 80}]}]}}}})
    cfn = aws("cloudformation")
    cfn.create_change_set(StackName="probe", ChangeSetName="create", ChangeSetType="CREATE", TemplateBody=body("512"))
    cfn.execute_change_set(StackName="probe", ChangeSetName="create")
    cfn.create_change_set(StackName="probe", ChangeSetName="update", ChangeSetType="UPDATE", TemplateBody=body("1024"))
    cfn.execute_change_set(StackName="probe", ChangeSetName="update")
    task = aws("ecs").describe_task_definition(taskDefinition=physical(aws, "probe", "Task"))["taskDefinition"]
    assert task["memory"] == "1024"
    container = task["containerDefinitions"][0]
    if stock:
        assert "image" not in container and container["portMappings"] == []
        return
    assert (container["name"], container["image"], container["portMappings"]) == ("app", "nginx:1", [{"containerPort": 80}])


def test_ecs_service_update_starts_a_deployment(aws, stock):
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="probe")
    first = ecs.register_task_definition(family="probe", containerDefinitions=[
        {"name": "app", "image": "nginx:1", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="probe", serviceName="web", taskDefinition=first, desiredCount=0)
    second = ecs.register_task_definition(family="probe", containerDefinitions=[
        {"name": "app", "image": "nginx:2", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="probe", service="web", taskDefinition=second)
    service = ecs.describe_services(cluster="probe", services=["web"])["services"][0]
    primary = [d for d in service["deployments"] if d["status"] == "PRIMARY"]
    assert len(primary) == 1
    if stock:
        assert primary[0]["taskDefinition"] == first
        return
    assert service["taskDefinition"] == second
    assert (primary[0]["taskDefinition"], primary[0]["rolloutState"]) == (second, "COMPLETED")
    assert len(service["deployments"]) == 1
    # an unknown task definition is still refused
    with pytest.raises(ClientError):
        ecs.update_service(cluster="probe", service="web", taskDefinition="probe:99")
