"""TFX803: ECR image tags cannot be overwritten."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_IN_PLACE, UNSAFE, Finding, Rule
from tffix.transforms.lib.settings import setting_findings, text

IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


class EcrImmutableTags(Rule):
    """
    ## What it does
    Sets `image_tag_mutability = "IMMUTABLE"` on `aws_ecr_repository`: a missing argument
    (the provider's default is `MUTABLE`), `null` or a literal `"MUTABLE"` becomes
    `"IMMUTABLE"`. `IMMUTABLE_WITH_EXCLUSION` counts as immutable.

    Reported without a fix: `MUTABLE_WITH_EXCLUSION` (mutable except for the tags its
    exclusion filters name: turning it around means rewriting those filters) and a value
    from an expression.

    ## Why is this bad?
    With mutable tags, `app:1.4.2` can be overwritten by a later push: a deployment that
    references the tag can silently run different code than the one that was reviewed and
    scanned, and an attacker with push rights can replace a released image in place. Seed
    003 (ECS tasks pulling `...:latest`) and seed 000 §1 ("Incomplete Security
    Implementation") are where it shows.

    ## Example
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_repository" "app" {
      name                 = "app"
      image_tag_mutability = "IMMUTABLE"
    }
    ```
    Tag images with something unique (the commit SHA, a version) and deploy by tag or
    digest.

    ## Fix safety
    **Unsafe.** Pipelines that push the same tag again (`latest`, `dev`, a branch name) fail
    with `ImageTagAlreadyExistsException` once the repository is immutable. Change the
    pipeline to unique tags first, or keep a mutable tag with
    `IMMUTABLE_WITH_EXCLUSION` and an exclusion filter for it.

    ## Deployment impact
    In-place update (`PutImageTagMutability`); existing images and tags stay.

    ## References
    - Terraform AWS provider source, `internal/service/ecr/repository.go`:
      `image_tag_mutability` (Optional, Default `MUTABLE`; `MUTABLE`, `IMMUTABLE`,
      `IMMUTABLE_WITH_EXCLUSION`, `MUTABLE_WITH_EXCLUSION`), updated in place
    - Amazon ECR User Guide, "Preventing image tags from being overwritten"
    - Checkov CKV_AWS_51 (`checkov/terraform/checks/resource/aws/ECRImmutableTags.py`);
      Trivy AWS-0031 (`checks/cloud/aws/ecr/enforce_immutable_repository.rego`)
    """

    id = "TFX803"
    name = "ecr-immutable-tags"
    summary = "ECR repositories must set image_tag_mutability = \"IMMUTABLE\""
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_IN_PLACE
    checkov = ("CKV_AWS_51",)
    trivy = ("AWS-0031",)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.resources("aws_ecr_repository"):
            attr = ref.block.get_attribute("image_tag_mutability")
            known, value = text(attr.value) if attr is not None else (True, None)
            wrong = None if known and value == "MUTABLE_WITH_EXCLUSION" else (UNSAFE, IMPACT_IN_PLACE)
            for f in setting_findings(self, ref, ref.block, "image_tag_mutability", "IMMUTABLE", read=text,
                                      ok=lambda v: v in IMMUTABLE, missing=(UNSAFE, IMPACT_IN_PLACE), wrong=wrong,
                                      why="pushed tags can be overwritten"):
                if f.fix is not None:
                    f.fix.description += " (pipelines that re-push a tag such as latest will fail)"
                elif wrong is None:
                    f.message += "; rewrite the exclusion filters for IMMUTABLE_WITH_EXCLUSION"
                yield f
