"""AWS::RDS::DBCluster through CloudFormation.

Stock moto 5.2.1: the RDS backend implements CreateDBCluster, but no CloudFormation model has the
type AWS::RDS::DBCluster: the resource is skipped ("No Moto CloudFormation support"), Ref to it
is empty and Fn::GetAtt on it fails ("Fn::GetAtt references undefined resource"), and the
cluster's instances then cannot find it.

AWS (AWS::RDS::DBCluster, CloudFormation User Guide): creates the cluster; Ref returns the
DBClusterIdentifier (lower case; generated from the stack and logical id when not given);
Fn::GetAtt returns DBClusterArn, DBClusterResourceId, Endpoint.Address, Endpoint.Port,
ReadEndpoint.Address; updates of DeletionProtection, BackupRetentionPeriod and
ServerlessV2ScalingConfiguration apply in place; a cluster with deletion protection cannot be
deleted (the stack's deletion fails), one with instances neither (they are deleted first).

Fix: a CloudFormation model over the backend's own create_db_cluster / delete_db_cluster (so
the backend's checks apply: engine, master user, password length, deletion protection).
"""
from typing import Any

from moto.core.common_models import CloudFormationModel
from fixes.rds_db_subnet_group import subnet_group_name
from moto.rds.models import rds_backends


def _kwargs(identifier: str, p: dict[str, Any]) -> dict[str, Any]:
    scaling = p.get("ServerlessV2ScalingConfiguration")
    return {
        "db_cluster_identifier": identifier,
        "engine": p.get("Engine"),
        "engine_version": p.get("EngineVersion"),
        "engine_mode": p.get("EngineMode"),
        "database_name": p.get("DatabaseName"),
        "master_username": p.get("MasterUsername"),
        "master_user_password": p.get("MasterUserPassword"),
        "manage_master_user_password": p.get("ManageMasterUserPassword"),
        "db_subnet_group_name": subnet_group_name(p.get("DBSubnetGroupName")),
        "db_cluster_parameter_group_name": p.get("DBClusterParameterGroupName"),
        "vpc_security_group_ids": p.get("VpcSecurityGroupIds"),
        "port": int(p["Port"]) if p.get("Port") else None,
        "backup_retention_period": int(p.get("BackupRetentionPeriod", 1)),
        "preferred_backup_window": p.get("PreferredBackupWindow", "01:37-02:07"),
        "preferred_maintenance_window": p.get("PreferredMaintenanceWindow", "wed:02:40-wed:03:10"),
        "storage_encrypted": bool(p.get("StorageEncrypted", False)),
        "kms_key_id": p.get("KmsKeyId"),
        "deletion_protection": bool(p.get("DeletionProtection", False)),
        "copy_tags_to_snapshot": p.get("CopyTagsToSnapshot"),
        "enable_cloudwatch_logs_exports": p.get("EnableCloudwatchLogsExports"),
        "enable_iam_database_authentication": p.get("EnableIAMDatabaseAuthentication", False),
        "serverless_v2_scaling_configuration": _scaling(scaling) if scaling else None,
        "availability_zones": p.get("AvailabilityZones"),
        "tags": p.get("Tags") or [],
    }


def _scaling(s: dict[str, Any]) -> dict[str, Any]:
    return {"MinCapacity": float(s["MinCapacity"]), "MaxCapacity": float(s["MaxCapacity"])}


class DBClusterModel(CloudFormationModel):
    """What the stack holds for a cluster: its identifier; attributes are read from the backend."""

    def __init__(self, account_id: str, region_name: str, identifier: str):
        self.account_id = account_id
        self.region_name = region_name
        self.identifier = identifier

    @property
    def cluster(self) -> Any:
        return rds_backends[self.account_id][self.region_name].clusters[self.identifier]

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DBClusterIdentifier"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::RDS::DBCluster"

    @property
    def physical_resource_id(self) -> str:
        return self.identifier

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,  # type: ignore[misc]
                                        region_name: str, **kwargs: Any) -> "DBClusterModel":
        identifier = resource_name.lower()
        backend = rds_backends[account_id][region_name]
        backend.create_db_cluster(_kwargs(identifier, cloudformation_json["Properties"]))
        return cls(account_id, region_name, identifier)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[misc]
                                        cloudformation_json: Any, account_id: str,
                                        region_name: str) -> "DBClusterModel":
        p = cloudformation_json["Properties"]
        cluster = original_resource.cluster
        cluster.deletion_protection = bool(p.get("DeletionProtection", False))
        cluster.backup_retention_period = int(p.get("BackupRetentionPeriod", 1))
        if p.get("ServerlessV2ScalingConfiguration"):
            cluster.serverless_v2_scaling_configuration = _scaling(p["ServerlessV2ScalingConfiguration"])
        return original_resource

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ["DBClusterArn", "DBClusterResourceId", "Endpoint.Address", "Endpoint.Port",
                        "ReadEndpoint.Address"]

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        cluster = self.cluster
        values = {
            "DBClusterArn": cluster.db_cluster_arn,
            "DBClusterResourceId": cluster.db_cluster_resource_id,
            "Endpoint.Address": cluster.endpoint,
            "Endpoint.Port": str(cluster.port),
            "ReadEndpoint.Address": cluster.reader_endpoint,
        }
        if attribute_name not in values:
            raise UnformattedGetAttTemplateException()
        return values[attribute_name]

    def delete(self, account_id: str, region_name: str) -> None:
        rds_backends[account_id][region_name].delete_db_cluster(self.identifier)


def apply() -> None:
    from fixes import refresh_model_list

    refresh_model_list()
