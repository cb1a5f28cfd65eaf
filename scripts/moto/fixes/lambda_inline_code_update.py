"""Updating an AWS::Lambda::Function whose code is inline (Code.ZipFile).

Stock moto 5.2.1: creation zips the ZipFile source text (as CloudFormation does), but
update_from_cloudformation_json hands the source text to update_function_code, which
base64-decodes it as the API's ZipFile blob: binascii.Error / BadZipFile (HTTP 500) on any update
of such a function, even one that changes only its memory.

AWS (AWS::Lambda::Function Code.ZipFile, CloudFormation User Guide): the source code of the
function, inline; CloudFormation puts it in a file named index and zips it, on create and on
update alike.

Fix: on update, zip the inline source the way moto's create does before passing it on.
"""
import base64
from typing import Any

from moto.awslambda.models import LambdaFunction

_stock_update = LambdaFunction.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def update_from_cloudformation_json(cls: Any, original_resource: Any, new_resource_name: str,
                                    cloudformation_json: Any, account_id: str, region_name: str) -> Any:
    properties = cloudformation_json["Properties"]
    code = properties.get("Code") or {}
    if "ZipFile" in code:
        zipped = base64.b64encode(cls._create_zipfile_from_plaintext_code(code["ZipFile"])).decode("utf-8")
        properties = {**properties, "Code": {**code, "ZipFile": zipped}}
        cloudformation_json = {**cloudformation_json, "Properties": properties}
    return _stock_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)


def apply() -> None:
    LambdaFunction.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)  # type: ignore[assignment]
