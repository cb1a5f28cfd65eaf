"""Ref to an AWS::RDS::DBSubnetGroup (used by the two RDS fixes).

moto 5.2.1's DBSubnetGroup model has no physical_resource_id, so Ref resolves to the model object
itself; moto's own DBInstance model reads `.name` from it. AWS: Ref returns the group's name.
"""
from typing import Any


def subnet_group_name(ref: Any) -> Any:
    """The name a Ref to a DBSubnetGroup stands for (a literal name stays as it is)."""
    return getattr(ref, "name", ref)
