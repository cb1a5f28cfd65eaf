"""AWS::KMS::Key with Tags.

Stock moto 5.2.1: Key.create_from_cloudformation_json hands the template's Tags (Key/Value, as
CloudFormation writes every tag) to the KMS backend's tagger, which reads KMS's API shape
(TagKey/TagValue): KeyError: 'TagKey'. Its KeyPolicy, a JSON object in templates, is stored as
that object where the KMS API stores and returns a JSON string.

AWS (AWS::KMS::Key, CloudFormation User Guide): Tags is a list of Key/Value pairs; KeyPolicy is a
JSON object (or string); GetKeyPolicy returns it as a JSON document string.

Fix: convert the tags to TagKey/TagValue and the policy object to its JSON text before moto's
create_from_cloudformation_json.
"""
import json
from typing import Any

from moto.kms.models import Key

_stock_create = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def create_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
                                    region_name: str, **kwargs: Any) -> Any:
    properties = dict(cloudformation_json["Properties"])
    properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags") or []]
    if isinstance(properties.get("KeyPolicy"), (dict, list)):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    return _stock_create(cls, resource_name, {**cloudformation_json, "Properties": properties}, account_id,
                         region_name, **kwargs)


def apply() -> None:
    Key.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[assignment]
