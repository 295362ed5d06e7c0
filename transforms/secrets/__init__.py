"""Rules for secrets and keys: literal passwords, generated passwords, sensitive outputs, credentials, rotation."""
