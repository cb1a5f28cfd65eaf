"""Custom resources: the stack waits for the provider's response, which needs no signature.

Stock moto 5.2.1:
- ExecuteChangeSet marks a new stack CREATE_COMPLETE at once, even while a Custom:: resource
  has not answered (moto only waits for it in CreateStack);
- the response (PUT to the ResponseURL, moto's /cloudformation_<region>/cfnresponse) goes
  through moto's signature checks, so with checks on a provider's unsigned PUT is refused (403);
- the response's Status FAILED and PhysicalResourceId are ignored.

AWS (Custom resources, CloudFormation User Guide; "Custom resource response objects"): the
stack stays CREATE_IN_PROGRESS until the provider PUTs its response to the pre-signed ResponseURL
(no AWS credentials involved); SUCCESS completes the resource with the response's
PhysicalResourceId and Data, FAILED fails it with the response's Reason (and the stack's
creation fails).

Fix: ExecuteChangeSet of a new stack leaves it CREATE_IN_PROGRESS while a custom resource has
not answered (moto's own verify_readiness completes it on the response); ProcessCfnResponse is
not signature-checked; SUCCESS takes the PhysicalResourceId, FAILED marks the stack
CREATE_FAILED with the Reason. (moto has no rollback, and sends no Update or Delete requests to
custom resources.)
"""
import json
from typing import Any

from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse

_stock_execute = CloudFormationBackend.execute_change_set
_stock_authenticate = CloudFormationResponse._authenticate_and_authorize_normal_action


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    _stock_execute(self, change_set_name, stack_name)
    change_set = self.change_sets.get(change_set_name) or next(
        (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None)
    if change_set is None or change_set.change_set_type != "CREATE":
        return
    stack = self.stacks[change_set.stack_id]
    if any(not r.is_created() for r in stack.custom_resources.values()):
        # not complete yet: drop the CREATE_COMPLETE moto announced; verify_readiness completes it
        if stack.events and stack.events[-1].resource_status == "CREATE_COMPLETE":
            stack.events.pop()
        stack.status = "CREATE_IN_PROGRESS"


def authenticate(self: CloudFormationResponse, resource: str = "*") -> None:
    if self._get_action() == "ProcessCfnResponse":
        return  # the ResponseURL is pre-signed: providers send no credentials
    _stock_authenticate(self, resource)


def process_cfn_response(self: CloudFormationResponse) -> tuple[int, dict[str, int], str]:
    body = json.loads(self.body or "{}")
    stack = self.cloudformation_backend.get_stack(body["StackId"])
    custom_resource = stack.get_custom_resource(body["LogicalResourceId"])
    if body.get("Status") == "SUCCESS":
        if body.get("PhysicalResourceId"):
            custom_resource.resource_name = body["PhysicalResourceId"]
        custom_resource.set_data(body.get("Data") or {})
        stack.verify_readiness()
    elif body.get("Status") == "FAILED":
        reason = f"Received response status [FAILED] from custom resource. Message returned: {body.get('Reason', '')}"
        stack.status = "CREATE_FAILED"
        stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
    return 200, {"status": 200}, json.dumps("{}")


def apply() -> None:
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    CloudFormationResponse._authenticate_and_authorize_normal_action = authenticate  # type: ignore[method-assign]
    CloudFormationResponse.process_cfn_response = process_cfn_response  # type: ignore[method-assign]
