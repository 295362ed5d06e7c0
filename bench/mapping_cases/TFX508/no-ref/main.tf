# CKV_TF_1 / CKV_TF_2: a git source without ?ref= (reported: no commit to pin to)
module "labels" {
  source = "git::https://github.com/example/terraform-labels.git"

  name = "app"
}
