"""DescribeStackResource(s) in a stack holding a resource type moto does not model.

Stock moto 5.2.1: a resource of a type moto has no CloudFormation model for (e.g.
AWS::S3::BucketPolicy) is kept in the stack as None; DescribeStackResource and
DescribeStackResources with a LogicalResourceId read `.logical_resource_id` of every resource:
AttributeError: 'NoneType' object has no attribute 'logical_resource_id' (HTTP 500), whatever
resource is asked for. (ListStackResources already skips them.)

AWS (DescribeStackResource, CloudFormation API Reference): returns the named resource; a
logical id the stack does not hold is a ValidationError.

Fix: both calls look only at the resources moto created, so a modelled resource is found and
an unmodelled one is a ValidationError ("Resource ... does not exist for stack ...").
"""
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend


def _created(stack: Any) -> list[Any]:
    return [r for r in stack.stack_resources if r is not None]


def describe_stack_resource(self: CloudFormationBackend, stack_name: str, logical_resource_id: str) -> Any:
    stack = self.get_stack(stack_name)
    for resource in _created(stack):
        if resource.logical_resource_id == logical_resource_id:
            return stack, resource
    raise ValidationError(stack_name, f"Resource {logical_resource_id} does not exist for stack {stack_name}")


def describe_stack_resources(self: CloudFormationBackend, stack_name: str, logical_resource_id: str) -> Any:
    stack = self.get_stack(stack_name)
    resources = _created(stack)
    if logical_resource_id is not None:
        return stack, [r for r in resources if r.logical_resource_id == logical_resource_id]
    return stack, resources


def apply() -> None:
    CloudFormationBackend.describe_stack_resource = describe_stack_resource  # type: ignore[method-assign]
    CloudFormationBackend.describe_stack_resources = describe_stack_resources  # type: ignore[method-assign]
