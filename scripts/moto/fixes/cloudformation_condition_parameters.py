"""An update that changes only a parameter a condition reads (`Fn::If` in a resource's properties).

Stock moto 5.2.1: an update with the same template re-applies a resource only when its own JSON
holds a `Ref` to a changed parameter (ResourceMap.build_resource_diff). A property written
`{"Fn::If": [Cond, a, b]}` whose condition reads the changed parameter is not re-applied: the
resource keeps the value of the old condition (an ECS service's `DesiredCount: Fn::If [ImageReady,
1, 0]` stays 0 after `ImageReady` goes from "false" to "true").

AWS (Conditions, CloudFormation User Guide): conditions are evaluated with the parameter values of
each create and update, and a resource whose resolved properties change is updated.

Fix: after moto's diff, a resource that exists, whose template entry is unchanged, and whose
properties name (`Fn::If`, `Condition`) a condition that reads a changed parameter (directly or
through other conditions) is re-applied as well, when moto models its update. (A resource whose
own `Condition` turns true is created by moto as before; one whose condition turns false is not
deleted: not handled here.)
"""
from typing import Any

from moto.cloudformation.parsing import ResourceMap, get_references_from_template, resource_class_from_type

_stock_diff = ResourceMap.build_resource_diff


def _conditions_named(value: Any) -> set[str]:
    """The conditions a piece of template names: Fn::If's first argument, {"Condition": name}."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Fn::If" and isinstance(inner, list) and inner and isinstance(inner[0], str):
                found.add(inner[0])
            if key == "Condition" and isinstance(inner, str):
                found.add(inner)
            found |= _conditions_named(inner)
    elif isinstance(value, list):
        for item in value:
            found |= _conditions_named(item)
    return found


def _affected_conditions(conditions: dict[str, Any], changed: set[str]) -> set[str]:
    """The conditions whose value may change: reading a changed parameter, or such a condition."""
    affected = {name for name, body in conditions.items() if changed & set(get_references_from_template(body))}
    while True:
        more = {name for name, body in conditions.items()
                if name not in affected and _conditions_named(body) & affected}
        if not more:
            return affected
        affected |= more


def _models_update(resource_type: str) -> bool:
    try:
        cls = resource_class_from_type(resource_type)
    except Exception:
        return False
    return cls is not None and not hasattr(cls.update_from_cloudformation_json, "__isabstractmethod__")


def build_resource_diff(self: ResourceMap, other_template: dict[str, Any],
                        parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    actions = _stock_diff(self, other_template, parameters)
    if not parameters:
        return actions
    changed = {p for p in parameters if self.input_parameters.get(p) != parameters[p]}
    affected = _affected_conditions(other_template.get("Conditions") or {}, changed)
    if not affected:
        return actions
    old = self._resource_json_map
    for name, resource in (other_template.get("Resources") or {}).items():
        if name in actions["Modify"] or name in actions["Add"] or name not in old or old[name] != resource:
            continue
        if self._parsed_resources.get(name) is None or not _models_update(resource.get("Type", "")):
            continue
        if _conditions_named(resource.get("Properties") or {}) & affected:
            actions["Modify"].append(name)
    return actions


def apply() -> None:
    ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]
