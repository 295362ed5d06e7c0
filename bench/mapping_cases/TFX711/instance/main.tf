# CKV2_AWS_60: an RDS instance without copy_tags_to_snapshot
resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
