"""Rules for CloudWatch alarms."""
