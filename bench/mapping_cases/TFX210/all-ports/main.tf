# CKV_AWS_277: every port open to the internet (also fails CKV_AWS_24 and CKV_AWS_25)
resource "aws_security_group_rule" "everything" {
  type              = "ingress"
  security_group_id = aws_security_group.app.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}
