"""The rule engine: the rule contract, the module index, suppressions and the fix loop."""
