# CKV_AWS_23 on the rule resources: aws_vpc_security_group_ingress_rule / _egress_rule without a description
resource "aws_security_group" "app" {
  name        = "app"
  description = "Application servers"
  vpc_id      = "vpc-12345678"
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "10.0.0.0/16"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/16"
}
