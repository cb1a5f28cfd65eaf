"""Updating an AWS::ECS::TaskDefinition (a replacement: a new revision).

Stock moto 5.2.1: creation converts the template's container definitions and volumes to the API's
shape (`Name` -> `name`, `Image` -> `image`, ...), but update_from_cloudformation_json registers
the new revision with the template's keys as they are: the new revision's containers have no
name, no image and no port mappings (DescribeTaskDefinition), on any update (e.g. of `Memory`).

AWS (AWS::ECS::TaskDefinition, CloudFormation User Guide): any property change registers a new
revision from the template's properties, as the first one was.

Fix: on update, convert the container definitions and volumes as moto's create does before
passing them on.
"""
from typing import Any

from moto.ecs.models import TaskDefinition
from moto.core.utils import pascal_to_camelcase, remap_nested_keys

_stock_update = TaskDefinition.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def update_from_cloudformation_json(cls: Any, original_resource: Any, new_resource_name: str,
                                    cloudformation_json: Any, account_id: str, region_name: str) -> Any:
    properties = dict(cloudformation_json["Properties"])
    properties["ContainerDefinitions"] = remap_nested_keys(properties.get("ContainerDefinitions", []),
                                                           pascal_to_camelcase)
    if "Volumes" in properties:
        properties["Volumes"] = remap_nested_keys(properties["Volumes"], pascal_to_camelcase)
    return _stock_update(cls, original_resource, new_resource_name, {**cloudformation_json, "Properties": properties},
                         account_id, region_name)


def apply() -> None:
    TaskDefinition.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)  # type: ignore[assignment]
