"""Rules for Lambda: packaging and function URLs."""
