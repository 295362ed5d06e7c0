"""TFX820: Aurora Serverless v2 scaling and the cluster's instance classes agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import (
    FIX_SOMETIMES,
    IMPACT_IN_PLACE,
    UNSAFE,
    Finding,
    Rule,
    literal,
)

SCALING = "serverlessv2_scaling_configuration"
SERVERLESS = "db.serverless"


def _members(module: Module, cluster: BlockRef) -> tuple[list[BlockRef], list[BlockRef]]:
    """(instances whose cluster_identifier refers to ``cluster``, instances whose
    cluster_identifier tffix cannot follow)."""
    mine, unknown = [], []
    for inst in module.resources("aws_rds_cluster_instance"):
        attr = inst.block.get_attribute("cluster_identifier")
        if attr is None:
            continue
        target = module.resolve(attr.value)
        if target == cluster:
            mine.append(inst)
        elif target is None or target.block.type in ("variable", "module", "locals"):
            known, _ = literal(attr.value)
            if not known:
                unknown.append(inst)
    return mine, unknown


def _describe(classes: list[tuple[BlockRef, object]]) -> str:
    return ", ".join(f"{ref.address}: {value}" for ref, value in classes)


class AuroraServerlessV2InstanceClass(Rule):
    """
    ## What it does
    Checks each `aws_rds_cluster` against the `aws_rds_cluster_instance`s whose
    `cluster_identifier` refers to it:
    - the cluster has a `serverlessv2_scaling_configuration` block but every instance has a
      literal `instance_class` other than `db.serverless` (all instances are provisioned): the
      scaling block is removed, with a finding that explains the conflict. When an instance
      class is an expression (`var.rds_instance_class`, as in the seed), or an instance's
      `cluster_identifier` cannot be followed, it is reported without a fix;
    - an instance uses `db.serverless` but the cluster has no scaling block: reported without a
      fix (AWS refuses to create the instance).

    ## Why is this bad?
    Seed 001 §1 ("RDS Aurora Configuration Conflict", critical): the model configured Serverless
    v2 scaling *and* provisioned instance classes. The scaling range only applies to instances
    of class `db.serverless`, so with provisioned instances it does nothing, while readers of
    the code (and cost estimates) assume a serverless cluster. AWS does accept the
    combination today (a cluster may mix provisioned and Serverless v2 instances), so it is a
    contradiction rather than an apply error; the opposite case, a `db.serverless` instance in
    a cluster without a scaling configuration, does fail at apply.

    ## Example
    ```hcl
    resource "aws_rds_cluster" "main" {
      engine = "aurora-postgresql"

      serverlessv2_scaling_configuration {
        max_capacity = 2.0
        min_capacity = 0.5
      }
    }

    resource "aws_rds_cluster_instance" "main" {
      count              = 2
      cluster_identifier = aws_rds_cluster.main.id
      instance_class     = "db.r6g.large"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_rds_cluster" "main" {
      engine = "aurora-postgresql"
    }

    resource "aws_rds_cluster_instance" "main" {
      count              = 2
      cluster_identifier = aws_rds_cluster.main.id
      instance_class     = "db.r6g.large"
    }
    ```
    Or keep the scaling block and use `instance_class = "db.serverless"` if serverless was
    the intent.

    ## Fix safety
    **Unsafe**: removing the block is the seed's resolution for a prompt that asked for
    provisioned instances; if the intent was serverless, the right fix is the instance class
    instead. The fix also drops the scaling range you may plan to use when adding a
    `db.serverless` reader later.

    ## Deployment impact
    In-place at most, and nothing changes in AWS: the provider does not remove a cluster's
    scaling configuration when the block leaves the configuration (its source suppresses that
    diff, see provider issue #40473), so current providers plan no change; some versions show
    an in-place update of the cluster. No instance is replaced.

    ## References
    - Seed 001 §1 "RDS Aurora Configuration Conflict" (`../shared/seeds`)
    - Terraform AWS provider source, `internal/service/rds/cluster.go`:
      `serverlessv2_scaling_configuration` (Optional, MaxItems 1, not ForceNew; the
      DiffSuppressFunc comment on removing the block, provider issue #40473)
    - AWS Aurora User Guide, "Using Aurora Serverless v2": Serverless v2 instances use the
      `db.serverless` class; a cluster can mix provisioned and Serverless v2 instances
    - No Checkov or Trivy check covers this
    """

    id = "TFX820"
    name = "aurora-serverless-v2-instance-class"
    summary = "Aurora Serverless v2 scaling only with db.serverless instances"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for cluster in module.resources("aws_rds_cluster"):
            block = cluster.block
            mode = block.get_attribute("engine_mode")
            if mode is not None and literal(mode.value) == (True, "serverless"):
                continue  # Serverless v1 has its own scaling_configuration
            scaling = block.find_blocks(SCALING)
            dynamic = any(d.label_values[:1] == [SCALING] for d in block.find_blocks("dynamic"))
            members, unknown = _members(module, cluster)
            if not members:
                continue
            classes: list[tuple[BlockRef, object]] = []
            unproven: list[BlockRef] = []
            for inst in members:
                attr = inst.block.get_attribute("instance_class")
                known, value = literal(attr.value) if attr is not None else (False, None)
                if known:
                    classes.append((inst, value))
                else:
                    unproven.append(inst)
            if not scaling and not dynamic:
                for inst, value in classes:
                    if value == SERVERLESS:
                        attr = inst.block.get_attribute("instance_class")
                        yield self.finding(inst.file, attr.value,  # type: ignore[union-attr]
                                           f"{inst.address} uses {SERVERLESS} but {cluster.address} has no "
                                           f"{SCALING}; AWS refuses to create the instance: add the block "
                                           f"(min_capacity / max_capacity) to the cluster", block=inst.block)
                continue
            if not scaling or any(v == SERVERLESS for _, v in classes):
                continue
            node = scaling[0]
            message = (f"{cluster.address} sets {SCALING}, but its instances are provisioned, not {SERVERLESS}")
            if unproven or unknown:
                names = ", ".join(i.address for i in unproven + unknown)
                detail = f" ({_describe(classes)})" if classes else ""
                yield self.finding(cluster.file, node,
                                   f"{message}{detail}; not fixed: the instance class of {names} is an expression "
                                   f"or its cluster cannot be followed; the scaling range applies only to "
                                   f"{SERVERLESS} instances: remove the block or use {SERVERLESS}", block=block)
                continue
            yield self.finding(cluster.file, node,
                               f"{message} ({_describe(classes)}): the scaling range applies to no instance; "
                               f"remove the block, or use instance_class = \"{SERVERLESS}\" if serverless was meant",
                               block=block, fix=lambda block=block, node=node: edit.remove_block(block, node),
                               description=f"remove {SCALING}")
