"""CloudFormation's own tags on the EC2 resources of a stack created by a change set.

Stock moto 5.2.1: ResourceMap.create (CreateStack) tags every EC2 resource with
aws:cloudformation:stack-name, stack-id and logical-id, but change sets (CREATE and UPDATE) apply
through ResourceMap.update, which does not: resources of such stacks cannot be found by those
tags (e.g. DescribeSubnets with Filter tag:aws:cloudformation:stack-name).

AWS (Resource tag, CloudFormation User Guide): CloudFormation adds the stack-level tags
aws:cloudformation:logical-id, aws:cloudformation:stack-id and aws:cloudformation:stack-name to
the resources it creates, whichever way the stack is deployed.

Fix: after a change set adds resources, tag its new EC2 resources as CreateStack does.
"""
from typing import Any

from moto.cloudformation.parsing import ResourceMap
from moto.ec2 import models as ec2_models
from moto.ec2.models.core import TaggedEC2Resource

_stock_update = ResourceMap.update


def update(self: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    before = set(self._parsed_resources)
    _stock_update(self, template, parameters)
    backend = ec2_models.ec2_backends[self._account_id][self._region_name]
    for logical_id, resource in list(self._parsed_resources.items()):
        if logical_id in before or not isinstance(resource, TaggedEC2Resource):
            continue
        tags = dict(self.tags) | {"aws:cloudformation:stack-name": self["AWS::StackName"],
                                  "aws:cloudformation:stack-id": self["AWS::StackId"],
                                  "aws:cloudformation:logical-id": logical_id}
        backend.create_tags([resource.physical_resource_id], tags)


def apply() -> None:
    ResourceMap.update = update  # type: ignore[method-assign]
