"""TFX201: databases must not be reachable from the internet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import (
    FIX_ALWAYS,
    IMPACT_IN_PLACE,
    IMPACT_NONE,
    IMPACT_REPLACE,
    SAFE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)

# resource type -> (is omitting the attribute already private?, impact of true -> false)
RESOURCES: dict[str, tuple[bool, str]] = {
    "aws_db_instance": (True, IMPACT_IN_PLACE),
    "aws_rds_cluster_instance": (True, IMPACT_IN_PLACE),
    "aws_dms_replication_instance": (True, IMPACT_REPLACE),
    # provider < 5.0 defaulted a Redshift cluster to public
    "aws_redshift_cluster": (False, IMPACT_IN_PLACE),
}


class DbPubliclyAccessible(Rule):
    """
    ## What it does
    Sets `publicly_accessible = false` on `aws_db_instance`, `aws_rds_cluster_instance`,
    `aws_redshift_cluster` and `aws_dms_replication_instance`: a literal `true` becomes
    `false`, and a missing attribute is written out as an explicit `false`.

    ## Why is this bad?
    A publicly accessible database gets a public DNS name and IP address; one security
    group rule away from the whole internet. Relying on the provider default is fragile
    too: the default for Redshift was `true` before AWS provider 5.0, and an explicit
    value documents the decision (seed 002 §2.2).

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine              = "postgres"
      publicly_accessible = true
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine              = "postgres"
      publicly_accessible = false
    }
    ```
    Reach the database through a bastion, SSM Session Manager, a VPN or RDS Proxy.

    ## Fix safety
    Writing out a missing attribute as `false` is **safe** where `false` is already the
    provider's default (RDS instances, Aurora instances, DMS replication instances): the
    plan shows no change. For Redshift it is **unsafe**: on AWS provider < 5.0 the
    default was `true`, so the fix can make a public cluster private.
    Changing a literal `true` to `false` is **unsafe**: clients that connect over the
    internet lose access. When the value is an expression (a variable, a conditional),
    the rule reports it and does not fix it.

    ## Deployment impact
    None for the missing-attribute fix. Changing `true` to `false` is an in-place update
    for RDS, Aurora and Redshift, and **forces replacement** of a DMS replication instance
    (`publicly_accessible` is ForceNew there).

    ## References
    - Terraform AWS provider: `aws_db_instance`, `aws_rds_cluster_instance`, `aws_redshift_cluster`,
      `aws_dms_replication_instance` argument references (publicly_accessible; DMS schema marks it ForceNew)
    - AWS provider 5.0 upgrade guide: Redshift `publicly_accessible` now defaults to `false`
    - Checkov CKV_AWS_17, CKV_AWS_87 (Redshift), CKV_AWS_89 (DMS), each failing before and passing
      after the fix (checkov 3.3.30, `bench/checkov_mapping.py`); Trivy AWS-0180 (RDS); Trivy has no
      Redshift public-access check (AWS-0087 is S3 "block public policy", AWS-0127 is Redshift "use VPC")
    """

    id = "TFX201"
    name = "db-publicly-accessible"
    summary = "Databases must set publicly_accessible = false"
    fix_availability = FIX_ALWAYS
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_17", "CKV_AWS_87", "CKV_AWS_89")
    trivy = ("AWS-0180",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources(*RESOURCES):
            block = ref.block
            default_private, impact = RESOURCES[block.label_values[0]]
            attr = block.get_attribute("publicly_accessible")
            if attr is None:
                yield self.finding(
                    ref.file, block, f"{ref.address} does not set publicly_accessible; write it out as false",
                    block=block, fix=lambda b=block: edit.set_attribute(b, "publicly_accessible", False),
                    description="add publicly_accessible = false",
                    safety=SAFE if default_private else UNSAFE,
                    impact=IMPACT_NONE if default_private else IMPACT_IN_PLACE,
                )
                continue
            known, value = literal(attr.value)
            if not known:
                yield self.finding(ref.file, attr.value, f"{ref.address} sets publicly_accessible from an expression; "
                                   "make sure it is false", block=block, argument="publicly_accessible",
                                   live_ok=lambda live: live is False)
            elif value is True:
                yield self.finding(
                    ref.file, attr.value, f"{ref.address} is publicly accessible",
                    block=block, fix=lambda b=block: edit.set_attribute(b, "publicly_accessible", False),
                    description="set publicly_accessible = false", safety=UNSAFE, impact=impact,
                )
