"""An unchanged UPDATE change set that sends the stack's parameters again.

Stock moto 5.2.1: CreateChangeSet marks an UPDATE change set "didn't contain changes" only when
the parameters sent equal the stack's raw input parameters as a dict; a stack created without
parameters (defaults) and updated with the same template and UsePreviousValue (or the same
values) gets an executable change set with 0 changes instead (and ExecuteChangeSet re-applies
it), also when the template came through TemplateURL.

AWS (CreateChangeSet, CloudFormation API Reference and User Guide): a change set whose template
and parameter values equal the stack's is FAILED with "The submitted information didn't contain
changes. Submit different information to create a change set."

Fix: compare the parameters' effective values (given, else previous, else default; SSM-typed
parameters by name, see cloudformation_ssm_parameter_previous_value).
"""
from typing import Any

from moto.cloudformation.models import Stack


def has_parameters(self: Stack, other_parameters: dict[str, Any]) -> bool:
    current = self.stack_parameters
    slots = self.resource_map._template.get("Parameters") or {}
    for key in set(current) | set(other_parameters):
        new = other_parameters.get(key, (slots.get(key) or {}).get("Default"))
        if isinstance(new, list):
            new = ",".join(str(v) for v in new)
        old = current.get(key)
        if isinstance(old, list):
            old = ",".join(str(v) for v in old)
        if str(new) != str(old):
            return False
    return True


def apply() -> None:
    Stack.has_parameters = has_parameters  # type: ignore[method-assign]
