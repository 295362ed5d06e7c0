# CKV_AWS_25: RDP open to the internet
resource "aws_security_group" "windows" {
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
