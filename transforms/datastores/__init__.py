"""Rules for DynamoDB and ElastiCache."""
