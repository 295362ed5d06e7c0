"""Rules for CloudWatch Logs, CloudTrail, VPC flow logs and load balancer access logs."""
