"""Rules for EC2, Auto Scaling and containers: EBS encryption, IMDSv2, launch configurations, ECR."""
