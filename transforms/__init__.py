"""tffix.transforms: one rule per module; see registry.py."""
