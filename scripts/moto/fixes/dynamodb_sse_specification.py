"""AWS::DynamoDB::Table with SSESpecification.

Stock moto 5.2.1: Table.create_from_cloudformation_json passes the template's SSESpecification on
as it is; the table model reads the API's key `Enabled`, while CloudFormation's is `SSEEnabled`:
the table is created without encryption (DescribeTable has no SSEDescription), its KMS key
ignored.

AWS (AWS::DynamoDB::Table SSESpecification, CloudFormation User Guide): SSEEnabled, SSEType,
KMSMasterKeyId; with SSEEnabled true and SSEType KMS the table is encrypted with that key, and
DescribeTable reports SSEDescription (Status ENABLED, SSEType KMS, KMSMasterKeyArn).

Fix: give the model the API's shape (Enabled from SSEEnabled) before moto's create.
"""
from typing import Any

from moto.dynamodb.models.table import Table

_stock_create = Table.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def create_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
                                    region_name: str, **kwargs: Any) -> Any:
    properties = cloudformation_json["Properties"]
    sse = properties.get("SSESpecification")
    if sse is not None and "SSEEnabled" in sse:
        sse = {k: v for k, v in sse.items() if k != "SSEEnabled"} | {"Enabled": bool(sse["SSEEnabled"])}
        cloudformation_json = {**cloudformation_json, "Properties": {**properties, "SSESpecification": sse}}
    return _stock_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def apply() -> None:
    Table.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[assignment]
