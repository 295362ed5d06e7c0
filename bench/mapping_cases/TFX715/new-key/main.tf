# CKV_AWS_353 (Performance Insights) without a storage key: the fix creates the module's
# key for RDS, so CKV_AWS_354 (Performance Insights key) does not fail after it
resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.m7g.large"
}
