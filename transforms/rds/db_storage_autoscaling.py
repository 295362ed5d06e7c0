"""TFX717: RDS instances with fixed storage let storage autoscaling grow it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.transforms.lib.settings import attribute, number, text


class DbStorageAutoscaling(Rule):
    """
    ## What it does
    Reports an `aws_db_instance` with a literal `allocated_storage` whose
    `max_allocated_storage` is missing, `null` or a literal `0` (storage autoscaling off), or
    a literal that leaves no room to grow: not above `allocated_storage`, or less than 10%
    above it (AWS rejects such a threshold). The finding points at `allocated_storage` (or at
    `max_allocated_storage` when it is set). Left alone: read replicas (`replicate_source_db`;
    the provider ignores `allocated_storage` when it creates one, the size comes from the
    source), Aurora (`engine = "aurora-..."`; Aurora storage grows by itself and has no
    allocated storage), instances whose storage size or threshold is an expression, and
    instances without `allocated_storage` (restored from a snapshot). Display only.

    ## Why is this bad?
    An instance whose disk fills up stops accepting writes (`storage-full`), and growing it
    by hand takes a modification that may wait for the maintenance window and then
    optimizes storage for hours. Storage autoscaling grows the volume online when free space
    drops below 10% (seed 002 §5.3 "Enable storage autoscaling: max_allocated_storage").

    ## Example
    ```hcl
    resource "aws_db_instance" "db" {
      engine            = "postgres"
      instance_class    = "db.t4g.medium"
      allocated_storage = 100
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_db_instance" "db" {
      engine                = "postgres"
      instance_class        = "db.t4g.medium"
      allocated_storage     = 100
      max_allocated_storage = 200
    }
    ```

    ## Fix safety
    No fix: the upper bound is a cost decision (every GiB RDS adds is billed and storage never
    shrinks again), so tffix does not pick one.

    ## Deployment impact
    None (display only). Setting `max_allocated_storage` yourself is an in-place update without
    downtime; from then on the provider ignores differences in `allocated_storage`.

    ## References
    - Terraform AWS provider docs `aws_db_instance`: "Storage Autoscaling" example,
      `max_allocated_storage` ("Must be greater than or equal to `allocated_storage` or `0` to
      disable Storage Autoscaling"), `allocated_storage` ("If `replicate_source_db` is set, the
      value is ignored during the creation of the instance")
    - RDS User Guide "Managing capacity automatically with Amazon RDS storage autoscaling"
      (scales when free space is at most 10% for five minutes; the maximum storage threshold
      must be at least 10% above the allocated storage)
    - Seed 002 §5.3 (`../shared/seeds`)
    - No Checkov or Trivy check for storage autoscaling was found (Checkov's
      `checkov/terraform/checks` has no `max_allocated_storage` check)
    """

    id = "TFX717"
    name = "db-storage-autoscaling"
    summary = "RDS instances with a fixed allocated_storage must set max_allocated_storage"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_db_instance"):
            block = ref.block
            if attribute(block, "replicate_source_db") is not None:
                continue
            engine = block.get_attribute("engine")
            known_engine, engine_name = text(engine.value) if engine is not None else (True, None)
            if known_engine and engine_name and engine_name.startswith("aurora"):
                continue
            storage = attribute(block, "allocated_storage")
            known, allocated = number(storage.value) if storage is not None else (False, None)
            if storage is None or not known or allocated is None:
                continue
            limit = attribute(block, "max_allocated_storage")
            advice = "set max_allocated_storage to the most you are willing to pay for (twice the size, say)"
            if limit is None:
                yield self.finding(ref.file, storage.value, f"{ref.address} has a fixed allocated_storage = "
                                   f"{allocated} and no storage autoscaling, so a full disk stops writes; {advice}",
                                   block=block)
                continue
            known, maximum = number(limit.value)
            if not known or maximum is None:
                continue
            if maximum == 0:
                yield self.finding(ref.file, limit.value, f"{ref.address} sets max_allocated_storage = 0, which turns "
                                   f"storage autoscaling off, so a full disk stops writes; {advice}", block=block)
            elif maximum <= allocated:
                yield self.finding(ref.file, limit.value, f"{ref.address} sets max_allocated_storage = {maximum}, no "
                                   f"more than allocated_storage = {allocated}, so storage cannot grow; {advice}",
                                   block=block)
            elif maximum < allocated * 1.1:
                yield self.finding(ref.file, limit.value, f"{ref.address} sets max_allocated_storage = {maximum}, less "
                                   f"than 10% above allocated_storage = {allocated}, which AWS rejects; {advice}",
                                   block=block)
