"""``terraform fmt`` in Python: ``format_code(text)`` / ``format_tree(tree)``.

The output is what ``terraform fmt`` (v1.11, hclwrite v2.23) writes for the
file, byte for byte, apart from the documented improvements below. Two
passes over the CST:

1. Terraform's rewrites, on the tree (``internal/command/fmt.go``), applied to
   the attributes of every body (not to object items inside expressions) and
   to every block:

   * an attribute whose value is a single interpolation, ``"${x}"``, becomes
     ``x``; if the interpolation holds a newline (outside a comment) the value
     is wrapped in parentheses, ``"${a ?\\n b : c}"`` -> ``(a ?\\n b : c)``,
     unless it already is one parenthesized expression;
   * in a top-level ``variable`` block, ``type`` is not unwrapped but its
     legacy forms are rewritten: ``"string"`` -> ``string``, ``"list"`` ->
     ``list(string)``, ``"map"`` -> ``map(string)``, and a bare ``list`` /
     ``map`` / ``set`` -> ``list(any)`` / ``map(any)`` / ``set(any)``;
   * every block label is written as a quoted string with hclwrite's escapes
     (``resource aws_s3_bucket b`` -> ``resource "aws_s3_bucket" "b"``,
     ``"\\u0041"`` -> ``"A"``, non-printable characters as ``\\uXXXX``);
   * a UTF-8 byte order mark is dropped.

2. Layout, by ``tffix.layout`` (the one implementation of terraform's layout
   rules, which the edit API uses too): every token's ``pre`` is recomputed
   from hclwrite's rules: two-space indentation by bracket depth, the spacing
   table between tokens, ``=`` aligned across consecutive single-line
   assignments, same-line comments aligned across consecutive lines,
   trailing spaces removed, tabs outside strings, heredocs and comments
   replaced. Heredoc bodies, strings and comment text are never touched; line
   endings (LF or CRLF) and blank lines are kept.

Where tffix does better than terraform fmt (each keeps information or
validity that terraform loses; ``IMPROVEMENTS`` names them, and
``compat=True`` turns them all off for terraform's exact bytes). Running
``terraform fmt`` on tffix's output changes nothing, except that it would
delete what the first two and the index keys below keep:

* comments before or between block labels are kept (terraform deletes them:
  ``resource /* a */ "x" /* b */ "y" {}``);
* labels that contain ``$`` or ``%`` are kept (terraform deletes the whole
  label: ``resource "x" "a$b" {}`` becomes ``resource "x" {}``);
* nested interpolations are unwrapped to the end in one run
  (``"${"${x}"}"`` -> ``x``; terraform needs two runs, so its output is not
  stable under a second ``terraform fmt``);
* a multi-line interpolation that starts with ``(`` and ends with ``)`` that
  do not match, ``"${(a) +\\n(b)}"``, is wrapped in parentheses (terraform
  writes ``(a) +\\n(b)``, which does not parse);
* an interpolation holding a ``#`` / ``//`` comment outside brackets is
  wrapped in parentheses, so the comment stays inside the expression
  (terraform writes ``x = # c`` on one line and the value on the next, or
  ``x = a || # c`` and the rest on the next line, which do not parse, or
  leaves a blank line after the attribute);
* an interpolation that ends with a heredoc keeps the heredoc's closing
  marker alone on its line: ``b { a = "${<<EOT ... EOT\\n}" }`` becomes
  ``b { a = (<<EOT ... EOT\\n) }`` (terraform writes ``EOT }``, and then the
  heredoc never ends);
* an index by ``true``, ``false`` or ``null`` in a reference keeps its key
  (terraform writes ``var.m[true]`` as ``var.m[]``, which does not parse);
* spaces or tabs after the last newline of the file are removed (terraform
  keeps them, tabs turned into spaces), and a file holding only a byte order
  mark becomes empty (terraform writes three spaces).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tffix.syntax import cst
from tffix.syntax.layout import (
    all_tokens,
    apply_layout,
    bracket_change,
    fmt_tokens,
    format_tokens,
    layout_code,
    trivia_tokens,
)
from tffix.syntax.lexer import Token
from tffix.syntax.parser import parse

__all__ = ["format_code", "format_pieces", "format_tree", "formatted_code", "escape_label", "IMPROVEMENTS"]

# The improvements over terraform fmt, by name (``compat`` turns them off).
IMPROVEMENTS = {
    "label-comments": "comments before or between block labels are kept",
    "dollar-labels": "block labels containing $ or % are kept",
    "nested-interpolation": "nested interpolations are unwrapped in one run",
    "paren-check": "a multi-line interpolation is wrapped unless it is one parenthesized expression",
    "line-comments": "an interpolation holding a line comment outside brackets is wrapped in parentheses",
    "heredoc-end": "an interpolation ending with a heredoc keeps the closing marker alone on its line",
    "eof-spaces": "spaces after the last newline are removed",
    "index-keys": "index keys true, false and null in references are kept",
}


def format_code(text: str, path: str | None = None, *, compat: bool | Iterable[str] = False,
                lazy: bool = False) -> str:
    """The file as ``terraform fmt`` would write it (raises ``ParseError``
    for input terraform rejects too). ``compat=True`` reproduces terraform
    byte for byte, its losses included (every entry of ``IMPROVEMENTS`` off;
    or give the names of the ones to turn off). ``lazy=True``: the same
    result, formatted a few top-level items at a time (``format_pieces``),
    so a huge file never has its whole tree in memory."""
    if lazy:
        return "".join(after for _, after in format_pieces(parse(text, path, lazy=True), compat=compat))
    return formatted_code(parse(text, path), compat=compat, owned=True)


def format_pieces(tree: cst.File, *, compat: bool | Iterable[str] = False) -> Iterator[tuple[str, str]]:
    """The file in consecutive pieces, each as it is and as ``formatted_code``
    writes it: joined, the pieces are ``tree.code`` and ``formatted_code(tree)``.

    For a lazy tree (``parse(text, lazy=True)``) a piece is a run of top-level
    items, parsed and formatted alone and then dropped, so memory stays that
    of one piece. A piece ends where nothing before it can be laid out with
    anything after it: before an item whose first line is blank. There the
    indentation is back to none and the blank line ends every run of
    aligned ``=`` and comments; terraform's rewrites are per attribute and
    per block. Runs of items without blank lines between them (a ``.tfvars``
    file's attributes, aligned together) stay in one piece. Any other tree
    is one piece."""
    body = tree.body
    if not isinstance(body, cst.LazyBody):
        yield tree.code, formatted_code(tree, compat=compat)
        return
    text = body._text
    parts: list[str] = [tree.bom]
    parts.extend(tok.pre + tok for tok in tree.header)
    for i, entry in enumerate(body.entries):
        if isinstance(entry, cst.Stub):
            part, blank_above = text[entry.start : entry.end], entry.blank_above
        else:
            part = entry.code
            lead = entry.leading
            blank_above = bool(lead) and lead[0].type == "NL" and lead[0].pre.strip(" \t") == ""
        if blank_above and i:
            yield _format_piece(parts, tree.path, compat)
        parts.append(part)
    parts.extend(tok.pre + tok for tok in [*body.trailing, tree.eof])
    yield _format_piece(parts, tree.path, compat)


def _format_piece(parts: list[str], path: str | None, compat: bool | Iterable[str]) -> tuple[str, str]:
    piece = "".join(parts)
    parts.clear()
    return piece, formatted_code(parse(piece, path), compat=compat, owned=True)


def _quirks(compat: bool | Iterable[str]) -> frozenset[str]:
    return frozenset(IMPROVEMENTS if compat is True else () if compat is False else compat)


# quirks whose rewrites formatted_code's fast path does not look for
_TREE_QUIRKS = frozenset({"label-comments", "dollar-labels", "index-keys"})


def formatted_code(tree: cst.File, *, compat: bool | Iterable[str] = False, owned: bool = False) -> str:
    """``format_tree(tree).code`` without changing ``tree`` (unless ``owned``:
    the caller gives the tree away). When none of terraform's rewrites
    applies (the common case) the layout is computed and the text joined
    without writing anything into the tree; otherwise a copy is parsed from
    ``tree.code`` and formatted."""
    if isinstance(tree.body, cst.LazyBody):
        return "".join(after for _, after in format_pieces(tree, compat=compat))
    quirks = _quirks(compat)
    if quirks & _TREE_QUIRKS or _has_rewrites(tree.body, (), quirks):
        if not owned:
            tree = parse(tree.code, tree.path)
        return format_tree(tree, compat=compat).code
    eof_spaces = _eof_spaces(tree) if "eof-spaces" in quirks else 0
    stream, owners = fmt_tokens(all_tokens(tree))
    format_tokens(stream)
    stream[-1].spaces = eof_spaces  # hclwrite never respaces EOF; tffix ends the file at its last newline
    return layout_code(owners)  # the byte order mark is dropped


def _has_rewrites(body: cst.Body, in_blocks: tuple[str, ...], quirks: frozenset[str]) -> bool:
    """Would ``_rewrite_body`` change anything (quirks outside ``_TREE_QUIRKS``)?"""
    stack = [(body, in_blocks)]
    while stack:
        body, in_blocks = stack.pop()
        for item in body.items:
            if isinstance(item, cst.Attribute):
                if in_blocks == ("variable",) and item.name == "type":
                    if _legacy_type_of(item.value) is not None:
                        return True
                else:
                    value = item.value
                    if (isinstance(value, cst.Template) and len(value.parts) == 1
                            and isinstance(value.parts[0], cst.Interpolation)
                            and _single_sequence(value.parts[0].expr)):
                        return True
            else:
                for label in item.labels:
                    if label.quoted:
                        raw = "".join(label.tokens_[1:-1])
                        if not _plain_label(raw) and escape_label(cst.unescape(raw)) != raw:
                            return True
                    else:
                        return True
                stack.append((item.body, (*in_blocks, item.type)))
    return False


def _plain_label(raw: str) -> bool:
    """Printable ASCII without escapes or template characters: hclwrite writes
    such a label back as it is."""
    return raw.isascii() and raw.isprintable() and not any(c in raw for c in '\\"$%')


def format_tree(tree: cst.File, *, compat: bool | Iterable[str] = False) -> cst.File:
    """Format ``tree`` in place (nodes are kept; a few values and labels are
    replaced) and return it."""
    quirks = _quirks(compat)
    eof_spaces = _eof_spaces(tree) if "eof-spaces" in quirks else 0
    tree.bom = ""
    if "index-keys" in quirks:
        _drop_index_keys(tree, frozenset())
    _rewrite_body(tree.body, (), None, quirks)
    stream, owners = fmt_tokens(all_tokens(tree))
    format_tokens(stream)
    stream[-1].spaces = eof_spaces  # hclwrite never respaces EOF; tffix ends the file at its last newline
    apply_layout(owners)
    return tree


_TRAILING_BLANK = re.compile(r"[ \t]*\Z")


def _eof_spaces(tree: cst.File) -> int:
    """The spaces hclwrite keeps before EOF: the blanks after the last newline
    or token (outside a comment); a lone byte order mark counts as 3."""
    tokens = all_tokens(tree)
    eof = tokens[-1]
    pre = eof.pre
    if len(tokens) > 1 and tokens[-2].type == "NL" and not tokens[-2]:
        pre = tokens[-2].pre + pre
    pieces = list(re.finditer(r"(?:#|//)[^\r\n]*|/\*.*?\*/|\r?\n", pre, re.S))
    tail = pre[pieces[-1].end():] if pieces else pre
    spaces = len(_TRAILING_BLANK.search(tail).group())  # type: ignore[union-attr]
    if len(tokens) == 1 and tree.bom:
        spaces += len(tree.bom.encode())
    return spaces


# ---- terraform's rewrites ---------------------------------------------------


def _rewrite_body(body: cst.Body, in_blocks: tuple[str, ...], owner: cst.Block | None,
                  quirks: frozenset[str]) -> None:
    for item in body.items:
        if isinstance(item, cst.Attribute):
            if in_blocks == ("variable",) and item.name == "type":
                _legacy_type(item)
            else:
                _unwrap(item, item.newline if item.newline is not None else owner.rbrace,  # type: ignore[union-attr]
                        quirks)
        else:
            _quote_labels(item, quirks)
            _rewrite_body(item.body, (*in_blocks, item.type), item, quirks)


def _drop_index_keys(tree: cst.Node, names: frozenset[str]) -> None:
    """hclwrite's bug, for ``compat``: in a reference (a traversal from a
    root-scope name), an index step whose key is ``true``, ``false`` or
    ``null`` loses everything between its brackets: ``var.m[true]`` becomes
    ``var.m[]``. The reference is the static part of the traversal (up to the
    first index by an expression or splat); names a ``for`` introduces are not
    references inside it. A loop over a stack, not recursion: terraform accepts
    expressions nested deeper than Python's recursion limit."""
    stack: list[tuple[cst.Node, frozenset[str]]] = [(tree, names)]
    while stack:
        node, local_names = stack.pop()
        if isinstance(node, (cst.ForTuple, cst.ForObject)):
            stack.append((node.intro.collection, local_names))
            inner = local_names | {str(t) for t in (node.intro.key_var, node.intro.value_var) if t is not None}
            for part in ((node.key, node.value, node.cond) if isinstance(node, cst.ForObject)
                         else (node.value, node.cond)):
                if part is not None:
                    stack.append((part, inner))
            continue
        if isinstance(node, cst.Traversal) and isinstance(node.root, cst.Variable) \
                and node.root.name not in local_names:
            for step in node.steps:
                if isinstance(step, cst.Index):
                    key = step.key
                    if isinstance(key, cst.Literal) and key.token.type != "NUMBER":
                        step.key = cst.Literal(Token.make("IDENT", ""))
                        step.rbrack.pre = ""
                    elif not (isinstance(key, (cst.Literal, cst.Template)) and getattr(key, "is_literal", True)):
                        break
                elif not isinstance(step, (cst.GetAttr, cst.LegacyIndex)):
                    break
        for name in node._fields:
            value = getattr(node, name)
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, cst.Node):
                    stack.append((child, local_names))


_LEGACY_QUOTED = {"string": "string", "list": "list(string)", "map": "map(string)"}
_BARE_COLLECTIONS = {"list", "map", "set"}


def _legacy_type_of(value: cst.Expr) -> str | None:
    """The modern form of a legacy type constraint, or None."""
    if isinstance(value, cst.Variable) and value.name in _BARE_COLLECTIONS:
        return f"{value.name}(any)"
    if isinstance(value, cst.Template) and len(value.parts) == 1 and isinstance(value.parts[0], Token):
        return _LEGACY_QUOTED.get(str(value.parts[0]))
    return None


def _legacy_type(attr: cst.Attribute) -> None:
    value = attr.value
    new = _legacy_type_of(value)
    if new is not None:
        node = parse(f"x = {new}\n").body.items[0].value  # type: ignore[union-attr]
        node.first_token().pre = value.first_token().pre
        attr.value = node


def _unwrap(attr: cst.Attribute, next_token: Token, quirks: frozenset[str]) -> None:
    """``"${x}"`` -> ``x`` (repeated for nested ones: one run is enough)."""
    for _ in range(1 if "nested-interpolation" in quirks else 1 << 30):
        value = attr.value
        if not (isinstance(value, cst.Template) and len(value.parts) == 1
                and isinstance(value.parts[0], cst.Interpolation)):
            return
        interp = value.parts[0]
        inner = interp.expr
        if not _single_sequence(inner):
            return
        first, last = inner.first_token(), inner.last_token()
        lead = _trim(trivia_tokens(first.pre), leading=True)
        trail = _trim(trivia_tokens(interp.close.pre), leading=False)
        inner_stream, _ = fmt_tokens(all_tokens(inner))
        inner_stream = inner_stream[len(trivia_tokens(first.pre)) :]
        interior = [*lead, *inner_stream, *trail]
        # terraform wraps a value holding a newline in parentheses, unless its
        # first and last tokens are ( and ); tffix also wants them to match
        multiline = any(t.kind == "NL" for t in interior)
        first_is_paren = not lead and first.type == "LPAREN"
        last_is_paren = not trail and last.type == "RPAREN"
        one_pair = isinstance(inner, cst.Parens) or "paren-check" in quirks
        wrap = multiline and not (first_is_paren and last_is_paren and one_pair)
        # tffix: a line comment outside brackets would end the attribute
        if "line-comments" not in quirks and _line_comment_outside_brackets(interior):
            wrap = True
        # tffix: a heredoc's closing marker must stay alone on its line
        heredoc_end = "heredoc-end" not in quirks and last.type == "CHEREDOC"
        if heredoc_end and (next_token.type != "NL" or next_token.pre.strip(" \t")):
            wrap = True
        outer_pre = value.first_token().pre
        if wrap:
            first.pre = _trivia(lead)
            close_pre = _trivia(trail)
            if heredoc_end and not (trail and trail[0].kind == "NL"):
                close_pre = "\n" + close_pre
            attr.value = cst.Parens(Token.make("LPAREN", "(", outer_pre), inner,
                                    Token.make("RPAREN", ")", close_pre))
        else:
            first.pre = outer_pre + _trivia(lead)
            if trail:
                next_token.pre = _trivia(trail) + next_token.pre
            attr.value = inner


def _line_comment_outside_brackets(tokens: list) -> bool:
    depth = 0
    for t in tokens:
        if t.kind == "COMMENT" and depth == 0 and not t.text.startswith("/*"):
            return True
        depth += bracket_change(t.kind)
    return False


def _single_sequence(inner: cst.Expr) -> bool:
    """terraform's test: no other template sequence outside nested quoted
    strings (a heredoc with an interpolation inside counts as one)."""
    quotes = 0
    for tok in all_tokens(inner):
        if tok.type == "OQUOTE":
            quotes += 1
        elif tok.type == "CQUOTE":
            quotes -= 1
        elif quotes == 0 and tok.type in ("TINTERP", "TSEQEND", "QLIT"):
            return False
    return True


def _trim(pieces: list, leading: bool) -> list:
    """Drop the newlines at the start (or end) of an interpolation's trivia."""
    if leading:
        while pieces and pieces[0].kind == "NL":
            pieces.pop(0)
    else:
        while pieces and pieces[-1].kind == "NL":
            pieces.pop()
    return pieces


def _trivia(pieces: list) -> str:
    """Trivia text for comment and newline tokens (layout respaces it)."""
    out = []
    for p in pieces:
        if out and not out[-1].endswith("\n"):
            out.append(" ")
        out.append(p.emit)
    return "".join(out) + (" " if out and not out[-1].endswith("\n") else "")


_HCLSYNTAX_QLIT = re.compile(r"\$\$\{~?|%%\{~?|[$%]|(?:\\.|[^$%\\])+", re.S)


def _quote_labels(block: cst.Block, quirks: frozenset[str]) -> None:
    if "label-comments" in quirks:  # terraform drops what sits before each label
        for label in block.labels:
            first = label.tokens_[0]
            first.pre = " " if first.pre else ""
    if "dollar-labels" in quirks:  # hclwrite cannot read a label hclsyntax lexes as several tokens
        block.labels = [lab for lab in block.labels if not lab.quoted or len(_HCLSYNTAX_QLIT.findall(
            "".join(str(t) for t in lab.tokens_[1:-1]))) <= 1]
    for label in block.labels:
        if label.quoted:
            raw = "".join(str(t) for t in label.tokens_[1:-1])
            value = cst.unescape(raw)
        else:
            raw = value = str(label.tokens_[0])
        escaped = escape_label(value)
        if label.quoted and escaped == raw:
            continue
        tokens = [Token.make("OQUOTE", '"', label.tokens_[0].pre)]
        if escaped:
            tokens.append(Token.make("QLIT", escaped))
        tokens.append(Token.make("CQUOTE", '"'))
        label.tokens_ = tokens


def escape_label(value: str) -> str:
    """A label's value as hclwrite quotes it (``TokensForValue``)."""
    out = []
    for i, c in enumerate(value):
        if c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c in "$%":
            out.append(c + c if value[i + 1 : i + 2] == "{" else c)
        elif not c.isprintable():
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    return "".join(out)
