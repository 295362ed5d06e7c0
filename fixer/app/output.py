"""Rendering results: text for people, JSON for scripts, SARIF 2.1.0 for code
scanning. Pure functions from run data to strings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tffix import __version__
from tffix.engine.engine import Record
from tffix.engine.rules import Rule

__all__ = ["Summary", "text_finding", "text_summary", "to_json", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass
class Summary:
    modules: int = 0
    files: int = 0
    changed: list[str] = field(default_factory=list)
    remaining: list[Record] = field(default_factory=list)
    fixed: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    diffs: list[tuple[str, str]] = field(default_factory=list)  # (path, unified diff)


def _mark(r: Record) -> str:
    if not r.fixable:
        return ""
    return "[*] " if r.safety == "safe" else "[unsafe fix] "


def text_finding(r: Record) -> str:
    return f"{r.path}:{r.line}:{r.column}: {r.rule_id} {_mark(r)}{r.message}"


def text_summary(s: Summary, *, dry_run: bool, check: bool, unsafe_fixes: bool, show_fixes: bool) -> list[str]:
    lines: list[str] = []
    if show_fixes and s.fixed:
        verb = "Would fix" if dry_run else "Fixed"
        lines.append(f"{verb} {len(s.fixed)} finding(s):")
        for r in s.fixed:
            lines.append(f"  {r.path}:{r.line}:{r.column}: {r.rule_id} {r.fix}")
    total = len(s.remaining) + len(s.fixed)
    if check:
        fixable = sum(r.fixable for r in s.remaining)
        head = f"Found {total} finding(s)" + (f" ({fixable} fixable)" if fixable else "")
    else:
        verb = "would be fixed" if dry_run else "fixed"
        head = f"Found {total} finding(s) ({len(s.fixed)} {verb}, {len(s.remaining)} remaining)"
    changed = f"{len(s.changed)} file(s) {'would change' if dry_run else 'changed'}"
    lines.append(f"{head}; {s.modules} module(s), {s.files} file(s) scanned, {changed}.")
    if s.fixed or s.remaining:
        per_rule = Counter(r.rule_id for r in [*s.fixed, *s.remaining])
        lines.append("By rule: " + ", ".join(f"{rid} {n}" for rid, n in sorted(per_rule.items())))
    held = [r for r in s.remaining if r.held_back]
    if held and not unsafe_fixes:
        by = Counter((r.rule_id, r.impact) for r in held)
        detail = ", ".join(f"{rid} {n} ({impact})" for (rid, impact), n in sorted(by.items()))
        lines.append(f"{len(held)} unsafe fix(es) held back, use --unsafe-fixes to apply: {detail}")
    if s.errors:
        lines.append(f"{len(s.errors)} error(s).")
    return lines


def _record(r: Record) -> dict[str, Any]:
    """A record for JSON: its edits stay out (the diffs show them); ``deployment`` only
    when a state or plan said something."""
    out = asdict(r)
    del out["edits"], out["block"]
    if not out["deployment"]:
        del out["deployment"]
    if out["severity"] == "warning":  # the default: only a note lowered by the state says it
        del out["severity"]
    return out


def to_json(s: Summary) -> str:
    doc: dict[str, Any] = {
        "version": __version__,
        "findings": [_record(r) for r in s.remaining],
        "fixed": [_record(r) for r in s.fixed],
        "changes": [{"path": p, "diff": d} for p, d in s.diffs],
        "errors": s.errors,
        "summary": {
            "modules": s.modules, "files": s.files, "changed": len(s.changed),
            "findings": len(s.remaining) + len(s.fixed), "fixed": len(s.fixed), "remaining": len(s.remaining),
        },
    }
    import json  # here: the text output does not need it

    return json.dumps(doc, indent=2)


def _rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    docs = rule.docs()
    markdown = "\n\n".join(f"## {k}\n{v}" for k, v in docs.items())
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": docs.get("What it does", rule.summary)},
        "help": {"text": docs.get("Use instead", rule.summary), "markdown": markdown},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "fix": rule.fix_availability, "safety": rule.safety, "impact": rule.impact,
            "checkov": list(rule.checkov), "trivy": list(rule.trivy), "kics": list(rule.kics),
            "partial": dict(rule.partial), "tags": ["terraform", "security"],
        },
    }


def to_sarif(records: Sequence[Record], rules: Sequence[type[Rule]]) -> str:
    """SARIF 2.1.0; a record's edits become its result's ``fixes``."""
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for r in records:
        result: dict[str, Any] = {
            "ruleId": r.rule_id,
            "level": "note" if r.severity == "note" else "warning",
            "message": {"text": r.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": r.path.replace("\\", "/")},
                    "region": {"startLine": max(r.line, 1), "startColumn": max(r.column, 1)},
                }
            }],
            "properties": {"fixable": r.fixable, "safety": r.safety, "impact": r.impact},
        }
        if r.rule_id in index:
            result["ruleIndex"] = index[r.rule_id]
        if r.edits:
            by_file: dict[str, list] = {}
            for e in r.edits:
                by_file.setdefault(e.display, []).append({
                    "deletedRegion": {"charOffset": e.start, "charLength": e.end - e.start},
                    "insertedContent": {"text": e.replacement},
                })
            result["fixes"] = [{
                "description": {"text": r.fix or r.message},
                "artifactChanges": [
                    {"artifactLocation": {"uri": p.replace("\\", "/")}, "replacements": reps}
                    for p, reps in by_file.items()
                ],
            }]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tffix", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://pypi.org/project/tffix/",
                "rules": [_rule_descriptor(r) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    import json

    return json.dumps(log, indent=2)
