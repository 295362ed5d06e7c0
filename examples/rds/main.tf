# An example module with mistakes generated Terraform often makes.
# Try: tffix --dry-run examples/

resource "aws_db_instance" "app" {
  identifier        = "app-db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "app"
  password          = "change-me-please"
}

resource "aws_rds_cluster_instance" "reader" {
  cluster_identifier  = "app-cluster"
  instance_class      = "db.r6g.large"
  publicly_accessible = true
}
