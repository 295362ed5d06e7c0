# CKV_AWS_290: the flow-log role's writes on "*" in heredoc JSON (the policy AWS documents, with the
# Describe actions). Checkov reads heredoc JSON after the fix; a jsonencode with references it cannot read
resource "aws_cloudwatch_log_group" "flow_logs" {
  name = "/aws/vpc/flow-logs"
}

resource "aws_iam_role" "flow_logs" {
  name_prefix        = "flow-logs-"
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole"
      }]
    }
  EOF
}

resource "aws_iam_role_policy" "flow_logs" {
  role   = aws_iam_role.flow_logs.id
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Action": [
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "logs:DescribeLogGroups",
          "logs:DescribeLogStreams"
        ],
        "Resource": "*"
      }]
    }
  EOF
}

resource "aws_flow_log" "main" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn    = aws_iam_role.flow_logs.arn
}
