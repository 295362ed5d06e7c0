"""Rules on Terraform itself: version constraints, providers, backends, references, formatting, code hygiene."""
