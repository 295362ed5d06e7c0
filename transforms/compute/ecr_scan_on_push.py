"""TFX802: ECR repositories scan images for vulnerabilities when they are pushed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_ALWAYS, IMPACT_IN_PLACE, SAFE, Finding, Rule
from tffix.syntax.build import NewBlock
from tffix.transforms.lib.settings import (
    add_nested_block,
    dynamic_findings,
    nested,
    setting_findings,
)

SCANNING = "image_scanning_configuration"
CASE = (SAFE, IMPACT_IN_PLACE)
WHY = "pushed images are not scanned for known vulnerabilities"


class EcrScanOnPush(Rule):
    """
    ## What it does
    Turns on scan on push for `aws_ecr_repository`: a repository without an
    `image_scanning_configuration` block gets `image_scanning_configuration { scan_on_push =
    true }`, and `scan_on_push = false` (or `null`) becomes `true`. A `dynamic
    "image_scanning_configuration"` block counts as the block being there; its `content` is
    fixed the same way.

    Left alone: every repository of a module that configures registry-level scanning
    (`aws_ecr_registry_scanning_configuration`): the registry configuration then decides
    what is scanned (enhanced scanning ignores the repository setting). Reported without a
    fix: `scan_on_push` from an expression.

    ## Why is this bad?
    Without scanning, images with known CVEs in their OS packages reach production unnoticed.
    Basic scanning on push is free and reports findings per image. Seed 003 (ECS tasks
    pulling from ECR) and seed 000 §1 ("Incomplete Security Implementation") are where it
    is missing.

    ## Example
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"

      image_scanning_configuration {
        scan_on_push = true
      }
    }
    ```

    ## Fix safety
    **Safe.** Scanning reads the pushed image asynchronously; pushes and pulls are not
    delayed or blocked, and basic scanning has no charge. Nothing acts on the findings
    unless you add something that does.

    ## Deployment impact
    In-place update (`PutImageScanningConfiguration`); the repository and its images stay.

    ## References
    - Terraform AWS provider source, `internal/service/ecr/repository.go`:
      `image_scanning_configuration` (Optional, MaxItems 1; `scan_on_push` Required bool),
      updated in place
    - Amazon ECR User Guide, "Scan images for software vulnerabilities" (basic scanning,
      registry-level scanning configuration)
    - Checkov CKV_AWS_163 (`checkov/terraform/checks/resource/aws/ECRImageScanning.py`);
      Trivy AWS-0030 (`checks/cloud/aws/ecr/enable_image_scans.rego`)
    """

    id = "TFX802"
    name = "ecr-scan-on-push"
    summary = "ECR repositories must scan images on push"
    fix_availability = FIX_ALWAYS
    safety = SAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_163",)
    trivy = ("AWS-0030",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        if any(module.resources("aws_ecr_registry_scanning_configuration")):
            return
        for ref in module.resources("aws_ecr_repository"):
            block = ref.block
            static, dynamic = nested(block, SCANNING)
            if not static and not dynamic:
                yield self.finding(
                    ref.file, block, f"{ref.address} has no {SCANNING}: {WHY}", block=block,
                    fix=lambda b=block: add_nested_block(b, NewBlock(SCANNING, body={"scan_on_push": True})),
                    description=f"add {SCANNING} {{ scan_on_push = true }}",
                )
            for scanning in static:
                yield from setting_findings(self, ref, scanning, "scan_on_push", True, missing=CASE, wrong=CASE,
                                            where=SCANNING, why=WHY)
            for dyn in dynamic:
                yield from dynamic_findings(self, ref, dyn, "scan_on_push", True, missing=CASE, wrong=CASE, why=WHY)
