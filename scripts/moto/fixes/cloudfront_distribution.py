"""AWS::CloudFront::Distribution and AWS::CloudFront::OriginAccessControl through CloudFormation.

Stock moto 5.2.1: the CloudFront backend implements CreateDistribution and
CreateOriginAccessControl, but no CloudFormation model has these types: they are skipped, and
Fn::GetAtt on them (DomainName, Id) fails the stack: "Template error: instance of Fn::GetAtt
references undefined resource".

AWS (CloudFormation User Guide): AWS::CloudFront::Distribution creates the distribution from
DistributionConfig (the API's structure, with plain lists where the API has Quantity/Items);
Ref and Fn::GetAtt Id return its id, Fn::GetAtt DomainName its d123.cloudfront.net name.
AWS::CloudFront::OriginAccessControl: Ref and Fn::GetAtt Id return its id. Deleting the
stack deletes both.

Fix: CloudFormation models over the backend's create/delete calls; the template's lists are
given the API's Quantity/Items shape that the backend reads.
"""
import uuid
from typing import Any

from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

# Lists that the CloudFront API wraps as {"Quantity": n, "Items": [...]}.
_LISTS = {"Aliases", "Origins", "CacheBehaviors", "CustomErrorResponses", "AllowedMethods", "CachedMethods",
          "OriginSslProtocols", "Headers", "QueryStringCacheKeys", "WhitelistedNames", "Locations",
          "LambdaFunctionAssociations", "FunctionAssociations", "TrustedSigners", "TrustedKeyGroups"}


def api_shape(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        shaped = {k: api_shape(v, k) for k, v in value.items()}
        if key == "DefaultCacheBehavior" or key == "CacheBehavior":
            methods = shaped.get("AllowedMethods")
            if methods is not None and "CachedMethods" in shaped:
                methods["CachedMethods"] = shaped.pop("CachedMethods")
        return shaped
    if isinstance(value, list):
        items = [api_shape(v, key[:-1] if key.endswith("s") else key) for v in value]
        return {"Quantity": len(items), "Items": items} if key in _LISTS else items
    return value


def _backend(account_id: str, region_name: str) -> Any:
    return cloudfront_backends[account_id][get_partition(region_name)]


class DistributionModel(CloudFormationModel):
    def __init__(self, distribution: Any):
        self.distribution_id = distribution.distribution_id
        self.domain_name = distribution.domain_name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFront::Distribution"

    @property
    def physical_resource_id(self) -> str:
        return self.distribution_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,  # type: ignore[misc]
                                        region_name: str, **kwargs: Any) -> "DistributionModel":
        p = cloudformation_json["Properties"]
        config = api_shape(p["DistributionConfig"])
        config.setdefault("CallerReference", str(uuid.uuid4()))
        if "IPV6Enabled" in config:
            config["IsIPV6Enabled"] = config.pop("IPV6Enabled")
        distribution, _, _ = _backend(account_id, region_name).create_distribution(config, p.get("Tags") or [])
        return cls(distribution)

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ["DomainName", "Id"]

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "DomainName":
            return self.domain_name
        if attribute_name == "Id":
            return self.distribution_id
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_distribution(self.distribution_id, True)


class OriginAccessControlModel(CloudFormationModel):
    def __init__(self, control_id: str):
        self.control_id = control_id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFront::OriginAccessControl"

    @property
    def physical_resource_id(self) -> str:
        return self.control_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,  # type: ignore[misc]
                                        region_name: str, **kwargs: Any) -> "OriginAccessControlModel":
        config = cloudformation_json["Properties"]["OriginAccessControlConfig"]
        return cls(_backend(account_id, region_name).create_origin_access_control(config).id)

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Id":
            return self.control_id
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_origin_access_control(self.control_id)


def apply() -> None:
    from fixes import refresh_model_list

    refresh_model_list()
