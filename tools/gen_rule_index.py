#!/usr/bin/env python3
"""Generate transforms/rule_index.py, the index of the rules, from the rules themselves.

    python3 tools/gen_rule_index.py           # (re)write transforms/rule_index.py
    python3 tools/gen_rule_index.py --check   # exit 1 if it is out of date

A run of tffix chooses its rules and checks its config from the index, without
importing the rule modules, and imports a rule only when a module has a block it
looks at (``RuleEntry`` in ``tffix.engine.rules``). Per rule: id, module, class,
whether it runs by default, its option names, and ``looks_at``, read from the
source of its ``check`` method (ast):

- ``looks_at`` is the set of ``(kind, first label)`` that the loops of ``check``
  iterate over, written as ``for X in module.resources("aws_a", "aws_b")``,
  ``module.data_sources(...)`` or ``module.blocks("kind"[, "type"])``, with string
  literals or module-level names of strings or tuples of strings;
- or ``check`` starts by collecting such blocks and returns when there are none:
  ``found = [... for ref in module.resources(...) ...]`` (or ``list(module.resources(...))``)
  at the top of its body, then ``if not found: return``: what follows counts as inside;
- it is given only when every ``yield`` / ``yield from`` of ``check`` is inside such a
  loop or after such a guard (so in a module without those blocks nothing is yielded),
  ``check`` is a generator, and nothing before the loops (or the guard) can raise: no
  ``raise`` (an option it rejects) and no call that reads the module or the rule other
  than the queries (an error there is the rule's output in any module); else ``None``:
  the rule runs on every module.

Nested functions and lambdas are not part of ``check``'s generator and are not read.
tests/test_rule_index.py fails when the file is stale, and checks the claim on the
rules' examples (with the blocks removed, the rule finds nothing).
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any

from tffix.transforms.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "transforms" / "rule_index.py"
QUERIES = {"resources": "resource", "data_sources": "data"}


def _strings(args: list[ast.expr], namespace: dict[str, Any]) -> list[str] | None:
    out: list[str] = []
    for a in args:
        if isinstance(a, ast.Constant) and isinstance(a.value, str):
            out.append(a.value)
            continue
        value: Any = None
        if isinstance(a, ast.Starred) and isinstance(a.value, ast.Name):
            value = namespace.get(a.value.id)
            if isinstance(value, (tuple, list, frozenset, set, dict)) and all(isinstance(v, str) for v in value):
                out.extend(sorted(value))  # a dict: its keys, as ``*d`` gives them
                continue
        elif isinstance(a, ast.Name):
            value = namespace.get(a.id)
            if isinstance(value, str):
                out.append(value)
                continue
        return None
    return out


def _loop_source(node: ast.expr, module_arg: str, namespace: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The blocks a ``for`` loop's iterable goes over, when it is a query of the module."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == module_arg) or node.keywords:
        return None
    args = _strings(node.args, namespace)
    if args is None:
        return None
    name = node.func.attr
    if name in QUERIES:
        return [(QUERIES[name], t) for t in args] if args else [(QUERIES[name], "")]
    if name == "blocks" and 1 <= len(args) <= 2:
        return [(args[0], args[1] if len(args) == 2 else "")]
    return None


def _collected(value: ast.expr, module_arg: str, namespace: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The blocks a list of them is made of: ``[... for x in QUERY ...]`` or ``list(QUERY)``
    (empty when the module has none of them)."""
    if isinstance(value, ast.ListComp) and value.generators:
        return _loop_source(value.generators[0].iter, module_arg, namespace)
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "list"
            and len(value.args) == 1 and not value.keywords):
        return _loop_source(value.args[0], module_arg, namespace)
    return None


def _may_fail(statement: ast.stmt, module_arg: str) -> bool:
    """Whether a statement before the loops (or the guard) could raise in a module without
    the blocks: a ``raise`` (a bad option), or a call that reads the module or the rule
    (``satellites(module, ...)``, ``self._x(...)``: an error there, even a RecursionError on
    deep code, is reported as the rule's), other than the queries themselves. Loops over
    a query are not read here (their bodies run only when there are blocks)."""
    if isinstance(statement, ast.For):
        return _may_fail_expr(statement.iter, module_arg)
    for node in ast.walk(statement):
        if isinstance(node, ast.Raise):
            return True
    return _may_fail_expr(statement, module_arg)


def _is_query(node: ast.AST, module_arg: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == module_arg
            and node.func.attr in ("resources", "data_sources", "blocks"))


def _names_outside_queries(node: ast.AST, module_arg: str) -> set[str]:
    if _is_query(node, module_arg):
        return set()
    out = {node.id} if isinstance(node, ast.Name) else set()
    for child in ast.iter_child_nodes(node):
        out |= _names_outside_queries(child, module_arg)
    return out


def _may_fail_expr(node: ast.AST, module_arg: str) -> bool:
    """A call (other than a query: an index lookup) that reads the module or the rule."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and not _is_query(call, module_arg):
            names = _names_outside_queries(call, module_arg)
            if module_arg in names or "self" in names:
                return True
    return False


def _changed_names(statement: ast.stmt) -> set[str]:
    """Names a statement binds (anywhere in it), or calls a method of (``x.append(...)``)."""
    out = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name)):
            out.add(node.func.value.id)
    return out


def _guard(statement: ast.stmt, collected: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]] | None:
    """``if not NAME: return`` for a list of blocks collected above: the blocks."""
    if (isinstance(statement, ast.If) and not statement.orelse and len(statement.body) == 1
            and isinstance(statement.body[0], ast.Return) and statement.body[0].value is None
            and isinstance(statement.test, ast.UnaryOp) and isinstance(statement.test.op, ast.Not)
            and isinstance(statement.test.operand, ast.Name) and statement.test.operand.id in collected):
        return collected[statement.test.operand.id]
    return None


def looks_at(rule: type) -> tuple[tuple[str, str], ...] | None:
    """What ``rule.check`` looks at (see the module docstring), or None."""
    check = rule.check
    tree = ast.parse(textwrap.dedent(inspect.getsource(check))).body[0]
    assert isinstance(tree, ast.FunctionDef), rule.id
    if len(tree.args.args) < 2:
        return None
    module_arg = tree.args.args[1].arg
    namespace = vars(sys.modules[check.__module__])
    found: list[tuple[str, str]] = []
    outside = False
    generator = False

    def visit(node: ast.AST, inside: bool) -> None:
        nonlocal outside, generator
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) and node is not tree:
            return  # its own code, not check's generator
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            generator = True
            if not inside:
                outside = True
        if isinstance(node, ast.For):
            source = _loop_source(node.iter, module_arg, namespace)
            if source is not None:
                found.extend(source)
                visit(node.iter, inside)
                visit(node.target, inside)
                for child in node.body:
                    visit(child, True)
                for child in node.orelse:
                    visit(child, inside)
                return
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    collected: dict[str, list[tuple[str, str]]] = {}
    inside = False
    for statement in tree.body:
        if not inside and _may_fail(statement, module_arg):
            return None  # an error raised before the loops would be the rule's output in any module
        if not inside:
            guarded = _guard(statement, collected)
            if guarded is not None:
                found.extend(guarded)
                inside = True
                continue
            for name in _changed_names(statement):  # a list rebound or changed before its guard is not it
                collected.pop(name, None)
            if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)):
                source = _collected(statement.value, module_arg, namespace)
                if source is not None:
                    collected[statement.targets[0].id] = source
        visit(statement, inside)
    if outside or not generator or not found:
        return None
    return tuple(sorted(set(found)))


def render() -> str:
    lines = [
        '"""The index of the rules: generated by tools/gen_rule_index.py from the rules\' source; do not',
        "edit by hand (tests/test_rule_index.py fails when it is stale). ``RuleEntry`` in",
        '``tffix.engine.rules`` says what the fields mean."""',
        "",
        "# id, module, class, runs by default, option names, looks_at (None: every module)",
        "ENTRIES = (",
    ]
    for rule in RULES:
        seen = looks_at(rule)
        lines.append(f"    ({rule.id!r}, {rule.__module__!r}, {rule.__name__!r}, {rule.default_enabled!r}, "
                     f"{tuple(sorted(rule.options))!r}, {seen!r}),")
    lines.append(")")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python3 tools/gen_rule_index.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(RULES)} rules, "
          f"{sum(1 for r in RULES if looks_at(r) is not None)} imported only where they can apply)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
