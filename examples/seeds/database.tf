# Seed 000 §1/§6, seed 002 §2.2: an unencrypted, public database with a literal password.
resource "aws_db_instance" "main" {
  identifier          = "app-db"
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  allocated_storage   = 20
  username            = "app"
  password            = "Sup3rS3cret!"
  publicly_accessible = true
  skip_final_snapshot = true
}

# Seed 001 §1: Serverless v2 scaling next to provisioned instances.
resource "aws_rds_cluster" "main" {
  cluster_identifier = "app-aurora"
  engine             = "aurora-postgresql"
  master_username    = "app"
  master_password    = random_password.master.result

  serverlessv2_scaling_configuration {
    max_capacity = 2.0
    min_capacity = 0.5
  }
}

resource "aws_rds_cluster_instance" "main" {
  count              = 2
  cluster_identifier = aws_rds_cluster.main.id
  instance_class     = "db.t3.medium"
  engine             = aws_rds_cluster.main.engine
}

# Seed 001 §13: all special characters allowed.
resource "random_password" "master" {
  length  = 32
  special = true
}
