"""AWS::ApiGateway::Method with a MOCK integration (a CORS preflight) or no integration.

Stock moto 5.2.1: Method.create_from_cloudformation_json reads Integration.IntegrationHttpMethod
and Integration.Uri unconditionally: a MOCK integration, which has neither, fails with
KeyError (HTTP 500), and so does a method without Integration. It also drops the method's
MethodResponses and the integration's RequestTemplates and IntegrationResponses.

AWS (AWS::ApiGateway::Method and its Integration, CloudFormation User Guide): Integration is
optional; Uri is required only for HTTP, HTTP_PROXY, AWS and AWS_PROXY integrations, and
IntegrationHttpMethod only for those too (not for MOCK). PutIntegration, which moto's backend
implements, checks exactly that.

Fix: create the method, then the integration only when there is one, with .get() for the
optional fields (the backend's own checks still refuse an HTTP/AWS integration without them),
plus the template's method responses, request templates and integration responses.
"""
from typing import Any

from moto.apigateway.models import Method, apigateway_backends


def create_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
                                    region_name: str, **kwargs: Any) -> Method:
    properties = cloudformation_json["Properties"]
    rest_api_id = properties["RestApiId"]
    resource_id = properties["ResourceId"]
    method_type = properties["HttpMethod"]
    backend = apigateway_backends[account_id][region_name]
    method = backend.put_method(
        function_id=rest_api_id,
        resource_id=resource_id,
        method_type=method_type,
        authorization_type=properties["AuthorizationType"],
        api_key_required=properties.get("ApiKeyRequired"),
        request_parameters=properties.get("RequestParameters"),
        authorizer_id=properties.get("AuthorizerId"),
        authorization_scopes=properties.get("AuthorizationScopes"),
    )
    for response in properties.get("MethodResponses") or []:
        backend.put_method_response(
            rest_api_id, resource_id, method_type, str(response["StatusCode"]),
            response.get("ResponseModels") or {}, response.get("ResponseParameters") or {})
    integration = properties.get("Integration")
    if integration is not None:
        backend.put_integration(
            function_id=rest_api_id,
            resource_id=resource_id,
            method_type=method_type,
            integration_type=integration["Type"],
            uri=integration.get("Uri"),
            integration_method=integration.get("IntegrationHttpMethod"),
            credentials=integration.get("Credentials"),
            request_templates=integration.get("RequestTemplates"),
            passthrough_behavior=integration.get("PassthroughBehavior"),
            request_parameters=integration.get("RequestParameters"),
            content_handling=integration.get("ContentHandling"),
            timeout_in_millis=integration.get("TimeoutInMillis"),
        )
        for response in integration.get("IntegrationResponses") or []:
            backend.put_integration_response(
                rest_api_id, resource_id, method_type, str(response["StatusCode"]),
                response.get("SelectionPattern"), response.get("ResponseTemplates") or {},
                response.get("ResponseParameters") or {}, response.get("ContentHandling"))
    return method


def apply() -> None:
    Method.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[assignment]
