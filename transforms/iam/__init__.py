"""Rules for IAM policies and roles: wildcards, scoping, hard-coded account ids."""
