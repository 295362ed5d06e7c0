# CKV_AWS_162: an Aurora cluster without IAM database authentication
resource "aws_rds_cluster" "main" {
  cluster_identifier = "app"
  engine             = "aurora-postgresql"
  engine_version     = "16.4"
}
