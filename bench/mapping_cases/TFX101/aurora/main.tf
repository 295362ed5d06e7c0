# CKV_AWS_96: an Aurora cluster without storage_encrypted
resource "aws_rds_cluster" "main" {
  cluster_identifier = "app"
  engine             = "aurora-postgresql"
}
