"""UsePreviousValue for a parameter of type AWS::SSM::Parameter::Value<...>.

Stock moto 5.2.1: a change set's UsePreviousValue takes the stack's *resolved* parameters, so an
SSM-typed parameter (e.g. the ECS-optimized AMI's /aws/service/ecs/optimized-ami/... path)
comes back as the resolved value (the AMI id), which the update then looks up in SSM as a
parameter name: AttributeError: 'NoneType' object has no attribute 'value' (HTTP 500) on every
update of such a stack.

AWS (Parameters, "SSM parameter types", CloudFormation User Guide): the parameter's value is
the SSM parameter's name; CloudFormation resolves it at each create and update
(DescribeStacks shows the name as ParameterValue and the value as ResolvedValue);
UsePreviousValue keeps the name.

Fix: the stack's previous parameter values, as change sets read them, hold the name for
SSM-typed parameters (the value given, else the default).
"""
from typing import Any

from moto.cloudformation.models import Stack

SSM_TYPE = "AWS::SSM::Parameter::"


def stack_parameters(self: Stack) -> dict[str, Any]:
    values = dict(self.resource_map.resolved_parameters)
    # the resource map's template: a stack created by a change set keeps an empty template_dict
    for key, slot in (self.resource_map._template.get("Parameters") or {}).items():
        if str(slot.get("Type", "")).startswith(SSM_TYPE):
            values[key] = self.resource_map.input_parameters.get(key, slot.get("Default"))
    return values


def apply() -> None:
    Stack.stack_parameters = property(stack_parameters)  # type: ignore[assignment]
