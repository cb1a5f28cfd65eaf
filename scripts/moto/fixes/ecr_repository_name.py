"""AWS::ECR::Repository without RepositoryName.

Stock moto 5.2.1: the generated name is "<stack>-<LogicalId>-<SUFFIX>", with the logical id's
and suffix's upper-case letters, which moto's own CreateRepository check then rejects
(InvalidParameterException: repository names must match [a-z0-9._/-]).

AWS (AWS::ECR::Repository, CloudFormation User Guide): "If you don't specify a name,
CloudFormation generates a unique physical ID and uses that ID for the repository name";
repository names are lower case, and so is the generated one.

Fix: lower-case the generated name of an ECR repository (a name given in the template is passed
on unchanged, so an invalid one is still refused).
"""
from typing import Any

from moto.cloudformation import parsing

_stock_generate = parsing.generate_resource_name


def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> Any:
    name = _stock_generate(resource_type, stack_name, logical_id)
    return name.lower() if resource_type == "AWS::ECR::Repository" else name


def apply() -> None:
    parsing.generate_resource_name = generate_resource_name
