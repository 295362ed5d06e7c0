"""TFX301 flow-log-iam-scope."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tffix.transforms.iam.flow_log_iam_scope import FlowLogIamScope as R
from tffix.transforms.lib.json_text import parse_json as _parse_json

from .rulekit import check_fix, findings, fix, unchanged

LOG_GROUP = """\
resource "aws_cloudwatch_log_group" "flow" {
  name = "/aws/vpc/flow"
}
"""

FLOW_LOG = """\
resource "aws_flow_log" "vpc" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
  iam_role_arn    = aws_iam_role.flow.arn
}
"""

ROLE = """\
resource "aws_iam_role" "flow" {
  name = "flow"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
    }]
  })
}
"""

NETWORK = LOG_GROUP + "\n" + FLOW_LOG + "\n" + ROLE
# the role has no fixed name: nothing outside the module can know it, the fix is safe
PRIVATE = NETWORK.replace('  name = "flow"\n  assume', '  name_prefix = "flow-"\n  assume')

ROLE_POLICY = """\
resource "aws_iam_role_policy" "flow" {
  name = "flow"
  role = aws_iam_role.flow.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams"
      ]
      Resource = "*"
    }]
  })
}
"""

POLICY_DOCUMENT = """\
data "aws_iam_policy_document" "flow" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "flow" {
  role   = aws_iam_role.flow.id
  policy = data.aws_iam_policy_document.flow.json
}
"""

ATTACHED = """\
resource "aws_iam_policy" "flow" {
  name_prefix = "flow-"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "flow" {
  role       = aws_iam_role.flow.name
  policy_arn = aws_iam_policy.flow.arn
}
"""

HEREDOC = """\
resource "aws_iam_role_policy" "flow" {
  role   = aws_iam_role.flow.id
  policy = <<EOF
{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "FlowLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams"
            ],
            "Resource": "*"
        }
    ]
}
EOF
}
"""


def _heredoc_json(text: str, marker: str = "EOF") -> dict:
    """The JSON of the (first) heredoc policy in text, interpolations replaced
    by placeholder strings: it must be valid JSON."""
    body = re.search(rf"<<-?{marker}\r?\n(.*?)^\s*{marker}\r?$", text, re.S | re.M)
    assert body is not None
    return json.loads(re.sub(r"\$\{([^}]*)\}", r"<\1>", body.group(1)))


# ---- the three policy styles ---------------------------------------------------


def test_jsonencode_role_policy_split_like_the_seed(snapshot) -> None:
    assert check_fix(R, {"network.tf": NETWORK, "iam.tf": ROLE_POLICY}) == snapshot


def test_jsonencode_output_is_the_seeds_corrected_policy() -> None:
    out, _ = fix(R, {"network.tf": NETWORK, "iam.tf": ROLE_POLICY})
    policy = out["iam.tf"].split("jsonencode(", 1)[1].rsplit(")", 1)[0]
    # turn the HCL object into JSON: quote keys, references become strings
    text = re.sub(r"\"\$\{([^}]*)\}:\*\"", r'"\1:*"', policy)
    text = re.sub(r"(aws_cloudwatch_log_group\.flow\.arn)(?=[,\n])", r'"\1"', text)
    text = re.sub(r"(\w+)\s*=", r'"\1":', text)
    text = re.sub(r'(["\]}])\n(\s*")', r"\1,\n\2", text)
    doc = json.loads(text)
    write, describe = doc["Statement"]
    assert write["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    assert write["Resource"] == ["aws_cloudwatch_log_group.flow.arn", "aws_cloudwatch_log_group.flow.arn:*"]
    assert describe == {"Effect": "Allow", "Action": ["logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                        "Resource": "*"}


def test_heredoc_role_policy(snapshot) -> None:
    files = {"network.tf": NETWORK, "iam.tf": HEREDOC}
    assert check_fix(R, files) == snapshot
    out, result = fix(R, files)
    doc = _heredoc_json(out["iam.tf"])
    assert doc["Statement"] == [
        {"Sid": "FlowLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": ["<aws_cloudwatch_log_group.flow.arn>", "<aws_cloudwatch_log_group.flow.arn>:*"]},
        {"Effect": "Allow", "Action": ["logs:DescribeLogGroups", "logs:DescribeLogStreams"], "Resource": "*"},
    ]
    # the four-space indentation of the original is kept, line by line
    assert '\n            "Resource": [\n                "${aws_cloudwatch_log_group.flow.arn}",\n' in out["iam.tf"]
    assert '\n        },\n        {\n            "Effect": "Allow",\n' in out["iam.tf"]
    assert result.fixed[0].line == 17  # the "Resource" line inside the heredoc


def test_heredoc_indented_single_statement_becomes_a_list(snapshot) -> None:
    policy = """\
resource "aws_iam_role_policy" "flow" {
  role   = aws_iam_role.flow.id
  policy = <<-POLICY
    {
      "Statement": {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        "Resource": ["*"]
      }
    }
  POLICY
}
"""
    assert check_fix(R, PRIVATE + "\n" + policy) == snapshot
    out, _ = fix(R, PRIVATE + "\n" + policy)
    assert _heredoc_json(out["main.tf"], "POLICY")["Statement"] == [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": ["<aws_cloudwatch_log_group.flow.arn>", "<aws_cloudwatch_log_group.flow.arn>:*"]},
        {"Effect": "Allow", "Action": ["logs:DescribeLogStreams"], "Resource": ["*"]},
    ]


def test_heredoc_inline_policy_one_line_statements_and_crlf() -> None:
    role = NETWORK.replace('  name = "flow"\n  assume', """\
  name = "flow"

  inline_policy {
    name   = "logs"
    policy = <<-EOT
      {
        "Statement": [
          {"Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:DescribeLogGroups"], "Resource": "*"}
        ]
      }
    EOT
  }

  assume""")
    out, result = fix(R, role.replace("\n", "\r\n"))
    text = out["main.tf"]
    assert result.fixed and "\n" not in text.replace("\r\n", "")
    assert ('          {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": '
            '["${aws_cloudwatch_log_group.flow.arn}", "${aws_cloudwatch_log_group.flow.arn}:*"]},\r\n'
            '          {"Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"}\r\n') in text
    assert len(_heredoc_json(text, "EOT")["Statement"]) == 2


def test_heredoc_managed_policy(snapshot) -> None:
    policy = """\
resource "aws_iam_policy" "flow" {
  name_prefix = "flow-"
  policy      = <<JSON
{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "logs:PutLogEvents",
      "Resource": "arn:aws:logs:*:*:*"
    }
  ]
}
JSON
}

resource "aws_iam_role_policy_attachment" "flow" {
  role       = aws_iam_role.flow.name
  policy_arn = aws_iam_policy.flow.arn
}
"""
    assert check_fix(R, PRIVATE + "\n" + policy) == snapshot
    out, _ = fix(R, PRIVATE + "\n" + policy)
    assert _heredoc_json(out["main.tf"], "JSON")["Statement"][0]["Resource"] == [
        "<aws_cloudwatch_log_group.flow.arn>", "<aws_cloudwatch_log_group.flow.arn>:*"]


def test_policy_document(snapshot) -> None:
    assert check_fix(R, NETWORK + "\n" + POLICY_DOCUMENT) == snapshot


def test_policy_document_copies_effect_and_conditions_not_the_sid(snapshot) -> None:
    doc = """\
data "aws_iam_policy_document" "flow" {
  statement {
    sid    = "Logs"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1"]
    }
  }
}

resource "aws_iam_policy" "flow" {
  name_prefix = "flow-"
  policy      = data.aws_iam_policy_document.flow.json
}

resource "aws_iam_role_policy_attachment" "flow" {
  role       = aws_iam_role.flow.name
  policy_arn = aws_iam_policy.flow.arn
}
"""
    assert check_fix(R, PRIVATE + "\n" + doc) == snapshot
    out, _ = fix(R, PRIVATE + "\n" + doc)
    copy = out["main.tf"].split("  }\n\n  statement {\n", 1)[1].split("\n}\n", 1)[0]
    assert copy.splitlines() == [
        '    effect = "Allow"', "    actions = [", '      "logs:DescribeLogStreams",', "    ]",
        '    resources = ["*"]', "", "    condition {", '      test     = "StringEquals"',
        '      variable = "aws:RequestedRegion"', '      values   = ["eu-west-1"]', "    }", "  }"]


def test_policy_document_in_an_inline_policy() -> None:
    role = NETWORK.replace('  name = "flow"\n  assume', '  name = "flow"\n\n  inline_policy {\n    name   = "logs"\n'
                           '    policy = data.aws_iam_policy_document.flow.json\n  }\n\n  assume')
    doc = POLICY_DOCUMENT.split("\n\nresource")[0] + "\n"
    out, result = fix(R, {"network.tf": role, "policy.tf": doc})
    assert result.fixed and out["network.tf"] == role
    assert out["policy.tf"].splitlines()[2:7] == [
        '    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]',
        '    resources = [aws_cloudwatch_log_group.flow.arn, "${aws_cloudwatch_log_group.flow.arn}:*"]',
        "  }", "", "  statement {"]


def test_managed_policy_attachment(snapshot) -> None:
    assert check_fix(R, NETWORK + "\n" + ATTACHED) == snapshot


def test_inline_policy_block(snapshot) -> None:
    role = NETWORK.replace('  name = "flow"\n  assume', '  name = "flow"\n\n  inline_policy {\n    name = "logs"\n'
                           '    policy = jsonencode({\n      Statement = [{\n        Effect   = "Allow"\n'
                           '        Action   = ["logs:PutLogEvents"]\n        Resource = "*"\n      }]\n    })\n'
                           '  }\n\n  assume')
    assert check_fix(R, role) == snapshot


def test_jsonencode_single_statement_with_sid_and_condition(snapshot) -> None:
    policy = ATTACHED.replace("""\
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "*"
    }]""", """\
    Statement = {
      Sid      = "Write"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "*"
      Condition = {
        StringEquals = { "aws:RequestedRegion" = "eu-west-1" }
      }
    }""")
    assert check_fix(R, PRIVATE + "\n" + policy) == snapshot


# ---- what moves, what stays ------------------------------------------------------


def test_other_actions_keep_their_resource_in_the_copy() -> None:
    extra = ROLE_POLICY.replace('"logs:CreateLogGroup",', '"logs:CreateLogGroup",\n        "s3:GetObject",')
    out, result = fix(R, {"network.tf": NETWORK, "iam.tf": extra})
    assert result.fixed and not result.remaining
    assert out["iam.tf"].splitlines()[16:21] == [
        "      }, {", '      Effect = "Allow"', "      Action = [", '        "s3:GetObject",',
        '        "logs:DescribeLogGroups",']


def test_writes_only_keep_the_statement_whole() -> None:
    out, _ = fix(R, NETWORK + "\n" + ATTACHED)
    assert out["main.tf"].count("Effect") == 2  # the trust policy's and the scoped one: nothing split off


def test_lower_case_actions_and_log_group_wildcard_arns() -> None:
    policy = ATTACHED.replace('["logs:CreateLogStream", "logs:PutLogEvents"]', '["logs:createlogstream"]').replace(
        'Resource = "*"', 'Resource = "arn:aws:logs:${var.region}:${var.account}:log-group:*"')
    out, result = fix(R, NETWORK + "\n" + policy)
    assert result.fixed
    assert 'Resource = [aws_cloudwatch_log_group.flow.arn, "${aws_cloudwatch_log_group.flow.arn}:*"]' in out["main.tf"]


def test_wildcard_actions_are_reported_only() -> None:
    policy = ATTACHED.replace('["logs:CreateLogStream", "logs:PutLogEvents"]', '["logs:*"]')
    out, result = fix(R, NETWORK + "\n" + policy)
    assert out["main.tf"] == NETWORK + "\n" + policy
    assert [(r.line, r.fixable) for r in result.remaining] == [(30, False)]
    assert "logs:* is a wildcard: list the actions flow logs need" in result.remaining[0].message


def test_deny_and_not_action_statements_are_ignored() -> None:
    deny = ATTACHED.replace('Effect   = "Allow"', 'Effect   = "Deny"')
    assert unchanged(R, NETWORK + "\n" + deny) and findings(R, NETWORK + "\n" + deny) == []
    not_action = ATTACHED.replace("Action   =", "NotAction =")
    assert findings(R, NETWORK + "\n" + not_action) == []


# ---- already scoped, out of scope ------------------------------------------------


def test_already_scoped_is_unchanged() -> None:
    scoped = ROLE_POLICY.replace('Resource = "*"', 'Resource = aws_cloudwatch_log_group.flow.arn')
    assert unchanged(R, {"network.tf": NETWORK, "iam.tf": scoped})
    assert findings(R, {"network.tf": NETWORK, "iam.tf": scoped}) == []
    heredoc = HEREDOC.replace('"Resource": "*"', '"Resource": "${aws_cloudwatch_log_group.flow.arn}:*"')
    assert findings(R, {"network.tf": NETWORK, "iam.tf": heredoc}) == []
    doc = POLICY_DOCUMENT.replace('resources = ["*"]', 'resources = ["${aws_cloudwatch_log_group.flow.arn}:*"]')
    assert findings(R, NETWORK + "\n" + doc) == []


def test_flow_log_to_s3_is_ignored() -> None:
    s3 = NETWORK.replace('iam_role_arn    = aws_iam_role.flow.arn', 'iam_role_arn    = aws_iam_role.flow.arn\n'
                         '  log_destination_type = "s3"')
    assert unchanged(R, {"network.tf": s3, "iam.tf": ROLE_POLICY})
    assert findings(R, {"network.tf": s3, "iam.tf": ROLE_POLICY}) == [("TFX301", 15, False)]  # no CloudWatch user


def test_other_roles_are_not_looked_at() -> None:
    other = ROLE_POLICY.replace("aws_iam_role.flow.id", "aws_iam_role.app.id")
    assert unchanged(R, {"network.tf": NETWORK, "iam.tf": other}) and findings(R, {"network.tf": NETWORK,
                                                                                 "iam.tf": other}) == []


# ---- reported without a fix --------------------------------------------------------


def test_templatefile_and_file_are_reported_only(tmp_path: Path) -> None:
    tmpl = ('resource "aws_iam_role_policy" "flow" {\n  role   = aws_iam_role.flow.id\n'
            '  policy = templatefile("${path.module}/policy.json.tpl", { region = "eu-west-1" })\n}\n')
    files = {"network.tf": NETWORK, "iam.tf": tmpl}
    # the template is not there: nothing to read, reported as unverifiable
    assert findings(R, files, directory=str(tmp_path)) == [("TFX301", 3, False)]
    (tmp_path / "policy.json.tpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], '
        '"Resource": "arn:aws:logs:${region}:*:*"}]}\n')
    out, result = fix(R, files, directory=str(tmp_path))
    assert out == files and [(r.line, r.fixable) for r in result.remaining] == [(3, False)]
    assert result.remaining[0].message.endswith("not fixed: the policy comes from templatefile(), edit "
                                                "policy.json.tpl")
    (tmp_path / "policy.json.tpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "${arn}:*"}]}\n')
    assert findings(R, files, directory=str(tmp_path)) == []  # scoped in the template
    plain = tmpl.replace('templatefile("${path.module}/policy.json.tpl", { region = "eu-west-1" })',
                         'file("policy.json")')
    (tmp_path / "policy.json").write_text('{"Statement": {"Action": "logs:CreateLogStream", "Resource": "*"}}')
    assert findings(R, {"network.tf": NETWORK, "iam.tf": plain}, directory=str(tmp_path)) == [("TFX301", 3, False)]


@pytest.mark.parametrize("policy", [
    "var.flow_policy",
    'jsonencode(merge(local.base, { Statement = [] }))',
    '"${local.head}${local.statements}"',
    "jsonencode({\n    Statement = [for a in local.actions : { Action = a, Resource = \"*\" }]\n  })",
])
def test_policies_tffix_cannot_read_are_reported_only(policy: str) -> None:
    text = f'resource "aws_iam_role_policy" "flow" {{\n  role   = aws_iam_role.flow.id\n  policy = {policy}\n}}\n'
    files = {"network.tf": NETWORK, "iam.tf": text}
    out, result = fix(R, files)
    assert out == files and [(r.line, r.fixable) for r in result.remaining] == [(3, False)]
    assert "tffix cannot check or rewrite it" in result.remaining[0].message


def test_heredoc_that_is_not_json_is_reported_only() -> None:
    broken = HEREDOC.replace('"logs:DescribeLogStreams"\n', '"logs:DescribeLogStreams",\n')  # trailing comma
    assert findings(R, {"network.tf": NETWORK, "iam.tf": broken}) == [("TFX301", 3, False)]
    with pytest.raises(ValueError):
        _parse_json('{"a": [1, 2,]}')


def test_statement_from_a_variable_is_reported_only() -> None:
    policy = ROLE_POLICY.replace('Resource = "*"', "Resource = var.log_group_arns")
    assert findings(R, {"network.tf": NETWORK, "iam.tf": policy}) == [("TFX301", 15, False)]
    mixed = ATTACHED.replace("Statement = [{", "Statement = [local.extra, {")
    out, result = fix(R, NETWORK + "\n" + mixed)
    assert [(r.line, r.fixable) for r in result.remaining] == [(27, False)]  # the statement tffix cannot see
    assert "has a statement built from `local.extra`" in result.remaining[0].message
    assert result.fixed and "Resource = [aws_cloudwatch_log_group.flow.arn," in out["main.tf"]  # the one it can


def test_role_shared_with_another_service_is_reported_only() -> None:
    shared = NETWORK.replace('Service = "vpc-flow-logs.amazonaws.com"',
                             'Service = ["vpc-flow-logs.amazonaws.com", "ec2.amazonaws.com"]')
    files = {"network.tf": shared, "iam.tf": ROLE_POLICY}
    assert unchanged(R, files)
    _, result = fix(R, files)
    assert [(r.line, r.fixable) for r in result.remaining] == [(15, False)]
    assert "may also be assumed by Service ec2.amazonaws.com" in result.remaining[0].message


def test_trust_policy_documents_and_heredocs_are_read() -> None:
    trust_doc = """\
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}
"""
    start = NETWORK.index("  assume_role_policy")
    end = NETWORK.index("  })\n}", start) + len("  })\n")
    with_doc = NETWORK[:start] + "  assume_role_policy = data.aws_iam_policy_document.trust.json\n" + NETWORK[end:]
    assert fix(R, {"network.tf": with_doc + "\n" + trust_doc, "iam.tf": ROLE_POLICY})[1].fixed
    account = trust_doc.replace('    }\n  }', '    }\n\n    principals {\n      type        = "AWS"\n'
                                '      identifiers = ["arn:aws:iam::123456789012:root"]\n    }\n  }')
    assert findings(R, {"network.tf": with_doc + "\n" + account, "iam.tf": ROLE_POLICY}) == [("TFX301", 15, False)]
    heredoc = (NETWORK[:start] + '  assume_role_policy = <<EOF\n{"Statement": [{"Effect": "Allow", "Principal": '
               '{"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}\nEOF\n' + NETWORK[end:])
    assert fix(R, {"network.tf": heredoc, "iam.tf": ROLE_POLICY})[1].fixed
    unknown = NETWORK[:start] + "  assume_role_policy = var.trust\n" + NETWORK[end:]
    assert findings(R, {"network.tf": unknown, "iam.tf": ROLE_POLICY}) == [("TFX301", 15, False)]


def test_policy_attached_to_two_roles_is_reported_only() -> None:
    other = ATTACHED + '\nresource "aws_iam_role_policy_attachment" "other" {\n  role       = "other"\n' \
                       '  policy_arn = aws_iam_policy.flow.arn\n}\n'
    _, result = fix(R, NETWORK + "\n" + other)
    assert [(r.line, r.fixable) for r in result.remaining] == [(30, False)]
    assert "aws_iam_policy.flow is also used by aws_iam_role_policy_attachment.other" in result.remaining[0].message


def test_policy_document_used_by_another_role_is_reported_only() -> None:
    shared = POLICY_DOCUMENT + '\nresource "aws_iam_role_policy" "app" {\n  role   = aws_iam_role.app.id\n' \
                               '  policy = data.aws_iam_policy_document.flow.json\n}\n'
    assert findings(R, NETWORK + "\n" + shared) == [("TFX301", 27, False)]


def test_dynamic_statements_are_reported_only() -> None:
    dynamic = POLICY_DOCUMENT.replace('  statement {', '  dynamic "statement" {\n    for_each = var.extra\n'
                                      '    content {\n      actions   = statement.value\n      resources = ["*"]\n'
                                      '    }\n  }\n\n  statement {', 1)
    out, result = fix(R, NETWORK + "\n" + dynamic)
    assert out["main.tf"] == NETWORK + "\n" + dynamic
    assert [(r.line, r.fixable) for r in result.remaining] == [(29, False), (35, False)]
    assert "also builds statements with dynamic blocks" in result.remaining[1].message


def test_flow_log_destinations_outside_the_module_are_reported_only() -> None:
    unknown = NETWORK.replace("log_destination = aws_cloudwatch_log_group.flow.arn", "log_destination = var.arn")
    assert findings(R, {"network.tf": unknown, "iam.tf": ROLE_POLICY}) == [("TFX301", 15, False)]
    cross = NETWORK.replace('  iam_role_arn    = aws_iam_role.flow.arn\n', '  iam_role_arn    = aws_iam_role.flow.arn\n'
                            '  deliver_cross_account_role = aws_iam_role.other.arn\n')
    assert findings(R, {"network.tf": cross, "iam.tf": ROLE_POLICY}) == [("TFX301", 15, False)]


def test_legacy_log_group_name_is_followed() -> None:
    legacy = NETWORK.replace("log_destination = aws_cloudwatch_log_group.flow.arn",
                             "log_group_name  = aws_cloudwatch_log_group.flow.name")
    out, result = fix(R, {"network.tf": legacy, "iam.tf": ROLE_POLICY})
    assert result.fixed and '"${aws_cloudwatch_log_group.flow.arn}:*"' in out["iam.tf"]
    suffixed = NETWORK.replace("log_destination = aws_cloudwatch_log_group.flow.arn",
                               'log_destination = "${aws_cloudwatch_log_group.flow.arn}:*"')
    assert fix(R, {"network.tf": suffixed, "iam.tf": ROLE_POLICY})[1].fixed


# ---- several flow logs, count / for_each --------------------------------------------


def test_two_flow_logs_scope_to_both_log_groups() -> None:
    tgw = NETWORK + """
resource "aws_cloudwatch_log_group" "tgw" {
  name = "/aws/tgw/flow"
}

resource "aws_flow_log" "tgw" {
  transit_gateway_id = aws_ec2_transit_gateway.main.id
  traffic_type       = "ALL"
  log_destination    = aws_cloudwatch_log_group.tgw.arn
  iam_role_arn       = aws_iam_role.flow.arn
}
"""
    out, _ = fix(R, {"network.tf": tgw, "iam.tf": ROLE_POLICY})
    assert out["iam.tf"].splitlines()[12:18] == [
        "      Resource = [", "        aws_cloudwatch_log_group.flow.arn,",
        '        "${aws_cloudwatch_log_group.flow.arn}:*",', "        aws_cloudwatch_log_group.tgw.arn,",
        '        "${aws_cloudwatch_log_group.tgw.arn}:*"', "      ]"]


def test_for_each_flow_logs_share_one_log_group(snapshot) -> None:
    flow = NETWORK.replace('resource "aws_flow_log" "vpc" {\n',
                           'resource "aws_flow_log" "vpc" {\n  for_each = toset(var.vpc_ids)\n\n').replace(
        "aws_vpc.main.id", "each.key")
    assert check_fix(R, {"network.tf": flow, "iam.tf": ROLE_POLICY}) == snapshot


COUNTED = """\
resource "aws_cloudwatch_log_group" "flow" {
  count = var.enabled ? 1 : 0
  name  = "/aws/vpc/flow"
}

resource "aws_flow_log" "vpc" {
  count           = var.enabled ? 1 : 0
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow[0].arn
  iam_role_arn    = aws_iam_role.flow[0].arn
}

resource "aws_iam_role" "flow" {
  count       = var.enabled ? 1 : 0
  name_prefix = "flow-"
  assume_role_policy = jsonencode({
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "flow" {
  count = var.enabled ? 1 : 0
  role  = aws_iam_role.flow[0].id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "*"
    }]
  })
}
"""


def test_count_family_is_scoped_per_instance(snapshot) -> None:
    assert check_fix(R, COUNTED, unsafe=False) == snapshot


def test_count_index_family() -> None:
    text = COUNTED.replace("var.enabled ? 1 : 0", "length(var.vpc_ids)").replace("[0]", "[count.index]")
    out, result = fix(R, text, unsafe=False)
    assert result.fixed
    assert ('Resource = [aws_cloudwatch_log_group.flow[count.index].arn, '
            '"${aws_cloudwatch_log_group.flow[count.index].arn}:*"]') in out["main.tf"]


def test_count_log_group_with_an_unpaired_policy_is_reported_only() -> None:
    single = COUNTED.replace("  count = var.enabled ? 1 : 0\n  role  = aws_iam_role.flow[0].id",
                             "  role = aws_iam_role.flow[0].id")
    _, result = fix(R, single)
    assert [(r.line, r.fixable) for r in result.remaining] == [(32, False)]
    assert "uses count and the policy is not written per instance" in result.remaining[0].message
    mixed = COUNTED.replace("log_destination = aws_cloudwatch_log_group.flow[0].arn",
                            "log_destination = aws_cloudwatch_log_group.flow[1].arn")
    assert findings(R, mixed) == [("TFX301", 33, False)]


# ---- multi-file ----------------------------------------------------------------------


def test_multi_file_module(snapshot) -> None:
    files = {"logs.tf": LOG_GROUP, "vpc.tf": FLOW_LOG, "iam_role.tf": ROLE, "iam_policy.tf": POLICY_DOCUMENT}
    assert check_fix(R, files) == snapshot
    out, result = fix(R, files)
    assert {n for n in files if out[n] != files[n]} == {"iam_policy.tf"}
    assert result.fixed[0].path == "iam_policy.tf"


# ---- safety ------------------------------------------------------------------------------


def test_named_role_fix_is_unsafe_and_held_back() -> None:
    files = {"network.tf": NETWORK, "iam.tf": ROLE_POLICY}
    out, result = fix(R, files, unsafe=False)
    assert out == files
    (record,) = result.remaining
    assert record.held_back and record.safety == "unsafe" and record.impact == "in-place update"
    assert "aws_iam_role.flow has a fixed name" in record.fix


def test_private_role_fix_is_safe() -> None:
    out, result = fix(R, {"network.tf": PRIVATE, "iam.tf": ROLE_POLICY}, unsafe=False)
    assert result.fixed and result.fixed[0].safety == "safe" and not result.remaining


def test_exported_role_or_named_managed_policy_is_unsafe() -> None:
    exported = PRIVATE + '\noutput "flow_role_arn" {\n  value = aws_iam_role.flow.arn\n}\n'
    _, result = fix(R, {"network.tf": exported, "iam.tf": ROLE_POLICY}, unsafe=False)
    assert result.remaining[0].held_back and "output.flow_role_arn passes aws_iam_role.flow on" in \
        result.remaining[0].fix
    named = ATTACHED.replace('name_prefix = "flow-"', 'name = "flow"')
    _, result = fix(R, PRIVATE + "\n" + named, unsafe=False)
    assert result.remaining[0].held_back and "aws_iam_policy.flow has a fixed name" in result.remaining[0].fix
    _, result = fix(R, PRIVATE + "\n" + ATTACHED, unsafe=False)
    assert result.fixed and not result.remaining


# ---- suppression ---------------------------------------------------------------------------


def test_suppression() -> None:
    files = {"network.tf": NETWORK, "iam.tf": "# tffix:ignore[TFX301]\n" + ROLE_POLICY}
    assert unchanged(R, files) and findings(R, files) == []
    checkov = ROLE_POLICY.replace('  name = "flow"\n', '  name = "flow"\n  #checkov:skip=CKV_AWS_290:reviewed\n')
    assert findings(R, {"network.tf": NETWORK, "iam.tf": checkov}) == []


# ---- the seed ----------------------------------------------------------------------------


SEED_WRONG = """\
resource "aws_iam_role_policy" "flow_logs" {
  role = aws_iam_role.flow.id
  policy = jsonencode({
    Statement = [{
      Action = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams"
      ]
      Resource = "*" # Too permissive
    }]
  })
}
"""


def test_seed_001_section_9_wrong_becomes_corrected(snapshot) -> None:
    """Seed 001 §9's wrong policy (wired to a flow log, role and log group)
    comes out as its corrected policy; the comment on `Resource = "*"` stays
    with the "*" the Describe statement keeps."""
    diff = check_fix(R, {"network.tf": NETWORK, "iam.tf": SEED_WRONG})
    assert diff == snapshot
    out, _ = fix(R, {"network.tf": NETWORK, "iam.tf": SEED_WRONG})
    assert out["iam.tf"].splitlines()[4:20] == [
        "      Action = [", '        "logs:CreateLogGroup",', '        "logs:CreateLogStream",',
        '        "logs:PutLogEvents"', "      ]", "      Resource = [", "        aws_cloudwatch_log_group.flow.arn,",
        '        "${aws_cloudwatch_log_group.flow.arn}:*"', "      ]", "      }, {", "      Action = [",
        '        "logs:DescribeLogGroups",', '        "logs:DescribeLogStreams"', "      ]",
        '      Resource = "*" # Too permissive', "    }]"]


def test_resource_comment_moves_to_the_copy_in_documents() -> None:
    doc = POLICY_DOCUMENT.replace('resources = ["*"]', 'resources = ["*"] # Describe needs it')
    out, _ = fix(R, NETWORK + "\n" + doc)
    assert out["main.tf"].splitlines()[25:32] == [
        '    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]',
        '    resources = [aws_cloudwatch_log_group.flow.arn, "${aws_cloudwatch_log_group.flow.arn}:*"]', "  }", "",
        "  statement {", '    actions   = ["logs:DescribeLogStreams"]', '    resources = ["*"] # Describe needs it']
