"""What rules rule out before walking (``transforms/lib/written.py``) never changes what they find.

* ``plain(block)``: a plain block's walk holds no node any rule walks for, and ``written``
  (which reads a plain block's values instead of walking it) gives what the walk gives;
* the file-text filters: each function that returns early for a file whose text does not
  spell a word returns the same as when the text spells every such word (the filter off:
  only the text is padded, the tree is the same), on every rule's docs examples, the
  examples directory and strings that spell the words only through escapes or holes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from tffix.engine.engine import parse_module_texts
from tffix.engine.module import Module, SourceFile
from tffix.engine.rules import rule_examples
from tffix.syntax import cst
from tffix.transforms.cost import non_production_instance_size as tfx831
from tffix.transforms.iam import hardcoded_account_id as tfx311
from tffix.transforms.lib import features, policies
from tffix.transforms.lib.written import WRITTEN, plain, written
from tffix.transforms.registry import RULES
from tffix.transforms.terraform import hardcoded_resource_ids as tfx823
from tffix.transforms.terraform import provider_missing as tfx504
from tffix.transforms.terraform import provider_region_config as tfx506
from tffix.transforms.terraform import tag_consistency as tfx807
from tffix.transforms.terraform import undeclared_reference as tfx520

ROOT = Path(__file__).parent.parent

# each spells a word a filter looks for only through an escape, a hole or a case
TRICKY = {
    "escapes.tf": '''
resource "aws_iam_policy" "p" {
  policy = "{\\"\\u0053tatement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"*\\", \\"Resource\\": \\"*\\"}]}"
  arn    = "arn:aws:iam::\\u0031\\u0032\\u0033\\u0034\\u0035\\u0036\\u0037\\u0038\\u0039\\u0030\\u0031\\u0032:root"
}

resource "aws_instance" "i" {
  ami           = "\\u0061mi-0123456789abcdef0"
  instance_type = "m5.\\u0078large"
}
''',
    "holes.tf": '''
resource "aws_iam_policy" "q" {
  policy = <<EOF
{"State${var.s}ment": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOF
  name   = "arn:aws:iam::123456${var.x}789012:root"
}

resource "aws_db_instance" "d" {
  instance_class = "db.m5.X${var.size}LARGE"
}
''',
    "cases.tf": '''
locals {
  Common_TAGS = { Environment = "dev" }
}

resource "aws_instance" "j" {
  instance_type = "M5.XLARGE"
  Tags          = { Name = "j" }
}

resource "aws_elasticache_cluster" "c" {
  node_type = "cache.r6g.Metal"
}

resource "aws_ssm_document" "d" {
  document_type = "Command"
  content       = <<EOT
plain text
EOT
}
''',
}

# what the filters look for, all at once: a text that ends so turns every filter off
EVERY_WORD = ("\n# jsonencode Statement aws_iam_policy_document for dynamic provider tags _wo ami- sg- subnet- "
              "\\ 123456789012 xlarge metal\n")


def _modules() -> list[tuple[str, Module]]:
    texts: list[tuple[str, dict[str, str]]] = [("tricky", TRICKY)]
    for rule in RULES:
        for n, files in enumerate(rule_examples(rule)):
            texts.append((f"{rule.id}-{n}", {k: v for k, v in files.items() if "/" not in k}))
    for directory in sorted((ROOT / "examples").rglob("*")):
        if directory.is_dir():
            found = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.tf"))}
            if found:
                texts.append((str(directory.relative_to(ROOT)), found))
    return [(name, parse_module_texts(".", files)) for name, files in texts if files]


MODULES = _modules()


# what is read per file behind a text filter, as a list
FILE_READS: list[Callable[[Module, SourceFile], object]] = [
    lambda module, sf: list(policies._file_statements(module, sf)),
    tfx520._bound_in, tfx311._scan_file, tfx807._keys,
    lambda module, sf: list(tfx506._selections(module, sf)),
]


def _both(sf: SourceFile, compute: Callable[[], object]) -> tuple[object, object]:
    """``compute()`` as the file is, then with its text padded with every word (the filters off)."""
    text = sf.text
    first = compute()
    sf.text = text + EVERY_WORD
    try:
        return first, compute()
    finally:
        sf.text = text


def test_plain_blocks_hold_nothing_to_walk_for_and_written_reads_them_as_the_walk() -> None:
    looked_for = (cst.FunctionCall, cst.Traversal, cst.Variable, cst.Heredoc, cst.Interpolation, cst.ForIntro,
                  cst.TemplateFor, cst.TemplateIf)
    seen = {True: 0, False: 0}
    for _, module in MODULES:
        for ref in module.blocks():
            block = ref.block
            nodes = list(block.walk())
            flat = plain(block)
            seen[flat] += 1
            if flat:
                assert not [n for n in nodes if isinstance(n, looked_for)], block.code
                assert [n for n in nodes if isinstance(n, cst.Block)] == [block]
            for classes in (WRITTEN, cst.FunctionCall, cst.Template, (cst.Template, cst.Heredoc)):
                assert written(module, block, classes) == [n for n in nodes if isinstance(n, classes)]
    assert seen[True] > 10 and seen[False] > 10  # both kinds are read


@pytest.mark.parametrize("name,module", MODULES, ids=[name for name, _ in MODULES])
def test_file_text_filters_change_nothing(name: str, module: Module) -> None:
    for sf in module.files:
        for read in FILE_READS:
            now, off = _both(sf, partial(read, module, sf))
            assert now == off, read
        for ref in module.blocks_of(sf):
            block = ref.block
            if not tfx823._may_spell_ids(sf.text):
                assert tfx823._ids_in(module, block) == []
            assert tfx504._block_uses(block, "provider" in sf.text) == tfx504._block_uses(block, True)
            for experiment in (False, True):
                assert features._item_uses(module, sf, block, experiment, "_wo" in sf.text) == \
                    features._item_uses(module, sf, block, experiment, True)
            if not tfx520._references(module, block):
                assert not [n for n in block.walk() if isinstance(n, cst.Traversal)
                            and not _under_skipped(n, block)]
        for threshold in (1, 2, 10**6):
            if not tfx831._may_spell_size(sf.text, threshold):
                for ref in module.blocks_of(sf):
                    for node in ref.block.walk():
                        if tfx831._is_literal(node):
                            known, value = tfx831.literal(node)
                            rank = tfx831.type_rank(value) if known and isinstance(value, str) else None
                            assert rank is None or rank < threshold, (node.code, threshold)


def _under_skipped(trav: cst.Node, block: cst.Block) -> bool:
    return any(trav is n for a in tfx520._skipped_arguments(block) for n in a.walk())


def test_the_tricky_files_keep_the_words_out_of_their_text() -> None:
    """Each tricky file keeps out of its text the words a filter looks for (else the filter
    would be off for it, and it would test nothing)."""
    text = "".join(TRICKY.values())
    assert "Statement" not in text and "jsonencode" not in text
    assert not tfx311._may_spell_ids(TRICKY["holes.tf"])
    assert not tfx831._may_spell_size(TRICKY["holes.tf"], 1)
    assert tfx831._may_spell_size(TRICKY["cases.tf"], 1)  # in another case: still spelled
    assert "tags" in TRICKY["cases.tf"].lower()
