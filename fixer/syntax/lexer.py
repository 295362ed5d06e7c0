"""Hand-written lexer for the HCL native syntax, feeding Lark's LALR parser.

Why hand-written: HCL's lexical structure depends on context that a regular
lexer cannot see. Newlines end items in bodies and object constructors but are
whitespace inside ``( )``, ``[ ]`` and template sequences; ``}`` may close a
block, an object or a ``${`` sequence; heredoc bodies end at a line holding
only their marker. The lexer keeps a stack of modes (after hclsyntax's
``scan_tokens.rl`` and the newline rules of its peeker) and decides all this.

Losslessness: every input character lands either in a token's value or in the
``pre`` (leading trivia: spaces, tabs, comments, insignificant newlines) of the
token after it, so ``"".join(t.pre + t for t in tokens)`` is the input (after
an optional BOM, which the caller keeps). The last item of a file without a
final newline still gets an ``NL`` token, of zero width.
"""

from __future__ import annotations

import re as _stdre
import sys
from collections.abc import Callable, Collection, Iterator
from typing import Any

__all__ = ["Token", "LexError", "tokenize", "IDENT_RE", "is_name"]


class LexError(Exception):
    """A lexical error at character offset ``pos`` of the input."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class Token(str):
    """A token: its text (the ``str`` itself), its terminal ``type``, its
    leading trivia ``pre``, and where it starts (1-based ``line`` and
    ``column``; None for tokens built by edits). No more than that: a large
    file has millions of tokens, so each slot counts."""

    __slots__ = ("type", "pre", "line", "column")
    type: str
    pre: str
    line: int | None
    column: int | None

    @classmethod
    def make(cls, type_: str, value: str, pre: str = "") -> Token:
        """A synthetic token (no source position), for building new trees."""
        tok = str.__new__(cls, value)
        tok.type, tok.pre, tok.line, tok.column = type_, pre, None, None
        return tok

    def __repr__(self) -> str:
        return f"Token({self.type}, {str(self)!r})"


# Lexer modes: what the innermost open bracket or sequence is.
BODY, OBJECT, FOR_OBJECT, PAREN, BRACK, INTERP, CONTROL, QUOTED, HEREDOC = range(9)
NEWLINE_IS_TOKEN = frozenset({BODY, OBJECT})

IDENT_RE = r"[\p{ID_Start}_][\p{ID_Continue}-]*"
# Patterns without Unicode classes use the stdlib engine (faster to compile and
# to run); the two that need ``\p{...}`` (names beyond ASCII) are compiled by
# ``regex`` on first use, which most files never need.
_TRIVIA = _stdre.compile(r"(?:[ \t]+|#[^\r\n]*|//[^\r\n]*|/\*.*?\*/)*", _stdre.DOTALL)
_TRIVIA_NL = _stdre.compile(r"(?:[ \t]+|#[^\r\n]*|//[^\r\n]*|/\*.*?\*/|\r?\n)*", _stdre.DOTALL)
# Trivia, then the next token, in one match (atomic: the token after the
# trivia is never looked for inside it). Names here are ASCII only; a name
# followed by a non-ASCII character, or one starting with it, is taken by
# ``_unicode()``. Groups: 1 newline, 2 heredoc start (3 its marker), 4 number,
# 5 name, 6 operator.
_TOKEN_SRC = (
    r"(?:(\r?\n)"
    r"|(<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n)"
    r"|([0-9](?:[0-9.]|[eE][+-]?[0-9])*)"
    r"|([A-Za-z_][A-Za-z0-9_-]*)"
    r"|(==|!=|<=|>=|&&|\|\||::|\.\.\.|=>|~\}|[\[\](){}.,*/%+\-=<>!?:\"]))"
)
_FAST = _stdre.compile(r"(?>" + _TRIVIA.pattern + ")" + _TOKEN_SRC, _stdre.DOTALL).match
_FAST_NL = _stdre.compile(r"(?>" + _TRIVIA_NL.pattern + ")" + _TOKEN_SRC, _stdre.DOTALL).match
# the matcher of trivia and the next token, by mode (the template modes have their own)
_MATCH_TOKEN = tuple(_FAST if kind in NEWLINE_IS_TOKEN else _FAST_NL for kind in range(QUOTED))
_OPERATORS = {
    "==": "EQEQ", "!=": "NEQ", "<=": "LTE", ">=": "GTE", "&&": "AND", "||": "OR",
    "::": "DCOLON", "...": "ELLIPSIS", "=>": "FATARROW", "[": "LBRACK", "]": "RBRACK",
    "(": "LPAREN", ")": "RPAREN", ".": "DOT", ",": "COMMA", "*": "STAR", "/": "SLASH",
    "%": "PERCENT", "+": "PLUS", "-": "MINUS", "=": "EQ", "<": "LT", ">": "GT",
    "!": "BANG", "?": "QMARK", ":": "COLON",
}
_OP_SPECIAL = frozenset('"{}~')  # operators with more to decide than their type
# token types after which a name may be a keyword (``for``, directives)
_IDENT_CONTEXT = frozenset({"LBRACK", "LBRACE", "TCTRL_IF", "TCTRL_ELSE", "TCTRL_ENDIF", "TCTRL_FOR",
                            "TCTRL_ENDFOR"})
# Literal runs inside templates: everything up to a `${` / `%{` that opens a
# sequence (`$${` and `%%{` are escapes and stay literal).
_QUOTED_LIT = _stdre.compile(r"(?:\\[^\r\n]|[^\"\\$%\r\n]|\$(?!\{)(?:\$\{~?)?|%(?!\{)(?:%\{~?)?)+")
_HEREDOC_LIT = _stdre.compile(r"(?:[^$%\r\n]|\$(?!\{)(?:\$\{~?)?|%(?!\{)(?:%\{~?)?|\r(?!\n))*(?:\r?\n)?")
# a quoted string's rest that holds no escape, template sequence or line end
_SIMPLE_STRING = _stdre.compile(r'[^"\\$%\r\n]*"').match
_TEMPLATE_OPEN = _stdre.compile(r"([$%])\{(~?)")
_ESCAPE = _stdre.compile(r"\\(?:[nrt\"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|(.))")
_NUMBER_OK = _stdre.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_DIRECTIVE_WORD = _stdre.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_-]*)")
_FOR_WORD = _stdre.compile(r"for(?![A-Za-z0-9_-])")
_UNICODE: dict[str, Any] = {}


def _unicode(name: str) -> Any:
    """The ``regex`` patterns for names beyond ASCII, compiled on first use."""
    if not _UNICODE:
        import regex

        _UNICODE["token"] = regex.compile(
            r"(?P<OHEREDOC><<-?(?P<marker>" + IDENT_RE + r")\r?\n)|(?P<IDENT>" + IDENT_RE + r")")
        _UNICODE["ident"] = regex.compile(IDENT_RE)
        _UNICODE["id_continue"] = regex.compile(r"[\p{ID_Continue}-]")
    return _UNICODE[name]


_DIRECTIVES = {"if": "IF", "else": "ELSE", "endif": "ENDIF", "for": "FOR", "endfor": "ENDFOR"}
_CONTEXTUAL_KEYWORDS = {"in": "IN", "if": "IF"}  # keywords only where the parser wants them
_MULTILINE = frozenset({"NL", "HLIT", "OHEREDOC"})  # token types whose text may hold a newline


_ASCII_NAME = _stdre.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def is_name(text: str) -> bool:
    """Is ``text`` one HCL identifier (``IDENT_RE``)?"""
    if text.isascii():
        return _ASCII_NAME.fullmatch(text) is not None
    return _unicode("ident").fullmatch(text) is not None


class _Frame:
    __slots__ = ("kind", "in_value", "marker", "at_line_start")

    def __init__(self, kind: int, marker: str | None = None) -> None:
        self.kind = kind
        self.in_value = False  # BODY: after `=`, so `{` opens an object, not a block
        self.marker = marker  # HEREDOC: the closing marker
        self.at_line_start = True  # HEREDOC: may the next line be the marker?


def tokenize(text: str, accepts: Callable[[], Collection[str]] | None = None, first_line: int = 1) -> Iterator[Token]:
    """Yield the tokens of ``text``.

    ``accepts`` returns the terminal names the parser can take next; it is used
    only to decide whether ``in`` / ``if`` are keywords or identifiers.
    ``first_line`` is the line number of the text's first line (a slice of a
    larger file that starts at a line start: the tokens get the file's lines).
    """
    for batch in lex(text, accepts, first_line, STREAM):
        yield from batch


STREAM = 2000  # ``lex(limit=STREAM)``: batches of about this many tokens, no more of them alive at once


def lex(text: str, accepts: Callable[[], Collection[str]] | None = None,
        first_line: int = 1, limit: int = sys.maxsize) -> Iterator[list[Token]]:
    """``tokenize`` in batches (lists of tokens, fewer Python steps per token):
    a batch ends where ``accepts`` is to be asked (the tokens before it must
    reach the parser first), before a lexical error (so do the tokens before
    it, then the error is raised), at the first significant newline after
    ``limit`` tokens (a streaming reader that drops the tokens it read keeps
    that many alive; a lazy parse of a large file) and at the end. A batch is
    emptied when the next one is asked for. Without ``accepts`` and ``limit``:
    one list, the whole text's tokens (or the error)."""
    out: list[Token] = []
    try:
        yield from _lex(text, accepts, first_line, out, limit)
    except LexError:
        if out:
            yield out
        raise
    yield out


def _lex(text: str, accepts: Callable[[], Collection[str]] | None, first_line: int,
         out: list[Token], limit: int) -> Iterator[list[Token]]:
    """The lexer of ``lex``: appends to ``out``; yields ``out`` (then empties
    it) before each call of ``accepts`` and at a newline token after ``limit``."""
    n = len(text)
    pos = 1 if text.startswith("\ufeff") else 0  # the BOM belongs to the file node
    pre_start = pos
    prev: str | None = None  # type of the previous token
    line, line_start = first_line, 0
    stack = [_Frame(BODY)]

    new = str.__new__
    append = out.append
    match_token = _MATCH_TOKEN

    def make(type_: str, start: int, end: int) -> Token:
        nonlocal pre_start, prev, line, line_start
        pre = text[pre_start:start]
        if "\n" in pre:
            line += pre.count("\n")
            line_start = text.rfind("\n", pre_start, start) + 1
        tok = new(Token, text[start:end])
        tok.type, tok.pre, tok.line, tok.column = type_, pre, line, start - line_start + 1
        if type_ in _MULTILINE and "\n" in tok:
            line += tok.count("\n")
            line_start = text.rfind("\n", start, end) + 1
        pre_start = end
        prev = type_
        return tok

    def open_sequence(m: _stdre.Match[str]) -> Token:
        """`${` or `%{` inside a template; directives are typed by their keyword
        so that LALR(1) can tell `else` / `endif` / `endfor` from a nested one."""
        start, end = m.span()
        if m.group(1) == "$":
            stack.append(_Frame(INTERP))
            return make("TINTERP", start, end)
        word = _DIRECTIVE_WORD.match(text, end)
        if word is not None and word.end() < n and text[word.end()] >= "\x80" \
                and _unicode("id_continue").match(text, word.end()) is not None:
            word = None  # a longer name, beyond ASCII: no directive
        name = _DIRECTIVES.get(word.group(1)) if word else None
        if name is None:
            raise LexError("Invalid template directive: expected if, else, endif, for or endfor", end)
        stack.append(_Frame(CONTROL))
        return make("TCTRL_" + name, start, end)

    while True:
        top = stack[-1]
        kind = top.kind

        if kind >= QUOTED:  # template modes (one test for the other modes, the common ones)
            if kind == QUOTED:
                if pos >= n:
                    raise LexError("Unterminated template string", pos)
                c = text[pos]
                if c == '"':
                    stack.pop()
                    append(make("CQUOTE", pos, pos + 1))
                    pos += 1
                    continue
                m = _TEMPLATE_OPEN.match(text, pos)
                if m:
                    append(open_sequence(m))
                    pos = m.end()
                    continue
                m = _QUOTED_LIT.match(text, pos)
                if not m:
                    if c in "\r\n":
                        raise LexError("Invalid multi-line string: quoted strings cannot contain newlines", pos)
                    raise LexError(f"Invalid character {c!r} in quoted string", pos)
                for e in _ESCAPE.finditer(m.group()):
                    if e.group(1) is not None:
                        raise LexError(f"Invalid escape sequence \\{e.group(1)}", pos + e.start())
                    if e.group()[1] in "uU":  # as terraform: only characters UTF-8 can encode
                        code = int(e.group()[2:], 16)
                        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                            raise LexError(f"Invalid escape sequence {e.group()}: cannot encode character "
                                           f"U+{code:04X} in UTF-8", pos + e.start())
                append(make("QLIT", pos, m.end()))
                pos = m.end()
                continue
            else:  # HEREDOC
                if pos >= n:
                    raise LexError(f"Unterminated heredoc: no closing marker {top.marker}", pos)
                if top.at_line_start:
                    eol = text.find("\n", pos)
                    if eol >= 0 and text[pos:eol].strip(" \t\r\v\f") == top.marker:
                        end = eol - 1 if text[eol - 1] == "\r" else eol
                        stack.pop()
                        # the newline after the marker belongs to the enclosing mode
                        append(make("CHEREDOC", pos, end))
                        pos = end
                        continue
                m = _TEMPLATE_OPEN.match(text, pos)
                if m:
                    top.at_line_start = False
                    append(open_sequence(m))
                    pos = m.end()
                    continue
                m = _HEREDOC_LIT.match(text, pos)
                if not m or m.end() == pos:
                    raise LexError(f"Invalid character {text[pos]!r} in heredoc", pos)
                top.at_line_start = m.group().endswith("\n")
                append(make("HLIT", pos, m.end()))
                pos = m.end()
                continue

        # expression and structure modes: trivia and the next token in one match
        m = match_token[kind](text, pos)
        if m is None:
            # no ASCII token next: the end, an unterminated comment, a name
            # beyond ASCII, or an invalid character
            pos = (_TRIVIA if kind in NEWLINE_IS_TOKEN else _TRIVIA_NL).match(text, pos).end()
            if text.startswith("/*", pos):
                raise LexError("Unterminated comment: /* without */", pos)
            if pos >= n:
                if len(stack) != 1:
                    raise LexError("Unexpected end of file: a bracket or template is not closed", pos)
                if prev not in (None, "NL"):
                    # The last item ends at EOF: a zero-width newline keeps the
                    # grammar simple; its trivia is the item's same-line comment.
                    append(make("NL", pos, pos))
                append(make("EOF", pos, pos))
                return
            u = _unicode("token").match(text, pos)
            if u is None:
                raise LexError(f"Invalid character {text[pos]!r}", pos)
            start, end = pos, u.end()
            if u.group("OHEREDOC"):
                index, marker = 2, u.group("marker")
            else:
                index = 5
        else:
            index = m.lastindex
            start, end = m.span(index)
            if index == 1:  # a newline that is a token (inlined: the commonest tokens)
                if kind == BODY:
                    top.in_value = False
                pre = text[pre_start:start]
                if "\n" in pre:
                    line += pre.count("\n")
                    line_start = text.rfind("\n", pre_start, start) + 1
                tok = new(Token, text[start:end])
                tok.type, tok.pre, tok.line, tok.column = "NL", pre, line, start - line_start + 1
                line += 1
                line_start = end
                pre_start = end
                prev = "NL"
                append(tok)
                pos = end
                if len(out) >= limit:
                    yield out
                    del out[:]
                continue
            if index == 5:
                if end < n and text[end] >= "\x80":  # the name goes on beyond ASCII
                    end = _unicode("ident").match(text, start).end()
            elif index == 2:
                marker = m.group(3)
            elif index == 6 and end < n:
                c = text[start]
                if c == "/" and text[end] == "*":  # the trivia stopped at a /* without */
                    raise LexError("Unterminated comment: /* without */", start)
                if c == "<" and text[end] == "<":  # a heredoc whose marker goes beyond ASCII?
                    u = _unicode("token").match(text, start)
                    if u is not None and u.group("OHEREDOC"):
                        index, end, marker = 2, u.end(), u.group("marker")
        pos = start
        if index == 5:
            word = text[start:end]
            if prev not in _IDENT_CONTEXT and word not in _CONTEXTUAL_KEYWORDS:  # a plain name (inlined)
                pre = text[pre_start:start]
                if "\n" in pre:
                    line += pre.count("\n")
                    line_start = text.rfind("\n", pre_start, start) + 1
                tok = new(Token, word)
                tok.type, tok.pre, tok.line, tok.column = "IDENT", pre, line, start - line_start + 1
                pre_start = end
                prev = "IDENT"
                append(tok)
                pos = end
                continue
            type_ = "IDENT"
            if word == "for" and prev in ("LBRACK", "LBRACE") and kind in (BRACK, FOR_OBJECT):
                type_ = "FOR"
            elif prev is not None and prev.startswith("TCTRL_"):
                type_ = "T" + _DIRECTIVES.get(word, "IDENT") if word in _DIRECTIVES else "IDENT"
            elif word in _CONTEXTUAL_KEYWORDS and accepts is not None:
                yield out  # the parser takes the tokens so far: its state says what it accepts
                del out[:]
                if _CONTEXTUAL_KEYWORDS[word] in accepts():
                    type_ = _CONTEXTUAL_KEYWORDS[word]
            append(make(type_, pos, end))
        elif index == 6:
            op = text[start:end]
            if text[start] not in _OP_SPECIAL:  # (inlined)
                type_ = _OPERATORS[op]
                if op == "(":
                    stack.append(_Frame(PAREN))
                elif op == "[":
                    stack.append(_Frame(BRACK))
                elif op == ")" or op == "]":
                    if kind != (PAREN if op == ")" else BRACK):
                        raise LexError(f"Unbalanced {op!r}", start)
                    stack.pop()
                elif op == "=" and kind == BODY:
                    top.in_value = True
                pre = text[pre_start:start]
                if "\n" in pre:
                    line += pre.count("\n")
                    line_start = text.rfind("\n", pre_start, start) + 1
                tok = new(Token, op)
                tok.type, tok.pre, tok.line, tok.column = type_, pre, line, start - line_start + 1
                pre_start = end
                prev = type_
                append(tok)
                pos = end
                continue
            if op == '"':
                append(make("OQUOTE", pos, end))
                simple = _SIMPLE_STRING(text, end)
                if simple is not None:  # no escape, template or line end in it: what QUOTED mode makes, at once
                    close = simple.end() - 1
                    if close > end:
                        append(make("QLIT", end, close))
                    append(make("CQUOTE", close, close + 1))
                    pos = close + 1
                    continue
                stack.append(_Frame(QUOTED))
            elif op == "{":
                if kind == BODY and not top.in_value:
                    stack.append(_Frame(BODY))
                else:
                    # newlines are insignificant in a `{ for ... }` expression
                    after = _TRIVIA_NL.match(text, end).end()
                    is_for = _FOR_WORD.match(text, after) is not None and not (
                        after + 3 < n and text[after + 3] >= "\x80"
                        and _unicode("id_continue").match(text, after + 3) is not None)
                    stack.append(_Frame(FOR_OBJECT if is_for else OBJECT))
                append(make("LBRACE", pos, end))
            elif op == "}" or op == "~}":
                if kind in (INTERP, CONTROL):
                    stack.pop()
                    append(make("TSEQEND", pos, end))
                elif op == "~}" or kind not in (BODY, OBJECT, FOR_OBJECT) or len(stack) == 1:
                    raise LexError(f"Unexpected {op!r}", pos)
                else:
                    stack.pop()
                    append(make("RBRACE", pos, end))
        elif index == 4:
            while text[end - 1] == ".":  # a number never ends with '.'
                end -= 1
            if prev == "DOT" and "." in text[pos:end]:
                raise LexError("Invalid legacy index syntax: chained index like .0.1", pos)
            if not _NUMBER_OK.fullmatch(text, pos, end):
                raise LexError("Invalid number literal", pos)
            append(make("NUMBER", pos, end))
        else:  # index == 2
            stack.append(_Frame(HEREDOC, marker=marker))
            append(make("OHEREDOC", pos, end))
        pos = end
