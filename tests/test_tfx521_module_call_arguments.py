"""TFX521 module-call-arguments."""

from __future__ import annotations

from tffix.transforms.terraform.module_call_arguments import ModuleCallArguments as R

from .rulekit import findings, fix

CHILD = """\
variable "domain_name" {
  type = string
}

variable "hosted_zone_id" {
  type = string
}

variable "ttl" {
  type    = number
  default = 300
}

variable "tags" {
  type    = map(string)
  default = null
}
"""

CALL = """\
module "dns" {
  source      = "./modules/route53"
  domain      = "example.org"
  environment = "prod"
  count       = 1
}
"""


def _child(tmp_path, text=CHILD, name="variables.tf"):
    child = tmp_path / "modules" / "route53"
    child.mkdir(parents=True, exist_ok=True)
    (child / name).write_text(text)
    return child


def _records(tmp_path, text):
    out, result = fix(R, text, directory=str(tmp_path))
    assert out == {"main.tf": text}
    return [(r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_unsupported_and_missing_arguments(tmp_path, snapshot) -> None:
    _child(tmp_path)
    records = _records(tmp_path, CALL)
    assert [(line, column) for line, column, _, _ in records] == [(1, 1), (3, 3), (4, 3)]
    assert "domain_name, hosted_zone_id" in records[0][3]
    assert "did you mean domain_name?" in records[1][3]
    assert "declare it in the module or remove it" in records[2][3]
    assert records == snapshot


def test_matching_call_is_fine(tmp_path) -> None:
    _child(tmp_path)
    good = ('module "dns" {\n  source         = "./modules/route53"\n  domain_name    = "example.org"\n'
            '  hosted_zone_id = var.zone\n  providers      = { aws = aws }\n  depends_on     = [aws_s3_bucket.b]\n}\n')
    assert findings(R, good, directory=str(tmp_path)) == []


def test_variables_in_several_child_files_count(tmp_path) -> None:
    child = _child(tmp_path, 'variable "domain_name" {}\n')
    (child / "more.tf").write_text('variable "hosted_zone_id" {}\n')
    good = ('module "dns" {\n  source         = "./modules/route53"\n  domain_name    = "x"\n'
            '  hosted_zone_id = "z"\n}\n')
    assert findings(R, good, directory=str(tmp_path)) == []
    (child / "extra.tf").write_text('variable "region" {}\n')
    assert findings(R, good, directory=str(tmp_path)) == [("TFX521", 1, False)]


def test_missing_directory_is_reported(tmp_path) -> None:
    text = 'module "net" {\n  source = "../network"\n}\n'
    assert findings(R, text, directory=str(tmp_path)) == [("TFX521", 2, False)]


def test_remote_sources_and_unreadable_children_are_skipped(tmp_path) -> None:
    remote = 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "~> 5.0"\n  nonsense = 1\n}\n'
    assert findings(R, remote, directory=str(tmp_path)) == []
    expression = 'module "x" {\n  source = var.path\n}\n'
    assert findings(R, expression, directory=str(tmp_path)) == []
    child = _child(tmp_path, 'variable "a" {\n')  # syntax error in the child
    assert findings(R, CALL, directory=str(tmp_path)) == []
    (child / "variables.tf").write_text(CHILD)
    (child / "more.tf.json").write_text('{"variable": {"domain": {}}}')
    assert findings(R, CALL, directory=str(tmp_path)) == []


def test_a_child_called_twice_is_read_once(tmp_path, monkeypatch) -> None:
    import tffix.transforms.terraform.module_call_arguments as rule

    _child(tmp_path)
    reads = []
    original = rule.child_variables
    monkeypatch.setattr(rule, "child_variables", lambda d: reads.append(d) or original(d))
    twice = CALL + CALL.replace('module "dns"', 'module "dns2"')
    assert [line for _, line, _ in findings(R, twice, directory=str(tmp_path))] == [1, 3, 4, 7, 9, 10]
    assert len(reads) == 1


def test_a_child_reached_by_other_paths_is_parsed_once(tmp_path, monkeypatch) -> None:
    """Callers spell one child differently (``./modules/route53`` from the root,
    ``../route53`` from a sibling): what its files declare is parsed once per text."""
    import tffix.transforms.lib.children as children

    text = CHILD.replace('"ttl"', '"ttl_spelled_once"')  # a text no other test parsed
    _child(tmp_path, text)
    sibling = tmp_path / "modules" / "caller"
    sibling.mkdir()
    parsed = []
    original = children.parse_module_texts
    monkeypatch.setattr(children, "parse_module_texts", lambda d, t: parsed.append(d) or original(d, t))
    assert [line for _, line, _ in findings(R, CALL, directory=str(tmp_path))] == [1, 3, 4]
    other = CALL.replace("./modules/route53", "../route53")
    assert [line for _, line, _ in findings(R, other, directory=str(sibling))] == [1, 3, 4]
    assert len(parsed) == 1
    # a changed file is parsed again, and what it declares now counts
    (tmp_path / "modules" / "route53" / "variables.tf").write_text(text + 'variable "domain" {}\n')
    assert [line for _, line, _ in findings(R, other, directory=str(sibling))] == [1, 4]
    assert len(parsed) == 2


def test_a_child_checked_before_its_caller_is_not_parsed_again(tmp_path, monkeypatch) -> None:
    """A module checked first (``modules/route53`` before the root) is remembered as what its
    texts declare: the caller reads the same answer without parsing the child's files."""
    import tffix.transforms.lib.children as children

    text = CHILD.replace('"ttl"', '"ttl_checked_first"')  # a text no other test parsed
    from tffix.transforms.terraform.provider_version import ProviderVersion

    child = _child(tmp_path, text, name="main.tf")
    # the child's own check remembers it (TFX502 reads every module; TFX521 only callers)
    assert findings([R, ProviderVersion], text, directory=str(child)) == []
    parsed = []
    original = children.parse_module_texts
    monkeypatch.setattr(children, "parse_module_texts", lambda d, t: parsed.append(d) or original(d, t))
    assert [line for _, line, _ in findings(R, CALL, directory=str(tmp_path))] == [1, 3, 4]
    assert parsed == []
    # the directory no longer holds the texts that were checked: parsed, and read as it is now
    (child / "main.tf").write_text(text + 'variable "domain" {}\n')
    assert [line for _, line, _ in findings(R, CALL, directory=str(tmp_path))] == [1, 4]
    assert len(parsed) == 1


def test_has_json_files_answers_as_glob(tmp_path) -> None:
    from tffix.transforms.lib.children import has_json_files

    assert has_json_files(tmp_path) is any(tmp_path.glob("*.tf.json")) is False
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "a.TF.JSON").write_text("{}")  # case counts, as for glob
    assert has_json_files(tmp_path) is any(tmp_path.glob("*.tf.json")) is False
    hidden, directory = tmp_path / "hidden", tmp_path / "directory"
    hidden.mkdir()
    (hidden / ".x.tf.json").write_text("{}")  # glob's * matches a leading dot here
    directory.mkdir()
    (directory / "x.tf.json").mkdir()  # and any entry, not only files
    for other in (hidden, directory):
        assert has_json_files(other) is any(other.glob("*.tf.json")) is True
    for missing in (tmp_path / "nope", tmp_path / "main.tf"):
        assert has_json_files(missing) is any(missing.glob("*.tf.json")) is False
