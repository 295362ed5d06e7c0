"""What an instance's user data says, as far as the code shows it.

User data is written inline (a string or heredoc), read from a file (`file`,
`templatefile`, `filebase64`), wrapped in `base64encode` / `base64gzip`, passed
through locals, or rendered by `template_file` / `cloudinit_config` data sources.
The reader follows those forms and collects the literal text it finds; anything else
(a variable, a resource attribute, a file it cannot open) is named in ``unreadable``,
so a rule can say what it could not check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tffix.engine.module import Module
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, string_text

MAX_FILE = 1_000_000
_WRAPPERS = ("base64encode", "base64gzip", "trimspace", "chomp", "join", "format", "replace")
_FILE_READERS = ("file", "templatefile", "filebase64")


@dataclass
class UserData:
    texts: list[str] = field(default_factory=list)  # literal text found
    unreadable: list[str] = field(default_factory=list)  # what could not be read, as written


def read_user_data(module: Module, expr: cst.Node) -> UserData:
    out = UserData()
    _read(module, expr, out, depth=0)
    return out


def _literal_text(expr: cst.Template | cst.Heredoc) -> str:
    """The literal text of a string; interpolations and directives contribute nothing."""
    return string_text(expr).value().replace(HOLE, "")  # type: ignore[union-attr]


def _read(module: Module, expr: cst.Node, out: UserData, depth: int) -> None:
    if depth > 8:
        out.unreadable.append(expr.code.strip())
        return
    expr = cst.sole_expression(expr)
    if isinstance(expr, cst.Parens):
        _read(module, expr.expr, out, depth + 1)
    elif isinstance(expr, (cst.Template, cst.Heredoc)):
        out.texts.append(_literal_text(expr))
    elif isinstance(expr, cst.Literal) and expr.value is None:
        return
    elif isinstance(expr, cst.FunctionCall) and expr.name in _FILE_READERS and expr.arguments:
        _read_file(module, expr.arguments[0], out)
    elif isinstance(expr, cst.FunctionCall) and expr.name in _WRAPPERS:
        for arg in expr.arguments:
            _read(module, arg, out, depth + 1)
    elif isinstance(expr, cst.Traversal) and expr.path[:1] == ["local"] and len(expr.path) >= 2:
        found = module.locals().get(expr.path[1])
        if found is None:
            out.unreadable.append(expr.code.strip())
        else:
            _read(module, found[1].value, out, depth + 1)
    elif isinstance(expr, cst.Traversal) and expr.path[:1] == ["data"] and expr.path[-1:] == ["rendered"]:
        _read_data_source(module, expr, out, depth)
    else:
        out.unreadable.append(expr.code.strip())


def _read_data_source(module: Module, expr: cst.Traversal, out: UserData, depth: int) -> None:
    target = module.resolve(expr)
    kind = target.block.label_values[0] if target is not None else ""
    if target is None or kind not in ("template_file", "cloudinit_config"):
        out.unreadable.append(expr.code.strip())
        return
    if kind == "template_file":
        template = target.block.get_attribute("template")
        if template is None:
            out.unreadable.append(expr.code.strip())
        else:
            _read(module, template.value, out, depth + 1)
        return
    for part in target.block.find_blocks("part"):
        content = part.get_attribute("content")
        if content is not None:
            _read(module, content.value, out, depth + 1)
    if target.block.find_blocks("dynamic"):
        out.unreadable.append(f"{expr.code.strip()} (dynamic part blocks)")


def _read_file(module: Module, arg: cst.Node, out: UserData) -> None:
    """``"${path.module}/x.sh"`` or a plain relative path, read from the module's
    directory; anything else is unreadable."""
    shown = arg.code.strip()
    relative = None
    text = string_text(arg) if isinstance(arg, cst.Template) else None
    if text is not None and not text.holes:
        relative = text.value()
    elif text is not None and len(text.holes) == 1 and text.holes[0].start == 0:
        hole = text.holes[0].node
        if (isinstance(hole, cst.Interpolation) and isinstance(hole.expr, cst.Traversal)
                and hole.expr.path == ["path", "module"]):
            relative = text.value()[len(HOLE):].lstrip("/")
    if relative is None:
        out.unreadable.append(shown)
        return
    path = Path(module.directory) / relative
    try:
        if path.stat().st_size > MAX_FILE:
            raise OSError("too large")
        out.texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError:
        out.unreadable.append(shown)
