"""TFX513: backend configuration holds real values, not placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module, SourceFile
from tffix.engine.rules import (
    DISPLAY_ONLY,
    FIX_NEVER,
    IMPACT_NONE,
    Finding,
    Rule,
    literal,
)
from tffix.syntax import cst

# a word in angle brackets: <bucket-name>, <YOUR S3 BUCKET>, <<storage_account_name>>
ANGLE = re.compile(r"<[^<>]*[A-Za-z][^<>]*>")
# whole words, any case
WORDS = {"changeme": "CHANGE_ME", "replaceme": "REPLACE_ME", "placeholder": "placeholder", "your": "your-..."}
PAIRS = {("change", "me"): "CHANGE_ME", ("replace", "me"): "REPLACE_ME", ("fill", "me"): "FILL_ME",
         ("insert", "here"): "INSERT_HERE"}
# "your" glued to a noun: yourbucket, YOUR_COMPANY is caught by "your" already
YOUR_NOUN = re.compile(r"your(bucket|company|org|organization|name|project|account|team|app|table|state|region|key)s?")
# upper-case only, so "todo-app-state" stays a real name
UPPER = {"TODO", "FIXME", "TBD", "ACCOUNT_ID", "ACCOUNTID", "KEY_ID", "BUCKET_NAME", "TABLE_NAME"}
HERE_NOUNS = {"name", "bucket", "table", "key", "value", "id", "region", "path"}
# the example values of Terraform's S3 backend documentation, copied verbatim
DOC_EXAMPLES = {"mybucket", "path/to/my/key"}
DOC_ACCOUNT = "123456789012"  # the account id of AWS documentation examples
WHY_INIT = "terraform init fails or, worse, reaches a bucket someone else owns"


def placeholder(value: str) -> str | None:
    """What marks ``value`` as a placeholder, or None for a value that may be real."""
    if (m := ANGLE.search(value)) is not None:
        return m[0]
    if value in DOC_EXAMPLES:
        return f"{value!r}, the example value of the Terraform documentation"
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+", value) if t]
    lower = [t.lower() for t in tokens]
    for token, low in zip(tokens, lower):
        if low in WORDS:
            return WORDS[low]
        if YOUR_NOUN.fullmatch(low):
            return token
        if re.fullmatch(r"x{3,}", low):
            return token
        if token == DOC_ACCOUNT:
            return f"{DOC_ACCOUNT}, the account id of AWS documentation examples"
        if token in UPPER:
            return token
    for pair, shown in PAIRS.items():
        if any(tuple(lower[i:i + 2]) == pair for i in range(len(lower) - 1)):
            return shown
    for upper in UPPER:  # ACCOUNT_ID splits into two tokens
        if "_" in upper and re.search(rf"(^|[^A-Za-z0-9]){upper}($|[^A-Za-z0-9])", value):
            return upper
    if len(lower) >= 2 and lower[-1] == "here" and lower[-2] in HERE_NOUNS:
        return "_".join(tokens[-2:])
    return None


def _strings(node: cst.Node) -> Iterator[tuple[cst.Node, str]]:
    """The plain string literals in an argument's value (lists and maps included)."""
    for n in node.walk():
        if isinstance(n, cst.Template):
            known, value = literal(n)
            if known and isinstance(value, str):
                yield n, value


def _attributes(block: cst.Block, where: str) -> Iterator[tuple[str, cst.Attribute]]:
    for attr in block.body.attributes:
        yield where, attr
    for inner in block.body.items:
        if isinstance(inner, cst.Block):
            yield from _attributes(inner, f"{where} {inner.type}")


def _backend_tfvars(f: SourceFile) -> bool:
    """A ``.tfvars`` file meant for ``terraform init -backend-config``: its name says
    ``backend``, or it sets both ``bucket`` and ``key``."""
    names = {a.name for a in f.tree.body.attributes}
    return "backend" in f.path.name.lower() or {"bucket", "key"} <= names


class BackendConfigPlaceholder(Rule):
    """
    ## What it does
    Reports placeholder values in the backend configuration: in `terraform { backend "..."
    { } }` and `terraform { cloud { } }` blocks (every argument, nested blocks such as
    `assume_role` and `workspaces` included), and in the module's `.tfvars` files meant for
    `terraform init -backend-config=...` (the file name contains `backend`, or the file sets
    both `bucket` and `key`). tffix reads `.tf`, `.tofu` and `.tfvars` files only, so
    `*.tfbackend` and `backend.hcl` files are not checked. A value is a placeholder when it
    contains:

    - a word in angle brackets: `<bucket-name>`, `<YOUR S3 BUCKET>`, `<<storage_account>>`;
    - the words `changeme`, `change_me`, `replace_me`, `replaceme`, `fill_me`, `insert_here`,
      `placeholder`, or `your` (`your-terraform-state-bucket`, `YOUR_BUCKET`,
      `yourcompany-tfstate`), in any case;
    - a word of three or more `x` (`terraform-state-xxxx`);
    - upper-case markers: `TODO`, `FIXME`, `TBD`, `ACCOUNT_ID`, `KEY_ID`, `BUCKET_NAME`,
      `TABLE_NAME` (lower-case `todo` is a real name: `todo-app-state`);
    - a noun followed by `here` (`bucket_name_here`, `table_name_here`);
    - the AWS documentation account id `123456789012`;
    - or is exactly `mybucket` or `path/to/my/key`, the example values of Terraform's S3
      backend documentation.

    Names that merely look generic (`my-terraform-state`, `terraform-state`,
    `example-bucket`) may be real and are not reported, nor are empty strings (a partial
    configuration completed at init). Display only.

    ## Why is this bad?
    Seed 003 §10 "Missing Backend Configuration Details": the backend files hold
    `"<your-terraform-state-bucket>"` and `"<your-terraform-lock-table>"`, so nobody can run
    `terraform init` without first finding out, creating and filling in the real state
    bucket and lock table. A placeholder that happens to be a valid bucket name is worse:
    S3 bucket names are global, and state could be read from or written to a bucket another
    account owns. Backend blocks cannot use variables, so the value has to be right in the
    file or be passed at init.

    ## Example
    ```hcl
    terraform {
      backend "s3" {
        bucket         = "<your-terraform-state-bucket>"
        key            = "dev/terraform.tfstate"
        region         = "us-east-1"
        dynamodb_table = "<your-terraform-lock-table>"
      }
    }
    ```

    ## Use instead
    ```hcl
    terraform {
      backend "s3" {
        key    = "dev/terraform.tfstate"
        region = "us-east-1"
      }
    }
    ```
    and `terraform init -backend-config=backend-dev.tfvars` with the real
    `bucket = "payments-terraform-state-dev"` (and the lock settings) in that file, created
    by a bootstrap configuration or script that the README points to.

    ## Fix safety
    No fix: only the owner knows the real bucket, table or organization.

    ## Deployment impact
    None (display only).

    ## References
    - Terraform docs, "Backend configuration" (backend blocks cannot refer to variables;
      partial configuration with `-backend-config` files and key/value pairs) and the S3
      backend page (its example uses `bucket = "mybucket"`, `key = "path/to/my/key"`)
    - AWS documentation examples use the account id `123456789012`; Amazon S3 User Guide,
      "Bucket naming rules" (names are unique across all accounts)
    - Seed 003 §10 (`../shared/seeds`); related: TFX512 (bucket and table hard-coded at all)
    - No Checkov or Trivy check reads backend values
    """

    id = "TFX513"
    name = "backend-config-placeholder"
    summary = "Backend configuration holds real values, not placeholders"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        for ref in module.terraform_blocks():
            for inner in ref.block.body.items:
                if not isinstance(inner, cst.Block) or inner.type not in ("backend", "cloud"):
                    continue
                label = f'backend "{inner.label_values[0]}"' if inner.type == "backend" and inner.labels else inner.type
                for where, attr in _attributes(inner, label):
                    for node, value in _strings(attr.value):
                        mark = placeholder(value)
                        if mark is None:
                            continue
                        yield self.finding(ref.file, node,
                                           f"terraform {where} sets {attr.name} = {value!r}, a placeholder ({mark}): "
                                           f"{WHY_INIT}; write the real value, or leave it out and pass it with "
                                           f"terraform init -backend-config", block=ref.block)
        for f in module.tfvars:
            if not _backend_tfvars(f):
                continue
            for attr in f.tree.body.attributes:
                for node, value in _strings(attr.value):
                    mark = placeholder(value)
                    if mark is None:
                        continue
                    yield self.finding(f, node,
                                       f"{f.display} sets {attr.name} = {value!r}, a placeholder ({mark}) in backend "
                                       f"configuration for terraform init -backend-config: {WHY_INIT}; write the "
                                       f"real value")
