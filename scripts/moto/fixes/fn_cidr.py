"""Fn::Cidr in templates.

Stock moto 5.2.1: clean_json has no Fn::Cidr; the Fn::Select around it indexes the unresolved
{"Fn::Cidr": [...]} dict with 0: KeyError: 0 (ExecuteChangeSet answers HTTP 500).

AWS (Fn::Cidr, CloudFormation User Guide): ["ipBlock", count, cidrBits] returns `count` CIDR
blocks of the ipBlock, each with `cidrBits` host bits (a /16 with cidrBits 8 gives /24s), in
address order; count is 1-256; a request for more blocks than the ipBlock holds fails.

Fix: resolve Fn::Cidr with the standard library's ipaddress, before moto's clean_json.
"""
import ipaddress
import itertools
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError

_stock_clean_json = parsing.clean_json


def cidr(ip_block: Any, count: Any, cidr_bits: Any) -> list[str]:
    try:
        network = ipaddress.ip_network(str(ip_block))
        count, cidr_bits = int(count), int(cidr_bits)
    except ValueError as e:
        raise ValidationError(message=f"Template error: Fn::Cidr: {e}")
    if not 1 <= count <= 256:
        raise ValidationError(message="Template error: Fn::Cidr count must be between 1 and 256")
    prefix = network.max_prefixlen - cidr_bits
    if not network.prefixlen <= prefix <= network.max_prefixlen:
        raise ValidationError(message=f"Template error: Fn::Cidr cidrBits {cidr_bits} does not fit {network}")
    blocks = [str(b) for b in itertools.islice(network.subnets(new_prefix=prefix), count)]
    if len(blocks) < count:
        raise ValidationError(message=f"Template error: Fn::Cidr: {network} holds fewer than {count} /{prefix} blocks")
    return blocks


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    if isinstance(resource_json, dict) and "Fn::Cidr" in resource_json:
        args = [clean_json(a, resources_map) for a in resource_json["Fn::Cidr"]]
        return cidr(*args)
    return _stock_clean_json(resource_json, resources_map)


def apply() -> None:
    # clean_json calls itself through the module's global, so nested Fn::Cidr resolve too
    parsing.clean_json = clean_json
