"""Deleting a VPC's gateways, NAT gateways, EIPs, routes and route tables with the stack.

Stock moto 5.2.1: the CloudFormation models of AWS::EC2::InternetGateway,
VPCGatewayAttachment, NatGateway, EIP, RouteTable, Route, SubnetRouteTableAssociation and
FlowLog have no delete: DeleteStack drops them from the stack but leaves them in EC2, and the
stack's VPC then cannot be deleted: "DependencyViolation: The vpc ... has dependencies and
cannot be deleted" (the stack is forgotten, the network stays).

AWS (CloudFormation deletes every resource of a stack it created, dependents first; EC2 API
Reference): DetachInternetGateway + DeleteInternetGateway, DeleteNatGateway (then "deleted"),
ReleaseAddress, DeleteRoute, DisassociateRouteTable, DeleteRouteTable, DeleteFlowLogs.

Fix: a delete method on each of these models calling the backend's own call, so moto's
dependency checks still apply (a route table with associations, an attached gateway: moto's
CloudFormation retries those after their dependents are gone).
"""
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def delete_internet_gateway(self: InternetGateway, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_internet_gateway(self.id)


def delete_gateway_attachment(self: VPCGatewayAttachment, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if self.gateway_id and self.gateway_id.startswith("igw-"):
        ec2.detach_internet_gateway(self.gateway_id, self.vpc_id)
    elif self.gateway_id:
        ec2.detach_vpn_gateway(self.gateway_id, self.vpc_id)


def delete_nat_gateway(self: NatGateway, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_nat_gateway(self.id)


def delete_address(self: ElasticAddress, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if self.domain == "vpc" and self.allocation_id:
        ec2.release_address(allocation_id=self.allocation_id)
    else:
        ec2.release_address(address=self.public_ip)


def delete_route_table(self: RouteTable, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_route_table(self.id)


def delete_route(self: Route, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if self.route_table.id not in ec2.route_tables:
        return  # deleted with its route table (DeleteRouteTable takes the table's routes along)
    ec2.delete_route(
        self.route_table.id, self.destination_cidr_block, self.destination_ipv6_cidr_block,
        self.destination_prefix_list.id if self.destination_prefix_list else None)


def delete_association(self: SubnetRouteTableAssociation, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    table = ec2.route_tables.get(self.route_table_id)
    for association_id, subnet_id in list(table._associations.items() if table else []):
        if subnet_id == self.subnet_id:
            ec2.disassociate_route_table(association_id)


def delete_flow_log(self: FlowLogs, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_flow_logs([self.id])


def apply() -> None:
    InternetGateway.delete = delete_internet_gateway  # type: ignore[attr-defined]
    VPCGatewayAttachment.delete = delete_gateway_attachment  # type: ignore[attr-defined]
    NatGateway.delete = delete_nat_gateway  # type: ignore[attr-defined]
    ElasticAddress.delete = delete_address  # type: ignore[attr-defined]
    RouteTable.delete = delete_route_table  # type: ignore[attr-defined]
    Route.delete = delete_route  # type: ignore[attr-defined]
    SubnetRouteTableAssociation.delete = delete_association  # type: ignore[attr-defined]
    FlowLogs.delete = delete_flow_log  # type: ignore[attr-defined]
