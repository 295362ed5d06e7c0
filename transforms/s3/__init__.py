"""Rules for S3 buckets: encryption, public access, versioning, access logs, lifecycle."""
