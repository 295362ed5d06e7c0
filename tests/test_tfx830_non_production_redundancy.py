"""TFX830 non-production-redundancy."""

from __future__ import annotations

from tffix.transforms.cost.non_production_redundancy import NonProductionRedundancy as R

from .rulekit import findings, fix

DEV = 'variable "environment" {\n  default = "dev"\n}\n\n'

TEXT = DEV + """\
resource "aws_nat_gateway" "main" {
  count         = length(var.public_subnet_cidrs)
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
}

resource "aws_rds_cluster_instance" "main" {
  count              = 2
  cluster_identifier = aws_rds_cluster.main.id
  instance_class     = "db.r6g.large"
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"

  name               = "app"
  azs                = ["eu-west-1a", "eu-west-1b"]
  private_subnets    = ["10.0.1.0/24", "10.0.2.0/24"]
  enable_nat_gateway = true
  single_nat_gateway = false
}
"""


def _records(files):
    out, result = fix(R, files)
    assert out == (files if isinstance(files, dict) else {"main.tf": files})
    return [(r.path, r.line, r.column, r.fixable, r.message) for r in result.remaining]


def test_reports_redundancy_in_dev(snapshot) -> None:
    assert _records(TEXT) == snapshot


def test_production_and_unknown_environments_are_quiet() -> None:
    assert findings(R, TEXT.replace('"dev"', '"prod"')) == []
    assert findings(R, TEXT.replace(DEV, "")) == []


def test_nat_gateway_counts() -> None:
    nat = DEV + 'resource "aws_nat_gateway" "a" {\n  count     = 2\n  subnet_id = "subnet-1"\n}\n'
    assert findings(R, nat) == [("TFX830", 6, False)]
    assert findings(R, nat.replace("count     = 2", "count     = 1")) == []
    assert findings(R, nat.replace("count     = 2", "count     = var.nat_count")) == []
    assert findings(R, nat.replace("count     = 2", 'count     = var.environment == "prod" ? 2 : 1')) == []
    each = nat.replace("count     = 2", 'for_each  = toset(["a", "b"])')
    assert findings(R, each) == [("TFX830", 6, False)]
    one_zone = DEV + 'variable "azs" {\n  default = ["eu-west-1a"]\n}\n\n' \
        'resource "aws_nat_gateway" "a" {\n  count     = length(var.azs)\n  subnet_id = "subnet-1"\n}\n'
    assert findings(R, one_zone) == []
    assert findings(R, one_zone.replace('["eu-west-1a"]', '["eu-west-1a", "eu-west-1b"]')) == [("TFX830", 10, False)]


def test_separate_nat_gateways() -> None:
    text = DEV + 'resource "aws_nat_gateway" "a" {\n  subnet_id = "subnet-1"\n}\n\n' \
        'resource "aws_nat_gateway" "b" {\n  subnet_id = "subnet-2"\n}\n'
    assert findings(R, text) == [("TFX830", 9, False)]
    assert findings(R, text.split("\n\nresource \"aws_nat_gateway\" \"b\"")[0] + "\n") == []


def test_named_environments_and_directories() -> None:
    text = 'resource "aws_nat_gateway" "a" {\n  count = 3\n\n  tags = {\n    Environment = "staging"\n  }\n}\n'
    assert findings(R, text) == [("TFX830", 2, False)]
    plain = 'resource "aws_nat_gateway" "a" {\n  count = 3\n}\n'
    assert findings(R, plain) == []
    _, result = fix(R, plain, directory="repo/environments/dev")
    assert [r.line for r in result.remaining] == [2]


def test_aurora_instances() -> None:
    two = DEV + 'resource "aws_rds_cluster_instance" "a" {\n  cluster_identifier = aws_rds_cluster.main.id\n}\n\n' \
        'resource "aws_rds_cluster_instance" "b" {\n  cluster_identifier = aws_rds_cluster.main.id\n}\n'
    assert findings(R, two) == [("TFX830", 9, False)]
    other = two.replace("main.id\n}\n", "other.id\n}\n", 1)
    assert findings(R, other) == []
    counted = DEV + 'resource "aws_rds_cluster_instance" "a" {\n  count              = local.n\n' \
        '  cluster_identifier = aws_rds_cluster.main.id\n}\n'
    assert findings(R, counted) == []
    # the cluster's own name says dev
    named = 'resource "aws_rds_cluster" "main" {\n  cluster_identifier = "orders-dev"\n}\n\n' \
        'resource "aws_rds_cluster_instance" "a" {\n  count              = 2\n' \
        '  cluster_identifier = aws_rds_cluster.main.id\n}\n'
    assert findings(R, named) == [("TFX830", 6, False)]


def test_vpc_module_variants() -> None:
    base = TEXT.split('module "vpc"')[0].split("resource")[0] + 'module "vpc"' + TEXT.split('module "vpc"')[1]
    assert findings(R, base) == [("TFX830", 12, False)]
    assert findings(R, base.replace("single_nat_gateway = false", "single_nat_gateway = true")) == []
    assert findings(R, base.replace("single_nat_gateway = false", "single_nat_gateway = var.single")) == []
    assert findings(R, base.replace("enable_nat_gateway = true", "enable_nat_gateway = false")) == []
    missing = base.replace("  single_nat_gateway = false\n", "")
    assert findings(R, missing) == [("TFX830", 11, False)]
    per_az = base.replace("single_nat_gateway = false", "one_nat_gateway_per_az = true")
    assert "one per Availability Zone" in _records(per_az)[0][4]
    one = base.replace('["eu-west-1a", "eu-west-1b"]', '["eu-west-1a"]').replace(', "10.0.2.0/24"', "")
    assert findings(R, one) == []
    other = base.replace("terraform-aws-modules/vpc/aws", "./modules/vpc")
    assert findings(R, other) == []
    git = base.replace("terraform-aws-modules/vpc/aws",
                       "git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git?ref=v5.0.0")
    assert findings(R, git) == [("TFX830", 12, False)]


def test_suppression_comment() -> None:
    text = TEXT.replace("  count              = 2\n", "  count              = 2 # tffix:ignore[TFX830]\n")
    assert [line for _, line, _ in findings(R, text)] == [6, 24]
