# CKV_AWS_145 (SSE-KMS by default): resolved with the option sse-algorithm = "aws:kms"
# (.tffix.toml here), which writes SSE-KMS with the module's key (a new aws_kms_key.s3)
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
