"""TFX401 lambda-archive-file (and the ``before=`` option of append_block it uses)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import tffix
from tffix import edit
from tffix.syntax.build import NewBlock
from tffix.transforms.serverless.lambda_archive_file import LambdaArchiveFile as R

from .rulekit import check_fix, findings, fix, unchanged

PROVIDERS = """\
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
"""


def lay_out(root: Path, files: dict[str, str], zips: dict[str, dict[str, str]] | None = None) -> str:
    """Write source files and zips (member -> content) under ``root``; returns it as a str."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for name, members in (zips or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as zf:
            for member, text in members.items():
                zf.writestr(member, text)
    return str(root)


def fn(name: str, filename: str, hash_: str | None = None, for_each: str | None = None) -> str:
    """A function block laid out like terraform fmt."""
    attrs = [("for_each", for_each)] if for_each else []
    attrs.append(("filename", filename))
    if hash_ is not None:
        attrs.append(("source_code_hash", hash_))
    attrs += [("function_name", f'"{name}"'), ("handler", '"index.handler"')]
    width = max(len(k) for k, _ in attrs)
    body = "".join(f"  {k.ljust(width)} = {v}\n" for k, v in attrs)
    return f'resource "aws_lambda_function" "{name}" {{\n{body}}}\n'


# ---- the seed and the three ways to find sources -----------------------------------------

SEED = PROVIDERS + """
resource "aws_lambda_function" "main" {
  filename         = "${path.module}/lambda/function.zip"
  source_code_hash = filebase64sha256("${path.module}/lambda/function.zip")
  function_name    = "api"
  handler          = "index.handler"
  runtime          = "python3.12"
}
"""


def test_seed_001_lone_file_in_zip_directory(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "def handler(e, c):\n    return 1\n"})
    diff = check_fix(R, SEED, directory=d)
    assert 'source_file = "${path.module}/lambda/index.py"' in diff
    assert 'output_path = "${path.module}/lambda/function.zip"' in diff
    assert diff == snapshot


def test_same_named_directory(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "x = 1\n", "lambda/lib/util.py": "y = 2\n", "handler.py": "z\n"})
    text = fn("api", '"lambda.zip"', 'filebase64sha256("lambda.zip")')
    out, result = fix(R, text, directory=d)
    assert out["main.tf"] == (
        'data "archive_file" "api" {\n'
        '  type        = "zip"\n'
        '  source_dir  = "lambda"\n'
        '  output_path = "lambda.zip"\n'
        "}\n\n"
        'resource "aws_lambda_function" "api" {\n'
        "  filename         = data.archive_file.api.output_path\n"
        "  source_code_hash = data.archive_file.api.output_base64sha256\n"
        '  function_name    = "api"\n'
        '  handler          = "index.handler"\n'
        "}\n"
    )
    assert result.fixed[0].message.endswith('from lambda (lambda.zip does not exist yet)')
    assert check_fix(R, text, directory=d) == snapshot


def test_lone_source_file_with_the_same_stem(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"handler.js": "exports.handler = 1\n", "handler.test.txt": "no\n"},
                {"handler.zip": {"handler.js": "exports.handler = 1\n"}})
    text = fn("api", '"${path.module}/handler.zip"', 'filebase64sha256("${path.module}/handler.zip")')
    _, result = fix(R, text, directory=d)
    assert "handler.zip holds the same files" in result.fixed[0].message
    assert check_fix(R, text, directory=d) == snapshot


def test_zip_directory_with_several_files_uses_source_dir_and_excludes(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"src/index.py": "a\n", "src/lib/util.py": "b\n"},
                {"src/function.zip": {"index.py": "a\n", "lib/util.py": "b\n"}})
    text = fn("api", '"${path.module}/src/function.zip"', 'base64sha256(filebase64("${path.module}/src/function.zip"))')
    diff = check_fix(R, text, directory=d)
    assert 'source_dir  = "${path.module}/src"' in diff and 'excludes    = ["function.zip"]' in diff
    assert diff == snapshot


def test_same_named_directory_wins_over_lone_file(tmp_path) -> None:
    d = lay_out(tmp_path, {"fn/index.py": "a\n", "fn.py": "b\n"})
    out, _ = fix(R, fn("api", '"fn.zip"'), directory=d)
    assert 'source_dir  = "fn"' in out["main.tf"]


def test_two_lone_files_are_ambiguous_and_skipped(tmp_path) -> None:
    d = lay_out(tmp_path, {"handler.py": "a\n", "handler.js": "b\n"})
    text = fn("api", '"handler.zip"')
    assert unchanged(R, text, directory=d)
    assert findings(R, text, directory=d) == [("TFX401", 2, False)]


def test_existing_zip_picks_the_candidate_that_packs_the_same_files(tmp_path) -> None:
    # lambda/ holds one file, but the zip was built from the whole src/ directory
    d = lay_out(tmp_path, {"src/lambda/index.py": "a\n", "src/common.py": "c\n"},
                {"src/lambda.zip": {"lambda/index.py": "a\n", "common.py": "c\n"}})
    out, _ = fix(R, fn("api", '"src/lambda.zip"'), directory=d)
    assert 'source_dir  = "src"' in out["main.tf"] and 'excludes    = ["lambda.zip"]' in out["main.tf"]


def test_stale_zip_is_fixed_and_says_how_many_files_changed(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "new\n", "lambda/util.py": "same\n"},
                {"lambda.zip": {"index.py": "old\n", "util.py": "same\n"}})
    out, result = fix(R, fn("api", '"lambda.zip"'), directory=d)
    assert "data.archive_file.api.output_path" in out["main.tf"]
    assert "(1 of 2 files changed since lambda.zip was built)" in result.fixed[0].message


def test_unreadable_zip_counts_as_missing(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n", "lambda.zip": "not a zip\n"})
    out, result = fix(R, fn("api", '"lambda.zip"'), directory=d)
    assert 'source_dir  = "lambda"' in out["main.tf"]
    assert result.fixed[0].message.endswith("(lambda.zip could not be read)")


# ---- no fix -------------------------------------------------------------------------------


def test_sources_missing_is_reported_without_fix(tmp_path) -> None:
    d = lay_out(tmp_path, {"README.md": "x\n"}, {"builds/lambda.zip": {"index.py": "a\n"}})
    text = fn("api", '"builds/lambda.zip"', 'filebase64sha256("builds/lambda.zip")')
    assert unchanged(R, text, directory=d)
    _, result = fix(R, text, directory=d)
    (rec,) = result.remaining
    assert (rec.line, rec.fixable) == (2, False) and "no sources were found next to it" in rec.message


def test_module_directory_is_never_the_source_dir(tmp_path) -> None:
    d = lay_out(tmp_path, {"main.py": "a\n", "notes.txt": "b\n"})
    assert findings(R, fn("api", '"lambda.zip"'), directory=d) == [("TFX401", 2, False)]


def test_zip_name_that_reads_as_a_glob_is_not_excluded_by_pattern(tmp_path) -> None:
    d = lay_out(tmp_path, {"src/a.py": "a\n", "src/b.py": "b\n"})
    assert findings(R, fn("api", '"src/fn[1].zip"'), directory=d) == [("TFX401", 2, False)]


def test_zip_with_build_output_not_next_to_it_is_reported_without_fix(tmp_path) -> None:
    d = lay_out(tmp_path, {"app/index.js": "a\n", "app/package.json": "{}\n"},
                {"app.zip": {"index.js": "a\n", "package.json": "{}\n", "node_modules/x/index.js": "x\n"}})
    text = fn("api", '"app.zip"', 'filebase64sha256("app.zip")')
    assert unchanged(R, text, directory=d)
    (rec,) = fix(R, text, directory=d)[1].remaining
    assert not rec.fixable and "(e.g. node_modules/x/index.js)" in rec.message


def test_hash_of_a_different_file_is_reported_without_fix(tmp_path) -> None:
    # it may be a deliberate trigger (a hash of the source), so it is not rewritten
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    text = fn("api", '"lambda.zip"', 'filebase64sha256("lambda/index.py")')
    assert unchanged(R, text, directory=d)
    (rec,) = fix(R, text, directory=d)[1].remaining
    assert not rec.fixable and 'hashes "lambda/index.py", not filename lambda.zip' in rec.message


def test_same_file_in_another_path_style_counts_as_different(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    text = fn("api", '"lambda.zip"', 'filebase64sha256("${path.module}/lambda.zip")')
    assert findings(R, text, directory=d) == [("TFX401", 2, False)]


@pytest.mark.parametrize("hash_", ["var.code_hash", 'filebase64sha256(var.zip)', "local.h"])
def test_computed_hash_is_reported_without_fix(tmp_path, hash_: str) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    text = fn("api", '"lambda.zip"', hash_)
    assert unchanged(R, text, directory=d)
    assert findings(R, text, directory=d) == [("TFX401", 2, False)]


@pytest.mark.parametrize("filename", ['"${path.root}/lambda.zip"', '"${path.module}/${var.name}.zip"',
                                      'format("%s/lambda.zip", path.module)'])
def test_computed_zip_path_is_reported_without_fix(tmp_path, filename: str) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    assert findings(R, fn("api", filename), directory=d) == [("TFX401", 2, False)]


def test_computed_filename_with_a_file_hash_is_reported(tmp_path) -> None:
    text = fn("api", "var.zip", "filebase64sha256(var.zip)")
    assert findings(R, text, directory=str(tmp_path)) == [("TFX401", 2, False)]


def test_zip_built_by_local_exec_is_reported_without_fix(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.js": "a\n"})
    text = fn("api", '"lambda.zip"') + (
        '\nresource "terraform_data" "build" {\n'
        '  provisioner "local-exec" {\n'
        '    command = "cd lambda && npm ci && zip -r ../lambda.zip ."\n'
        "  }\n"
        "}\n"
    )
    assert unchanged(R, text, directory=d)
    (rec,) = fix(R, text, directory=d)[1].remaining
    assert "built by a local-exec provisioner in terraform_data.build" in rec.message


# ---- not concerned ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    'resource "aws_lambda_function" "f" {\n  s3_bucket = "b"\n  s3_key    = "k.zip"\n}\n',
    'resource "aws_lambda_function" "f" {\n  package_type = "Image"\n  image_uri    = "x:1"\n}\n',
    'resource "aws_lambda_function" "f" {\n  filename = "app.jar"\n}\n',
    'resource "aws_lambda_function" "f" {\n  filename = var.zip\n}\n',
    'resource "aws_s3_object" "f" {\n  source = "lambda.zip"\n}\n',
])
def test_other_deployments_are_ignored(tmp_path, text: str) -> None:
    lay_out(tmp_path, {"lambda/index.py": "a\n"})
    assert findings(R, text, directory=str(tmp_path)) == []


def test_provider_docs_pattern_literal_filename_with_archive_hash_is_fine(tmp_path) -> None:
    text = (
        'data "archive_file" "lambda" {\n  type        = "zip"\n  source_file = "lambda.js"\n'
        '  output_path = "lambda_function_payload.zip"\n}\n\n'
        + fn("f", '"lambda_function_payload.zip"', "data.archive_file.lambda.output_base64sha256")
    )
    assert findings(R, text, directory=str(tmp_path)) == []


def test_already_fixed_is_unchanged(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    out, _ = fix(R, SEED, directory=d)
    assert unchanged(R, out, directory=d) and findings(R, out, directory=d) == []


# ---- hash forms, count / for_each, layers -------------------------------------------------


@pytest.mark.parametrize("hash_", [
    'filebase64sha256("lambda.zip")', 'base64sha256(filebase64("lambda.zip"))', 'filemd5("lambda.zip")',
    '"${filebase64sha256("lambda.zip")}"', 'filebase64sha256("./lambda.zip")',
])
def test_hashes_of_the_same_file_are_replaced(tmp_path, hash_: str) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    out, _ = fix(R, fn("api", '"lambda.zip"', hash_), directory=d)
    assert "  source_code_hash = data.archive_file.api.output_base64sha256\n" in out["main.tf"]


SEED_003 = """\
resource "aws_lambda_function" "rotate_secret" {
  count = var.enable_rotation ? 1 : 0

  filename      = "rotation_lambda.zip"
  function_name = "${var.name_prefix}-secret-rotation-${var.environment_suffix}"
  role          = aws_iam_role.rotation_lambda[0].arn
  handler       = "index.handler"
  runtime       = "python3.11"
}
"""


def test_missing_hash_is_added_with_count_seed_003(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"rotation_lambda/index.py": "a\n"})
    diff = check_fix(R, SEED_003, directory=d)
    assert "+  source_code_hash = data.archive_file.rotate_secret.output_base64sha256\n" in diff
    assert "+  count" not in diff  # one data source for every instance
    assert diff == snapshot


def test_for_each_function_gets_one_data_source(tmp_path) -> None:
    d = lay_out(tmp_path, {"app/index.py": "a\n"})
    text = fn("api", '"app.zip"', 'filebase64sha256("app.zip")', for_each='toset(["a", "b"])')
    out, _ = fix(R, text, directory=d)
    assert out["main.tf"].count('data "archive_file"') == 1


LAYER = """\
resource "aws_lambda_layer_version" "deps" {
  filename            = "${path.module}/layer.zip"
  layer_name          = "deps"
  compatible_runtimes = ["python3.12"]
}
"""


def test_layer_version_forces_replacement(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"layer/python/requests/__init__.py": "a\n"})
    _, result = fix(R, LAYER, directory=d, unsafe=False)
    (rec,) = result.remaining
    assert rec.held_back and rec.impact == "forces replacement"
    assert check_fix(R, LAYER, directory=d) == snapshot


# ---- required_providers, names, sharing ---------------------------------------------------


def test_required_providers_in_another_file_gets_archive(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    files = {"versions.tf": PROVIDERS, "lambda.tf": fn("api", '"lambda.zip"')}
    diff = check_fix(R, files, directory=d)
    assert '+    archive = {\n+      source  = "hashicorp/archive"\n+      version = "~> 2.0"\n+    }\n' in diff
    assert diff == snapshot


def test_no_required_providers_means_none_added(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    out, _ = fix(R, {"main.tf": fn("api", '"lambda.zip"'), "vars.tf": 'variable "x" {}\n'}, directory=d)
    assert "terraform" not in out["main.tf"] and out["vars.tf"] == 'variable "x" {}\n'


@pytest.mark.parametrize("declared", [
    '    archive = {\n      source  = "hashicorp/archive"\n      version = "~> 2.4"\n    }\n',
    '    zipper = {\n      source = "hashicorp/archive"\n    }\n',
])
def test_archive_already_declared_is_kept(tmp_path, declared: str) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    versions = PROVIDERS.replace("    }\n  }\n}\n", "    }\n" + declared + "  }\n}\n")
    out, _ = fix(R, {"versions.tf": versions, "main.tf": fn("api", '"lambda.zip"')}, directory=d)
    assert out["versions.tf"] == versions and "data.archive_file.api" in out["main.tf"]


def test_name_collision_gets_a_suffix(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n", "other/x.py": "b\n"})
    text = (
        'data "archive_file" "api" {\n  type        = "zip"\n  source_dir  = "other"\n'
        '  output_path = "other.zip"\n}\n\n' + fn("api", '"lambda.zip"', 'filebase64sha256("lambda.zip")')
    )
    diff = check_fix(R, text, directory=d)
    assert '+data "archive_file" "api_2" {' in diff and "data.archive_file.api_2.output_path" in diff
    assert diff == snapshot


def test_two_functions_sharing_a_zip_share_one_data_source(tmp_path, snapshot) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    text = fn("read", '"lambda.zip"', 'filebase64sha256("lambda.zip")') + "\n" + fn(
        "write", '"lambda.zip"', 'filebase64sha256("lambda.zip")')
    out, result = fix(R, text, directory=d)
    assert out["main.tf"].count('data "archive_file"') == 1
    assert out["main.tf"].count("data.archive_file.read.output_path") == 2
    assert len(result.fixed) == 2
    assert check_fix(R, text, directory=d) == snapshot


def test_two_functions_in_two_files_sharing_a_zip(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    files = {"a.tf": fn("read", '"lambda.zip"'), "b.tf": fn("write", '"./lambda.zip"')}
    out, _ = fix(R, files, directory=d)
    assert (out["a.tf"] + out["b.tf"]).count('data "archive_file"') == 1
    assert "data.archive_file.read.output_base64sha256" in out["b.tf"]


def test_existing_archive_file_for_the_zip_is_reused(tmp_path) -> None:
    text = (
        'data "archive_file" "code" {\n  type        = "zip"\n  source_dir  = "${path.module}/src"\n'
        '  output_path = "${path.module}/build/code.zip"\n}\n\n'
        + fn("api", '"${path.module}/build/code.zip"', 'filebase64sha256("${path.module}/build/code.zip")')
    )
    out, result = fix(R, text, directory=str(tmp_path))
    assert out["main.tf"].count('data "archive_file"') == 1
    assert "filename         = data.archive_file.code.output_path" in out["main.tf"]
    assert "is built by data.archive_file.code" in result.fixed[0].message


# ---- engine behaviour ---------------------------------------------------------------------


def test_fix_is_held_back_without_unsafe_fixes(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    out, result = fix(R, SEED, directory=d, unsafe=False)
    assert out["main.tf"] == SEED
    (rec,) = result.remaining
    assert rec.held_back and rec.safety == "unsafe" and rec.impact == "in-place update"


def test_suppression_comment(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    text = "# tffix:ignore[TFX401]\n" + fn("api", '"lambda.zip"')
    assert unchanged(R, text, directory=d) and findings(R, text, directory=d) == []


def test_comment_above_the_function_stays_with_it(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.py": "a\n"})
    text = 'locals {\n  a = 1\n}\n\n# The API\n' + fn("api", '"lambda.zip"')
    out, _ = fix(R, text, directory=d)
    assert '  a = 1\n}\n\ndata "archive_file" "api" {\n' in out["main.tf"]
    assert '}\n\n# The API\nresource "aws_lambda_function" "api" {\n' in out["main.tf"]


# ---- core: append_block(before=) ----------------------------------------------------------


def test_append_block_before_the_first_item_keeps_header_and_comments() -> None:
    tree = tffix.parse('# licence\n\n# fn\nresource "a" "b" {\n  x = 1\n}\n')
    edit.append_block(tree, NewBlock("data", ["d", "e"], {"y": 2}), before=tree.body.items[0])
    assert tree.code == '# licence\n\ndata "d" "e" {\n  y = 2\n}\n\n# fn\nresource "a" "b" {\n  x = 1\n}\n'


def test_append_block_before_a_later_item_and_not_both() -> None:
    tree = tffix.parse('locals {\n  a = 1\n}\nresource "a" "b" {}\n')
    edit.append_block(tree, NewBlock("data", ["d", "e"], {"y": 2}), before=tree.body.items[1])
    assert tree.code == 'locals {\n  a = 1\n}\n\ndata "d" "e" {\n  y = 2\n}\n\nresource "a" "b" {}\n'
    with pytest.raises(ValueError):
        edit.append_block(tree, NewBlock("x"), after=tree.body.items[0], before=tree.body.items[1])


def test_zip_named_only_in_a_provisioner_comment_is_not_built_there(tmp_path) -> None:
    d = lay_out(tmp_path, {"lambda/index.js": "a\n"})
    text = fn("api", '"lambda.zip"') + (
        '\nresource "terraform_data" "build" {\n'
        '  provisioner "local-exec" {\n'
        "    # lambda.zip used to be built here\n"
        '    command = "npm ci"\n'
        "  }\n"
        "}\n"
    )
    (rec,) = fix(R, text, directory=d, unsafe=False)[1].remaining
    assert "local-exec" not in rec.message and rec.fixable
