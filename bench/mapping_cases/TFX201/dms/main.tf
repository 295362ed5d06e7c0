# CKV_AWS_89: a public DMS replication instance
resource "aws_dms_replication_instance" "main" {
  replication_instance_id    = "migration"
  replication_instance_class = "dms.t3.medium"
  publicly_accessible        = true
}
