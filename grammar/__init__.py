"""tffix.grammar: the Lark grammar file for HCL (hcl.lark)."""
