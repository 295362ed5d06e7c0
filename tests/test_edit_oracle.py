"""Oracle: edits made with the edit API to fmt-clean files stay fmt-clean.

Every conformance case terraform calls formatted (rc 0) gets, on each body in
it (the file and every block), four edits: a short new attribute, a long one
(re-aligning the run), a nested block, and the removal of the first
attribute. All outputs go to one directory and one `terraform fmt -check`
call judges them.
"""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import tffix
from tffix import edit
from tffix.syntax import cst

from .conftest import TERRAFORM, cases_dir, needs_terraform

EDITS: dict[str, Callable[[cst.File | cst.Block], None]] = {
    "short": lambda o: edit.set_attribute(o, "z", 1),
    "long": lambda o: edit.set_attribute(o, "a_much_longer_attribute_name", "v"),
    "block": lambda o: edit.append_block(o, tffix.NewBlock("extra", body={"k": True, "kk": [1, 2]})),
    "remove": lambda o: o.body.attributes and edit.remove_attribute(o, o.body.attributes[0].name),
}


def _owners(tree: cst.File) -> Iterator[cst.File | cst.Block]:
    yield tree
    for node in tree.walk():
        if isinstance(node, cst.Block):
            yield node


def _fmt_clean_cases() -> list[Path]:
    root = cases_dir()
    with (root / "verdicts.tsv").open(newline="") as f:
        return [root / r["file"] for r in csv.DictReader(f, delimiter="\t") if r["terraform_fmt_check_rc"] == "0"]


def _edited(text: str) -> Iterator[tuple[str, str]]:
    count = sum(1 for _ in _owners(tffix.parse(text)))
    for i in range(count):
        for kind, change in EDITS.items():
            tree = tffix.parse(text)
            change(list(_owners(tree))[i])
            out = tree.code
            if out != text:
                yield f"{i}_{kind}", out


@needs_terraform
def test_edits_of_fmt_clean_cases_stay_fmt_clean(tmp_path: Path) -> None:
    written = 0
    for case in _fmt_clean_cases():
        for label, out in _edited(case.read_text(encoding="utf-8")):
            assert tffix.parse(out).code == out
            (tmp_path / f"{case.stem}__{label}.tf").write_text(out, encoding="utf-8")
            written += 1
    assert written > 150
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    proc = subprocess.run([TERRAFORM, "fmt", "-check", "-list=true", "-no-color", str(tmp_path)],
                          capture_output=True, text=True, env=env)
    not_clean = sorted(Path(line).name for line in proc.stdout.splitlines() if line.strip())
    assert not_clean == [] and proc.returncode == 0, not_clean


def test_every_case_can_be_edited_and_reparsed() -> None:
    """The same edits without terraform: the output always parses again."""
    for case in _fmt_clean_cases():
        for _, out in _edited(case.read_text(encoding="utf-8")):
            assert tffix.parse(out).code == out

