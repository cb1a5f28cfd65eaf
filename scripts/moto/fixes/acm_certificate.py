"""AWS::CertificateManager::Certificate through CloudFormation.

Stock moto 5.2.1: the ACM backend implements RequestCertificate, but no CloudFormation model has
this type: the certificate is skipped, Ref to it is empty, and a listener that names it gets a
Certificates entry without CertificateArn: KeyError: 'CertificateArn' in the ELBv2 model
(HTTP 500).

AWS (AWS::CertificateManager::Certificate, CloudFormation User Guide): requests the
certificate (DomainName, SubjectAlternativeNames, ValidationMethod, tags); with DNS validation
and a HostedZoneId in DomainValidationOptions CloudFormation writes the validation record and
the resource completes when the certificate is issued; Ref returns the certificate's ARN;
deleting the stack deletes the certificate.

Fix: a CloudFormation model over the backend's request_certificate / delete_certificate.
(moto issues requested certificates on its own schedule; no validation record is written.)
"""
from typing import Any

from moto.acm.models import acm_backends
from moto.core.common_models import CloudFormationModel


class CertificateModel(CloudFormationModel):
    def __init__(self, arn: str):
        self.arn = arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CertificateManager::Certificate"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,  # type: ignore[misc]
                                        region_name: str, **kwargs: Any) -> "CertificateModel":
        p = cloudformation_json["Properties"]
        arn = acm_backends[account_id][region_name].request_certificate(
            domain_name=p["DomainName"], idempotency_token=None,
            subject_alt_names=p.get("SubjectAlternativeNames") or [], tags=p.get("Tags") or [],
            cert_authority_arn=p.get("CertificateAuthorityArn"))
        return cls(arn)

    def delete(self, account_id: str, region_name: str) -> None:
        acm_backends[account_id][region_name].delete_certificate(self.arn)


def apply() -> None:
    from fixes import refresh_model_list

    refresh_model_list()
