# CKV_AWS_293: a production RDS instance without deletion protection
variable "environment" {
  default = "prod"
}

resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
