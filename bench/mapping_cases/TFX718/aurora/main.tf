# CKV_AWS_324: an Aurora MySQL cluster without log exports
resource "aws_rds_cluster" "main" {
  cluster_identifier = "app"
  engine             = "aurora-mysql"
}
