"""UpdateService with a new task definition (or forceNewDeployment) starts a new deployment.

Stock moto 5.2.1: UpdateService sets the service's taskDefinition (to the string it was given, a
family name when CloudFormation updates it) but leaves its deployments alone: DescribeServices'
PRIMARY deployment still names the previous task definition, so a client that waits for the
new revision to roll out (as `aws ecs wait services-stable` users and CDK's hotswap do) never
sees it.

AWS (ECS API Reference, UpdateService and Deployment): updating a service's task definition
starts a new deployment; `deployments` lists it as PRIMARY ("the most recent deployment") with
the new task definition's ARN, the previous one stays ACTIVE while it still has running tasks
and goes INACTIVE (no longer listed) once replaced; `rolloutState` is IN_PROGRESS until the
service reaches a steady state, then COMPLETED. The service's taskDefinition is the ARN.

Fix: after moto's own update (its checks stay: an unknown task definition is refused), a new
PRIMARY deployment with the task definition's ARN. moto runs no tasks: the new deployment takes
over the tasks moto counts as running (its `runningCount`, as moto's create does), COMPLETED when
they reach the desired count, IN_PROGRESS otherwise (then the previous deployment stays ACTIVE).
"""
from typing import Any

from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend
from moto.moto_api._internal import mock_random

_stock_update_service = EC2ContainerServiceBackend.update_service


def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
    task_definition_str = service_properties.get("task_definition")
    force = bool(service_properties.get("force_new_deployment"))
    cluster = service_properties.get("cluster", "default")
    name = str(service_properties.get("service", "")).split("/")[-1]
    before = None
    try:
        before = self._get_service(cluster, name).task_definition
    except Exception:  # moto's own update reports it
        pass
    service = _stock_update_service(self, service_properties)
    if task_definition_str:
        service.task_definition = self.describe_task_definition(task_definition_str).arn
    if service.deployment_controller.get("type") != "ECS" or not (force or service.task_definition != before):
        return service
    now = utcnow()
    desired, running = service.desired_count, min(service.running_count, service.desired_count)
    deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
    completed = running >= desired
    previous = [dict(d, status="ACTIVE") for d in service.deployments if d.get("status") == "PRIMARY"]
    template = service.deployments[0] if service.deployments else {}
    service.deployments = [dict(
        template, id=deployment_id, status="PRIMARY", taskDefinition=service.task_definition,
        desiredCount=desired, runningCount=running, pendingCount=desired - running, failedTasks=0,
        rolloutState="COMPLETED" if completed else "IN_PROGRESS",
        rolloutStateReason=f"ECS deployment {deployment_id} " + ("completed." if completed else "in progress."),
        createdAt=now, updatedAt=now,
    )] + ([] if completed else previous)
    return service


def apply() -> None:
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
