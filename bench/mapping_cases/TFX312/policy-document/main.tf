# CKV_AWS_111 / CKV_AWS_356: a data "aws_iam_policy_document" granting write actions on "*"
data "aws_iam_policy_document" "writer" {
  statement {
    actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "writer" {
  name   = "writer"
  policy = data.aws_iam_policy_document.writer.json
}
