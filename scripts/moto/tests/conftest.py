"""Probe tests of scripts/moto/fixes: each test runs one template on moto in-process.

INFRA_MOTO_FIXES=stock runs them on moto as pip installed it (every probe must then show moto's
failure); unset, the launcher's fixes are applied first (every probe must show AWS's behaviour).
scripts/test runs both.
"""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

STOCK = os.environ.get("INFRA_MOTO_FIXES") == "stock"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

if not STOCK:
    import fixes

    fixes.check_version()
    fixes.apply_all()

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"


@pytest.fixture
def aws():
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


@pytest.fixture
def stock() -> bool:
    return STOCK


def template(resources: dict, outputs: dict | None = None) -> str:
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        body["Outputs"] = outputs
    return json.dumps(body)


def deploy(aws, resources: dict, name: str = "probe", outputs: dict | None = None) -> dict:
    """Change set create + execute (as infra deploys); returns DescribeStacks' stack."""
    cfn = aws("cloudformation")
    cfn.create_change_set(StackName=name, ChangeSetName="cs", ChangeSetType="CREATE",
                          TemplateBody=template(resources, outputs), Capabilities=["CAPABILITY_IAM"])
    cfn.execute_change_set(StackName=name, ChangeSetName="cs")
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def physical(aws, stack: str, logical_id: str) -> str:
    resources = aws("cloudformation").list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id)


VPC = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24",
                                                          "AvailabilityZone": "us-east-1a"}},
    "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24",
                                                          "AvailabilityZone": "us-east-1b"}},
}
