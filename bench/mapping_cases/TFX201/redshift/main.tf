# CKV_AWS_87: a public Redshift cluster
resource "aws_redshift_cluster" "main" {
  cluster_identifier  = "warehouse"
  node_type           = "ra3.xlplus"
  publicly_accessible = true
}
