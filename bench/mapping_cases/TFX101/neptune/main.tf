# CKV_AWS_44: a Neptune cluster without storage_encrypted
resource "aws_neptune_cluster" "main" {
  cluster_identifier = "app"
  engine             = "neptune"
}
