"""TFX901: files must be laid out exactly as terraform fmt writes them."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from tffix.engine.module import Module, SourceFile
from tffix.engine.rules import FIX_ALWAYS, IMPACT_NONE, SAFE, Finding, Position, Rule
from tffix.syntax import cst
from tffix.syntax.format import format_pieces, format_tree, formatted_code


def first_difference(before: str, after: str) -> int:
    """1-based number of the first line of ``before`` that ``after`` changes."""
    a, b = before.splitlines(True), after.splitlines(True)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i + 1
    return min(len(a), len(b)) + 1 if len(a) != len(b) else max(len(a), 1)


class TerraformFmt(Rule):
    """
    ## What it does
    Rewrites each `.tf` and `.tfvars` file to what `terraform fmt` writes for it, without the
    terraform binary: two-space indentation by bracket depth, hclwrite's spacing between
    tokens, `=` aligned across consecutive single-line arguments, same-line comments aligned,
    trailing spaces and tabs removed, heredoc bodies, strings and comments untouched; plus
    terraform's own rewrites: `"${var.x}"` becomes `var.x`, legacy `type = "string"` /
    `"list"` / `"map"` become `string` / `list(string)` / `map(string)` (bare `list`, `map`,
    `set` get `(any)`), and block labels are quoted. One finding per file, on the first line
    that changes. Opt-in: it runs only when selected (`--select TFX901`, or `tffix fmt`).

    The output is byte for byte terraform's (checked against `terraform fmt` on the
    conformance cases and on 3,500 files of public modules), except where terraform loses
    information or writes invalid code: tffix keeps comments between block labels and labels
    containing `$` or `%` (terraform deletes them), unwraps nested interpolations in one run,
    keeps an interpolation valid where terraform's unwrapping breaks it, and drops spaces after
    the last newline. The option `terraform-compat = true` turns these off for output that is
    identical to terraform's in every case. See docs/formatting.md.

    ## Why is this bad?
    Unformatted code fails `terraform fmt -check` in CI and buries real changes in whitespace
    noise in reviews. Seed 001 §4 ("Unformatted Terraform Code", high severity) lists
    unformatted `main.tf`, module and `.tfvars` files: "Blocks lint CI/CD pipeline", "Reduces
    code readability and maintainability", "Standard practice violation".

    ## Example
    ```hcl
    resource aws_s3_bucket logs {
    bucket="${var.prefix}-logs"
        force_destroy = true # test only
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_s3_bucket" "logs" {
      bucket        = "${var.prefix}-logs"
      force_destroy = true # test only
    }
    ```

    ## Fix safety
    **Safe.** Only layout changes, and terraform's own rewrites, which Terraform evaluates
    the same way: an interpolation-only string `"${x}"` and `x` (Terraform converts the value
    to the argument's type either way; terraform fmt has made this rewrite since 0.12), a
    legacy quoted type constraint and its modern form, an unquoted label and its quoted form.
    Files that do not parse are never touched.

    ## Deployment impact
    None: the configuration means the same, so a plan shows no change.

    ## References
    - `terraform fmt` (Terraform v1.11): `internal/command/fmt.go` in hashicorp/terraform (the
      rewrites) and `hclwrite/format.go` in hashicorp/hcl v2.23 (the layout), read for this rule
    - Terraform docs, "Command: fmt" and the Terraform style guide
    - Seed 001 §4 "Unformatted Terraform Code"; docs/formatting.md (measurements, differences)
    - No Checkov, Trivy or KICS check covers formatting (linters such as tflint defer to
      `terraform fmt -check`)
    """

    id = "TFX901"
    name = "terraform-fmt"
    summary = "Files must be formatted exactly as terraform fmt writes them"
    fix_availability = FIX_ALWAYS
    safety = SAFE
    default_enabled = False  # reformatting is opt-in: `--select TFX901` or `tffix fmt`
    impact = IMPACT_NONE
    options = {"terraform-compat": False}
    without_configuration = True  # `terraform fmt` formats a directory of .tfvars files too
    lazy_trees = True  # a large file is checked a run of top-level items at a time (format_pieces)

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        compat = bool(options.get("terraform-compat", False))
        for sf in [*module.files, *module.tfvars]:
            lazy = isinstance(sf.tree.body, cst.LazyBody)
            if lazy:  # a large file: a run of items at a time, nothing built (format_pieces)
                line = _first_changed_line(format_pieces(sf.tree, compat=compat))
                if line is None:
                    continue
            else:
                text = sf.tree.code
                formatted = formatted_code(sf.tree, compat=compat)
                if formatted == text:
                    continue
                line = first_difference(text, formatted)
            yield self.finding(
                sf, Position(line, 1), f"{sf.display} is not formatted as terraform fmt writes it "
                f"(first difference on line {line})",
                fix=lambda f=sf: _format(f, compat), description="format the file like terraform fmt",
                scope=(sf.tree,) if lazy else (sf.tree, *sf.tree.body.items),
            )


def _first_changed_line(pieces: Iterator[tuple[str, str]]) -> int | None:
    """``first_difference(text, formatted)`` from consecutive (text, formatted) pieces of
    the two, read in step line by line (None: no difference), holding only the lines one
    side has read ahead of the other."""
    a: deque[str] = deque()
    b: deque[str] = deque()
    same = 0  # lines equal so far
    for before, after in pieces:
        if before == after and not a and not b:
            same += len(before.splitlines())
            continue
        a.extend(before.splitlines(True))
        b.extend(after.splitlines(True))
        while a and b:
            if a.popleft() != b.popleft():
                return same + 1
            same += 1
    if a or b:
        return same + 1
    return None


def _format(sf: SourceFile, compat: bool) -> None:
    format_tree(sf.tree, compat=compat)
