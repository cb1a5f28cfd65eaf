"""Fixes for moto's CloudFormation gaps, one module per fix (docs/MOTO.md)."""
import importlib
import os

import moto

MOTO_VERSION = "5.2.1"

# Order does not matter: each fix patches its own functions.
FIXES: list[str] = [
    "fn_cidr",
    "kms_key_tags",
    "apigateway_mock_integration",
    "rds_db_cluster",
    "rds_db_instance_in_cluster",
    "secretsmanager_secret",
    "acm_certificate",
    "cloudfront_distribution",
    "ecr_repository_name",
    "ec2_vpc_teardown",
    "cloudformation_custom_resource",
    "cloudformation_describe_stack_resource",
    "lambda_inline_code_update",
    "dynamodb_sse_specification",
    "cloudformation_ssm_parameter_previous_value",
    "cloudformation_unchanged_parameters",
    "cloudformation_stack_tags",
    "cloudformation_condition_parameters",
    "ecs_task_definition_update",
    "ecs_service_deployment",
]


def check_version() -> None:
    if moto.__version__ != MOTO_VERSION and not os.environ.get("INFRA_MOTO_ANY_VERSION"):
        raise SystemExit(
            f"scripts/moto-server: the fixes are written for moto {MOTO_VERSION}, found {moto.__version__} "
            f"(pip install -r scripts/requirements.txt; INFRA_MOTO_ANY_VERSION=1 to try anyway)"
        )


_applied = False


def apply_all() -> None:
    """Applies every fix (once)."""
    global _applied
    if _applied:
        return
    for name in FIXES:
        importlib.import_module(f"{__name__}.{name}").apply()
    _applied = True


def refresh_model_list() -> None:
    """moto lists its CloudFormation models once (CloudFormationModel.__subclasses__(), cached):
    a fix that adds a model calls this after defining it."""
    from moto.cloudformation import parsing

    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
