"""AWS::RDS::DBInstance in a DB cluster (Aurora).

Stock moto 5.2.1: DBInstance.create_from_cloudformation_json ignores DBClusterIdentifier and
creates a stand-alone instance, which looks up a default engine version for the engine: for
aurora-postgresql and aurora-mysql there is none: KeyError: 'aurora-postgresql' (HTTP 500).

AWS (AWS::RDS::DBInstance, CloudFormation User Guide): with DBClusterIdentifier the instance
joins the cluster and takes its engine version, storage, credentials and backups from it;
those properties are not set on the instance.

Fix: for an instance with DBClusterIdentifier, create it through the backend's
create_db_instance with the cluster's identifier (moto's own clustered-instance model, which
checks that the cluster exists and that the engines match); other instances as before.
"""
from typing import Any

from fixes.rds_db_subnet_group import subnet_group_name
from moto.rds.models import DBInstance, rds_backends

_stock_create = DBInstance.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def create_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
                                    region_name: str, **kwargs: Any) -> Any:
    p = cloudformation_json["Properties"]
    if not p.get("DBClusterIdentifier"):
        return _stock_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    backend = rds_backends[account_id][region_name]
    return backend.create_db_instance({
        "db_instance_identifier": resource_name.replace("_", "-").lower(),
        "db_cluster_identifier": p["DBClusterIdentifier"].lower(),
        "db_instance_class": p.get("DBInstanceClass"),
        "engine": p.get("Engine"),
        "availability_zone": p.get("AvailabilityZone"),
        "db_subnet_group_name": subnet_group_name(p.get("DBSubnetGroupName")),
        "db_parameter_group_name": p.get("DBParameterGroupName"),
        "publicly_accessible": p.get("PubliclyAccessible"),
        "auto_minor_version_upgrade": p.get("AutoMinorVersionUpgrade", True),
        "promotion_tier": int(p.get("PromotionTier", 1)),
        "copy_tags_to_snapshot": p.get("CopyTagsToSnapshot", False),
        "tags": p.get("Tags") or [],
    })


def apply() -> None:
    DBInstance.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[assignment]
