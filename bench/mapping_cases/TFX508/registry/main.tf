# CKV_TF_2: a registry module without version; .terraform/modules/modules.json records the installed one
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"

  name = "main"
}
