# CKV_AWS_74: a DocumentDB cluster without storage_encrypted
resource "aws_docdb_cluster" "main" {
  cluster_identifier = "app"
  engine             = "docdb"
}
