"""TFX510: the S3 backend encrypts the state it writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix import edit
from tffix.engine.module import Module
from tffix.engine.rules import FIX_SOMETIMES, IMPACT_NONE, UNSAFE, Finding, Rule, literal
from tffix.transforms.lib.backends import AFTER, REINIT, s3_backends


class BackendS3Encrypt(Rule):
    """
    ## What it does
    Sets `encrypt = true` in `backend "s3"` blocks: a missing `encrypt` is added (after
    `region`, `key` or `bucket`), a literal `false` becomes `true`. Partial configurations
    (`backend "s3" {}` completed with `-backend-config`) get it too: values passed at init
    still take precedence.

    ## Why is this bad?
    The state holds every secret Terraform has seen (database passwords, private keys,
    tokens) in plain text. With `encrypt = true` the backend asks S3 for server-side
    encryption of the state object on every write (SSE-S3, or SSE-KMS with `kms_key_id`),
    whatever the bucket's own default is, so a state bucket that someone reconfigured
    without default encryption still gets an encrypted state (seed 000 "State Configuration
    Problems", seed 002 §1.2).

    ## Example
    ```hcl
    terraform {
      backend "s3" {
        bucket = "acme-terraform-state"
        key    = "prod/terraform.tfstate"
        region = "us-east-1"
      }
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      backend "s3" {
        bucket  = "acme-terraform-state"
        key     = "prod/terraform.tfstate"
        region  = "us-east-1"
        encrypt = true
      }
    }
    ```

    ## Fix safety
    **Unsafe**: SSE-S3 needs no extra permission and readers of the state cannot tell the
    difference, but terraform compares the backend block with the one a working directory
    was initialized with: in every directory already initialized (each clone, a CI cache),
    `terraform plan` then stops with "Backend initialization required" and a plain
    `terraform init` with "Backend configuration changed", until someone runs
    `terraform init -reconfigure` there once (the state stays where it is; nothing
    migrates). The fix message says so. A fresh checkout initializes as before. An
    `encrypt` that is not a literal (backends accept none, but tffix does not guess) is
    reported without a fix.

    ## Deployment impact
    None on infrastructure: only how the state object is written changes.

    ## References
    - Terraform docs, "Backend Type: s3" (`encrypt`: "Enable server side encryption of the
      state file"; `kms_key_id`)
    - hashicorp/terraform `internal/command/meta_backend.go`, `backendFromConfig`: a backend
      block that differs from the saved one fails every command but init ("Backend
      initialization required"), and init without `-migrate-state` / `-reconfigure`
      ("Backend configuration changed", `migrateOrReconfigDiag`); checked with terraform
      1.11 on a `local` backend
    - Seed 000 "State Configuration Problems", seed 002 §1.2 (`../shared/seeds`)
    - No Checkov or Trivy check reads backend blocks
    """

    id = "TFX510"
    name = "backend-s3-encrypt"
    summary = "S3 backends set encrypt = true"
    fix_availability = FIX_SOMETIMES
    safety = UNSAFE
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref, backend in s3_backends(module):
            attr = backend.get_attribute("encrypt")
            fix = lambda backend=backend: edit.set_attribute(backend, "encrypt", True, after=AFTER)  # noqa: E731
            if attr is None:
                yield self.finding(ref.file, backend, 'backend "s3" does not set encrypt; the state is written '
                                   "without requesting server-side encryption", block=ref.block, fix=fix,
                                   description="add encrypt = true" + REINIT)
                continue
            known, value = literal(attr.value)
            if not known:
                yield self.finding(ref.file, attr.value, 'backend "s3" sets encrypt from an expression; make sure '
                                   "it is true", block=ref.block)
            elif value not in (True, "true"):
                yield self.finding(ref.file, attr.value, 'backend "s3" sets encrypt = false; the state holds '
                                   "secrets in plain text", block=ref.block, fix=fix,
                                   description="set encrypt = true" + REINIT)
