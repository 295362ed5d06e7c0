"""Terraform's layout rules, as hclwrite's formatter applies them.

One implementation, used by the formatter (``tffix.format``: the whole file)
and by the edit API (the chain an edit lands in, so inserted code looks like
``terraform fmt`` output). Both see the code the way hclwrite does: as lines
of tokens cut into cells (see the whole-file pass below).

* Indentation is two spaces per level of bracket nesting.
* Spaces between tokens come from one table (``space_after``).
* ``=`` is aligned across an *assignment chain*: consecutive lines that each
  hold a whole ``name = value`` (the value's brackets balance on that line; a
  heredoc counts as one line). A blank line, a comment line, a block, or a
  value spread over several lines ends the chain. The ``=`` goes one space
  after the longest name (counted in grapheme clusters) in the chain.
* Same-line ``#`` / ``//`` comments are aligned across consecutive lines that
  have one, one space after the longest line before them.

The edit API works on items: inside a body or an object constructor the
lines of a chain are consecutive items (``Attribute`` or ``ObjectItem``), and
an item with lines above it (``leading``) starts a new chain; each item's
cells are cut exactly as the whole-file pass cuts its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tffix.syntax import cst
from tffix.syntax.lexer import Token

__all__ = [
    "INDENT", "indent_of", "in_chain", "chain_bounds", "align_chain", "align_comments", "reindent",
    "FmtToken", "FmtLine", "space_after", "bracket_change", "columns", "cells_columns", "fmt_lines",
    "format_tokens", "trivia_tokens", "all_tokens", "fmt_tokens", "apply_layout", "layout_code",
]

INDENT = "  "

AlignItem = cst.Attribute | cst.ObjectItem | cst.Block


def indent_of(tok: Token) -> str:
    """The indentation carried by a token that starts a line."""
    pre = tok.pre
    i = max(pre.rfind("\n"), pre.rfind("*/"))
    tail = pre[i + 1 :] if i >= 0 else pre
    return tail if tail.strip(" \t") == "" else ""


def reindent(node: cst.Node, indent: str) -> None:
    """Shift every continuation line of ``node`` right by ``indent`` (used
    when a snippet written at column 0 is placed inside a nested body).
    Heredoc bodies are left alone: their text is their value."""
    if not indent:
        return
    prev: Token | None = None
    heredoc_depth = 0
    for tok in node.tokens():
        if "\n" in tok.pre:
            lines = tok.pre.split("\n")
            # the last segment leads up to the token: always indented; the
            # ones between are whole lines, left empty when blank
            middle = [indent + ln if ln.strip() else ln for ln in lines[1:-1]]
            tok.pre = "\n".join([lines[0], *middle, indent + lines[-1]])
        elif prev is not None and prev.endswith("\n") and not heredoc_depth:
            blank_line = tok.type == "NL" and tok.pre.strip() == ""
            if not blank_line:
                tok.pre = indent + tok.pre
        if tok.type == "OHEREDOC":
            heredoc_depth += 1
        elif tok.type == "CHEREDOC":
            heredoc_depth -= 1
        prev = tok


# ---- the whole-file pass: hclwrite's formatter over a token stream ----------
#
# ``terraform fmt`` lays a file out with hclwrite's ``format``, which sees the
# file as hclsyntax's token stream: every newline is a token (inside brackets
# too), a ``#`` / ``//`` comment is a token that includes the newline ending
# it, and a token's only layout is the number of spaces before it. It splits
# the stream into lines (a heredoc is part of one line: its body lines are
# string tokens, not newlines), cuts each line into up to three cells (lead,
# assign from the ``=``, a trailing comment), and recomputes every space:
#
# 1. indentation: two spaces per level of an indent stack that a line pushes
#    when it opens more brackets than it closes and pops when it closes more;
# 2. the spaces between the tokens of a cell, from ``space_after`` (the
#    spacing table);
# 3. alignment: the assign cells of consecutive lines start one column after
#    the longest lead, then the comment cells of consecutive lines one column
#    after the longest lead + assign. Widths count grapheme clusters.
#
# ``fmt_tokens`` gives the CST's tokens in that model (splitting each token's
# ``pre`` into comment and newline tokens), ``format_tokens`` runs the three
# steps, ``apply_layout`` writes the spaces back into the ``pre`` strings.

class FmtToken:
    """A token as hclwrite's formatter sees it: ``kind`` (the lexer's type,
    identifiers and keywords folded to ``IDENT``, ``%{`` to ``TCTRL``, plus
    ``COMMENT``), ``text`` (its bytes as hclsyntax has them: a line comment
    includes its newline), ``emit`` (what is written into a CST ``pre``) and
    ``spaces`` (the spaces before it)."""

    __slots__ = ("kind", "text", "emit", "spaces")

    def __init__(self, kind: str, text: str, emit: str | None = None, spaces: int = 0) -> None:
        self.kind = kind
        self.text = text
        self.emit = text if emit is None else emit
        self.spaces = spaces

    def __repr__(self) -> str:
        return f"<{self.kind} {self.text!r} +{self.spaces}>"


_KINDS = {
    "FOR": "IDENT", "IN": "IDENT", "IF": "IDENT", "TIF": "IDENT", "TELSE": "IDENT", "TENDIF": "IDENT",
    "TFOR": "IDENT", "TENDFOR": "IDENT", "TCTRL_IF": "TCTRL", "TCTRL_ELSE": "TCTRL", "TCTRL_ENDIF": "TCTRL",
    "TCTRL_FOR": "TCTRL", "TCTRL_ENDFOR": "TCTRL",
}
_OPENERS = frozenset({"LBRACE", "LBRACK", "LPAREN", "TCTRL", "TINTERP"})
_CLOSERS = frozenset({"RBRACE", "RBRACK", "RPAREN", "TSEQEND"})
_IN_TEMPLATE_SUBJECT = frozenset({"QLIT", "HLIT", "OQUOTE", "OHEREDOC"})
_IN_TEMPLATE_AFTER = frozenset({"QLIT", "HLIT", "CQUOTE", "CHEREDOC"})
# a minus after one of these (or at the start of a cell) is a negation
_BEFORE_NEGATION = frozenset({
    None, "LPAREN", "LBRACE", "LBRACK", "EQ", "COLON", "COMMA", "QMARK", "PLUS", "STAR", "SLASH", "PERCENT",
    "MINUS", "EQEQ", "NEQ", "GT", "GTE", "LT", "LTE", "AND", "OR", "BANG",
})


_BRACKET_CHANGE = {**dict.fromkeys(_OPENERS, 1), **dict.fromkeys(_CLOSERS, -1)}


def bracket_change(kind: str) -> int:
    if kind in _OPENERS:
        return 1
    if kind in _CLOSERS:
        return -1
    return 0


def space_after(subject: FmtToken, before: FmtToken | None, after: FmtToken | None) -> bool:
    """The spacing table: one space between ``subject`` and ``after`` or none.
    ``before`` is the token before ``subject`` in its cell (None at the start)."""
    s = subject.kind
    a = after.kind if after is not None else None
    if a is None or a == "NL":
        return False
    if s == "IDENT" and a in ("LPAREN", "DCOLON") or s == "DCOLON" and a == "IDENT":
        return False  # f(x), provider::ns::f
    if s == "DOT" or a == "DOT":
        return False
    if a in ("COMMA", "ELLIPSIS"):
        return False
    if s == "COMMA":
        return True
    if s in _IN_TEMPLATE_SUBJECT or a in _IN_TEMPLATE_AFTER:
        return False  # template text is never respaced
    if s == "IDENT" and subject.text == "in" and before is not None and before.kind == "IDENT":
        return True  # [for x in [1]: x]
    if a == "LBRACK" and (s in ("IDENT", "NUMBER") or s in _CLOSERS):
        return False  # x[0], f(x)[0]
    if s == "BANG":
        return False
    if s == "MINUS":
        return (before.kind if before is not None else None) not in _BEFORE_NEGATION
    if s == "LBRACE" or a == "RBRACE":
        return not (s == "LBRACE" and a == "RBRACE")  # { a = 1 }, but {}
    if s in ("TINTERP", "TCTRL") and a == "LBRACE" or s == "RBRACE" and a == "TSEQEND":
        return True  # ${ {a = 1} }
    if s == "TSEQEND" and a in ("TINTERP", "TCTRL"):
        return False
    if s in _OPENERS or a in _CLOSERS:
        return False
    return True


_GRAPHEME: list = []  # grapheme clusters (`re` has no \X): compiled by ``regex`` on first use


def columns(text: str) -> int:
    """Width of ``text`` in grapheme clusters (what hclwrite aligns by)."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    if not _GRAPHEME:
        import regex

        _GRAPHEME.append(regex.compile(r"\X"))
    return len(_GRAPHEME[0].findall(text))


def cells_columns(cell: list[FmtToken]) -> int:
    return sum(t.spaces + columns(t.text) for t in cell)


def _ends_line(tok: FmtToken) -> bool:
    return tok.kind == "NL" or (tok.kind == "COMMENT" and tok.text.endswith("\n"))


class FmtLine:
    """One line in hclwrite's model: ``lead``, ``assign`` (from a ``=`` whose
    value closes every bracket it opens on the line) and ``comment`` cells."""

    __slots__ = ("lead", "assign", "comment")

    def __init__(self, lead: list[FmtToken]) -> None:
        self.lead = lead
        self.assign: list[FmtToken] = []
        self.comment: list[FmtToken] = []
        if len(lead) > 1 and lead[-1].kind == "COMMENT":
            self.comment, self.lead = lead[-1:], lead[:-1]
        lead = self.lead
        for i in range(1, len(lead)):
            if lead[i].kind == "EQ":
                net = 0
                for t in lead[i:]:
                    k = t.kind
                    if k in _OPENERS:
                        net += 1
                    elif k in _CLOSERS:
                        net -= 1
                if net == 0:
                    self.assign, self.lead = lead[i:], lead[:i]
                break


def fmt_lines(tokens: list[FmtToken]) -> list[FmtLine]:
    lines: list[FmtLine] = []
    append = lines.append
    start = 0
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind == "NL" or (kind == "COMMENT" and tok.text.endswith("\n")):  # _ends_line
            append(FmtLine(tokens[start : i + 1]))
            start = i + 1
        elif kind == "EOF":
            append(FmtLine(tokens[start:i]))
            return lines
    if start < len(tokens):
        lines.append(FmtLine(tokens[start:]))
    return lines


def _format_indent(lines: list[FmtLine]) -> None:
    stack: list[int] = []
    for line in lines:
        if not line.lead:
            continue
        first = line.lead[0]
        if first.kind == "NL":
            first.spaces = 0
            continue
        net = 0
        change = _BRACKET_CHANGE.get
        for tok in line.lead:
            kind = tok.kind
            net += change(kind, 0)
            if kind == "OHEREDOC":
                break
        for tok in line.assign:
            net += change(tok.kind, 0)
        if net > 0:
            first.spaces = len(INDENT) * len(stack)
            stack.append(net)
            continue
        closed = -net
        while closed > 0 and stack:
            if closed >= stack[-1]:
                closed -= stack.pop()
            else:
                stack[-1] -= closed
                closed = 0
        first.spaces = len(INDENT) * len(stack)


def _format_spaces(lines: list[FmtLine]) -> None:
    for line in lines:
        for cell, is_assign in ((line.lead, False), (line.assign, True)):
            if is_assign and cell:
                cell[0].spaces = 1
            before = None
            for i in range(len(cell) - 1):
                tok = cell[i]
                cell[i + 1].spaces = 1 if space_after(tok, before, cell[i + 1]) else 0
                before = tok


def _format_cells(lines: list[FmtLine]) -> None:
    def align(cell: str, width_of) -> None:  # noqa: ANN001
        run: list[FmtLine] = []
        for line in [*lines, None]:
            if line is not None and getattr(line, cell):
                run.append(line)
                continue
            if run:
                widths = [width_of(ln) for ln in run]
                col = max(widths)
                for ln, w in zip(run, widths):
                    getattr(ln, cell)[0].spaces = col - w + 1
                run = []

    align("assign", lambda ln: cells_columns(ln.lead))
    align("comment", lambda ln: cells_columns(ln.lead) + cells_columns(ln.assign))


def format_tokens(tokens: list[FmtToken]) -> None:
    """Recompute ``spaces`` on every token as hclwrite's formatter does
    (the last token, ``EOF``, is left alone)."""
    lines = fmt_lines(tokens)
    _format_indent(lines)
    _format_spaces(lines)
    _format_cells(lines)


_PIECE = re.compile(r"([ \t]+)|(\r?\n)|((?:#|//)[^\r\n]*)(\r?\n)?|(/\*.*?\*/)", re.S)


def trivia_tokens(pre: str) -> list[FmtToken]:
    """The comment and newline tokens hclsyntax makes of a run of trivia,
    each with the blanks before it as its ``spaces``."""
    out: list[FmtToken] = []
    if pre.strip(" \t") == "":
        return out
    blanks = 0
    for m in _PIECE.finditer(pre):
        spaces, newline, line_comment, comment_end, block_comment = m.groups()
        if spaces:
            blanks = len(spaces)
            continue
        if newline:
            out.append(FmtToken("NL", newline, spaces=blanks))
        elif line_comment:
            out.append(FmtToken("COMMENT", line_comment + (comment_end or ""), spaces=blanks))
        else:
            out.append(FmtToken("COMMENT", block_comment, spaces=blanks))
        blanks = 0
    return out


def _tail_blanks(pre: str) -> int:
    return len(pre) - len(pre.rstrip(" \t"))


def all_tokens(node: cst.Node) -> list[Token]:
    """Every token under ``node`` in order (``node.tokens()`` without the
    generator overhead, for whole-file passes). A loop, not recursion."""
    out: list[Token] = []
    append = out.append
    stack: list = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        cls = item.__class__
        if cls is Token:
            append(item)
        elif cls is list:
            extend(reversed(item))
        elif item is not None and cls is not str:  # File.bom
            extend(reversed(item._values(item)))
    return out


def fmt_tokens(tokens: Iterable[Token]) -> tuple[list[FmtToken], list[tuple[Token, list[FmtToken], FmtToken | None]]]:
    """The stream hclwrite would format, and for each CST token the stream
    tokens that stand for its ``pre`` and for itself (None when hclsyntax has
    no token for it: a zero-width end-of-file newline, or a newline that is
    part of the line comment before it). ``spaces`` are the blanks the
    tokens have now (hclwrite counts a tab as one). A token's ``text`` is the
    CST token itself (a ``str``)."""
    stream: list[FmtToken] = []
    owners: list[tuple[Token, list[FmtToken], FmtToken | None]] = []
    append, extend, own_by = stream.append, stream.extend, owners.append
    kinds = _KINDS
    no_pieces: list[FmtToken] = []
    make = FmtToken
    for tok in tokens:
        pre = tok.pre
        type_ = tok.type
        if not pre:  # the common case
            if type_ != "NL":
                own = make(kinds.get(type_, type_), tok)
            elif tok:
                own = make("NL", tok)
            else:
                own_by((tok, no_pieces, None))
                continue
            append(own)
            own_by((tok, no_pieces, own))
            continue
        blanks = pre.strip(" \t") == ""
        pieces = no_pieces if blanks else trivia_tokens(pre)
        own = None
        if type_ == "NL":
            last = pieces[-1] if pieces else None
            if tok and last is not None and last.kind == "COMMENT" and not last.text.endswith("\n") \
                    and not last.text.startswith("/*"):
                last.text += str(tok)  # `# c` owns its newline
            elif tok:
                own = make("NL", tok)
        else:
            own = make(kinds.get(type_, type_), tok)
        if own is not None:
            own.spaces = len(pre) if blanks else _tail_blanks(pre)
        if pieces:
            extend(pieces)
        if own is not None:
            append(own)
        own_by((tok, pieces, own))
    return stream, owners


def apply_layout(owners: list[tuple[Token, list[FmtToken], FmtToken | None]]) -> None:
    """Write the stream's spaces back into each CST token's ``pre``."""
    for tok, pieces, own in owners:
        if pieces:
            pre = "".join(" " * p.spaces + p.emit for p in pieces)
            tok.pre = pre + " " * own.spaces if own is not None else pre
        else:
            tok.pre = " " * own.spaces if own is not None else ""


def layout_code(owners: list[tuple[Token, list[FmtToken], FmtToken | None]]) -> str:
    """The text ``apply_layout`` would make the tokens print, without changing them."""
    out: list[str] = []
    append = out.append
    for tok, pieces, own in owners:
        if pieces:
            for p in pieces:
                if p.spaces:
                    append(" " * p.spaces)
                append(p.emit)
        if own is not None and own.spaces:
            append(" " * own.spaces)
        append(tok)
    return "".join(out)


# ---- item-level layout: what the edit API re-aligns after an edit -----------
#
# The same cells and widths as the whole-file pass, for the chain an edit
# lands in: consecutive items on their own lines, with no line between them.

def _item_lines(item: AlignItem) -> list[FmtLine]:
    """The lines of ``item`` (without the lines above it) as hclwrite's
    formatter cuts them, with the spaces they have now."""
    tokens = all_tokens(item)[len(item.leading) :]
    stream, _ = fmt_tokens(tokens)
    return fmt_lines(stream)


def in_chain(item: AlignItem) -> bool:
    """Does the item's line take part in ``=`` alignment (has it an assign
    cell: a ``=`` whose value closes, on that line, every bracket it opens)?"""
    if isinstance(item, cst.Block):
        return False
    return bool(_item_lines(item)[0].assign)


def chain_bounds(items: Sequence[AlignItem], index: int) -> tuple[int, int]:
    """``[lo, hi)``: the chain holding ``items[index]`` (empty if it has none)."""
    if not (0 <= index < len(items)) or not in_chain(items[index]):
        return index, index
    lo = index
    while lo > 0 and not items[lo].leading and in_chain(items[lo - 1]) and _on_own_line(items[lo - 1]):
        lo -= 1
    hi = index + 1
    while hi < len(items) and not items[hi].leading and in_chain(items[hi]) and _on_own_line(items[hi - 1]):
        hi += 1
    return lo, hi


def _on_own_line(item: AlignItem) -> bool:
    return item.newline is not None and "\n" in item.newline


def _lead_width(item: AlignItem) -> int:
    return cells_columns(_item_lines(item)[0].lead)


def _respace_tail(pre: str, spaces: int) -> str:
    """``pre`` with the blanks after its last comment or newline set to ``spaces``."""
    return pre.rstrip(" \t") + " " * spaces


def align_chain(items: Sequence[AlignItem], lo: int, hi: int) -> None:
    """Set the spaces before ``=`` on ``items[lo:hi]`` the way fmt would."""
    if hi - lo < 1:
        return
    widths = {i: _lead_width(items[i]) for i in range(lo, hi)}
    width = max(widths.values())
    for i in range(lo, hi):
        items[i].eq.pre = _respace_tail(items[i].eq.pre, width - widths[i] + 1)


def align_comments(items: Sequence[AlignItem], index: int) -> None:
    """Align the same-line comments (``#`` / ``//``: a ``/* */`` before the
    newline is not a comment cell for hclwrite) of the run of consecutive
    single-line items around ``items[index]`` that all have one."""
    lines: dict[int, list[FmtLine]] = {}

    def has_comment(i: int) -> bool:
        item = items[i]
        if isinstance(item, cst.Block) or item.newline is None or "\n" not in item.newline:
            return False
        lines[i] = _item_lines(item)
        return len(lines[i]) == 1 and bool(lines[i][0].comment)

    if not (0 <= index < len(items)) or not has_comment(index):
        return
    lo = index
    while lo > 0 and not items[lo].leading and has_comment(lo - 1):
        lo -= 1
    hi = index + 1
    while hi < len(items) and not items[hi].leading and has_comment(hi):
        hi += 1
    widths = {i: cells_columns(lines[i][0].lead) + cells_columns(lines[i][0].assign) for i in range(lo, hi)}
    col = max(widths.values())
    for i in range(lo, hi):
        newline = items[i].newline
        comment = lines[i][0].comment[0]
        head = newline.pre[: len(newline.pre) - len(comment.emit)]
        newline.pre = _respace_tail(head, col - widths[i] + 1) + comment.emit
