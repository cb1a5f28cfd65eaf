"""AWS::SecretsManager::Secret and AWS::SecretsManager::SecretTargetAttachment through CloudFormation.

Stock moto 5.2.1: the Secrets Manager backend exists, but no CloudFormation model has these
types: they are skipped, Ref to them is empty (an SSM parameter holding the secret's ARN is then
refused: "Value '' ... must have length greater than or equal to 1"), and a database's
generated credentials are never stored.

AWS (CloudFormation User Guide): AWS::SecretsManager::Secret creates the secret from
SecretString or from GenerateSecretString (a random password under GenerateStringKey in
SecretStringTemplate); Ref returns its ARN; a generated name is the logical id plus a suffix.
AWS::SecretsManager::SecretTargetAttachment adds the database's connection fields (engine,
host, port, dbClusterIdentifier or dbInstanceIdentifier) to the secret; Ref returns the secret's
ARN. Deleting the stack deletes the secret.

Fix: CloudFormation models over the backend's create_secret / get_random_password /
put_secret_value / delete_secret.
"""
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.rds.models import rds_backends
from moto.secretsmanager.models import secretsmanager_backends


class SecretModel(CloudFormationModel):
    def __init__(self, arn: str):
        self.arn = arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,  # type: ignore[misc]
                                        region_name: str, **kwargs: Any) -> "SecretModel":
        p = cloudformation_json["Properties"]
        backend = secretsmanager_backends[account_id][region_name]
        secret_string = p.get("SecretString")
        generate = p.get("GenerateSecretString")
        if generate is not None:
            password = backend.get_random_password(
                password_length=int(generate.get("PasswordLength", 32)),
                exclude_characters=generate.get("ExcludeCharacters", ""),
                exclude_numbers=bool(generate.get("ExcludeNumbers", False)),
                exclude_punctuation=bool(generate.get("ExcludePunctuation", False)),
                exclude_uppercase=bool(generate.get("ExcludeUppercase", False)),
                exclude_lowercase=bool(generate.get("ExcludeLowercase", False)),
                include_space=bool(generate.get("IncludeSpace", False)),
                require_each_included_type=bool(generate.get("RequireEachIncludedType", True)),
            )
            password = json.loads(password)["RandomPassword"] if password.startswith("{") else password
            if generate.get("SecretStringTemplate"):
                document = json.loads(generate["SecretStringTemplate"])
                document[generate["GenerateStringKey"]] = password
                secret_string = json.dumps(document)
            else:
                secret_string = password
        created = json.loads(backend.create_secret(
            name=resource_name, secret_string=secret_string, secret_binary=None,
            description=p.get("Description"), tags=p.get("Tags") or [], kms_key_id=p.get("KmsKeyId"),
            client_request_token=None, replica_regions=[], force_overwrite=False))
        return cls(created["ARN"])

    def delete(self, account_id: str, region_name: str) -> None:
        secretsmanager_backends[account_id][region_name].delete_secret(
            self.arn, recovery_window_in_days=None, force_delete_without_recovery=True)


class SecretTargetAttachmentModel(CloudFormationModel):
    def __init__(self, arn: str):
        self.arn = arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::SecretTargetAttachment"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,  # type: ignore[misc]
                                        region_name: str, **kwargs: Any) -> "SecretTargetAttachmentModel":
        p = cloudformation_json["Properties"]
        secrets = secretsmanager_backends[account_id][region_name]
        rds = rds_backends[account_id][region_name]
        secret_id, target, kind = p["SecretId"], p["TargetId"], p["TargetType"]
        if kind == "AWS::RDS::DBCluster":
            cluster = rds.clusters[target.lower()]
            fields = {"engine": cluster.engine, "host": cluster.endpoint, "port": cluster.port,
                      "dbClusterIdentifier": cluster.db_cluster_identifier}
        elif kind == "AWS::RDS::DBInstance":
            instance = rds.databases[target.lower()]
            fields = {"engine": instance.engine, "host": instance.address, "port": instance.port,
                      "dbInstanceIdentifier": instance.db_instance_identifier}
        else:
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(message=f"SecretTargetAttachment: TargetType {kind} is not supported by moto")
        value = secrets.get_secret_value(secret_id, None, None)
        document = json.loads(value["SecretString"])
        document.update(fields)
        secrets.put_secret_value(secret_id, json.dumps(document), None, None, ["AWSCURRENT"])
        return cls(value["ARN"])

    def delete(self, account_id: str, region_name: str) -> None:
        pass  # the secret keeps its fields; it goes with its own resource


def apply() -> None:
    from fixes import refresh_model_list

    refresh_model_list()
