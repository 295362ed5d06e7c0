"""``parse(text) -> File``: the lexer and an LALR(1) parser, building the CST.

Lark analyses the grammar (``tffix/grammar/hcl.lark``) into an LALR table;
that is compiled once and cached in the user's cache directory
(``$XDG_CACHE_HOME/tffix`` or ``~/.cache/tffix``, never the install
directory), keyed by a hash of the grammar and options, so a cold start stays
fast. ``_drive`` runs the table itself: a dozen lines instead of Lark's
general-purpose loop, which matters because parsing is most of tffix's time.
The CST is built as each rule is reduced, by ``_Builder`` through the
callbacks Lark made for the grammar (which handle ``?rule`` and ``_rule``
inlining), so no intermediate tree exists.

Errors always come out as ``ParseError`` with a line and column; Terraform's
own checks that sit outside its grammar (duplicate attribute names in a
body) are done here too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Transformer
from lark.lexer import Lexer
from lark.parsers.lalr_analysis import Shift
from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.lexer import _OPERATORS, LexError, Token, tokenize

__all__ = ["parse", "parse_expression", "ParseError"]


class _Redefined(Exception):
    def __init__(self, token: Token, first: Token) -> None:
        self.token, self.first = token, first


def _is_blank_line(tok: Token) -> bool:
    return tok.pre.strip(" \t") == ""


def _attach_lines(children: list, opening: bool) -> tuple[list, list[Token], Token | None]:
    """Group a flat run of NL tokens and items into items that own the lines
    above them and their own end of line (CST rule 1). Returns the items, the
    lines after the last item, and, if ``opening`` (an object's ``{``), the NL
    that ends the opening line."""
    items: list = []
    pending: list[Token] = []
    open_newline: Token | None = None
    for child in children:
        if isinstance(child, Token):
            if child.type == "NL":
                last = items[-1] if items else None
                if last is not None and last.newline is None and not pending:
                    last.newline = child
                elif opening and not items and open_newline is None:
                    open_newline = child
                else:
                    pending.append(child)
            elif child.type == "COMMA":
                items[-1].comma = child
            continue
        child.leading = pending
        pending = []
        items.append(child)
    return items, pending, open_newline


class _Builder(Transformer):
    """Lark callbacks, one per grammar rule, each returning a CST node."""

    # ---- structure ----
    def start(self, c):
        return c

    def body(self, c):
        items, trailing, _ = _attach_lines(c, opening=False)
        seen: dict[str, Token] = {}
        for item in items:
            if isinstance(item, cst.Attribute):
                prior = seen.get(item.name)
                if prior is not None:
                    raise _Redefined(item.name_token, prior)
                seen[item.name] = item.name_token
        return cst.Body(items, trailing)

    def attribute(self, c):
        return cst.Attribute([], c[0], c[1], c[2], None)

    def block(self, c):
        type_token = c[0]
        i = 1
        labels = []
        while isinstance(c[i], cst.Label):
            labels.append(c[i])
            i += 1
        lbrace = c[i]
        if isinstance(c[i + 1], Token):  # multi-line: LBRACE NL body RBRACE
            return cst.Block([], type_token, labels, lbrace, c[i + 1], c[i + 2], c[i + 3], None)
        return cst.Block([], type_token, labels, lbrace, None, c[i + 1], c[i + 2], None)

    def oneline_body(self, c):
        return cst.Body(list(c), [])

    def label(self, c):
        return c[0] if isinstance(c[0], cst.Label) else cst.Label([c[0]])

    def string_label(self, c):
        return cst.Label(list(c))

    # ---- expressions ----
    def literal(self, c):
        return cst.Literal(c[0])

    def variable(self, c):
        if c[0] in ("true", "false", "null"):
            return cst.Literal(c[0])
        return cst.Variable(c[0])

    def conditional(self, c):
        return cst.Conditional(*c)

    def binary_op(self, c):
        return cst.BinaryOp(*c)

    def unary_op(self, c):
        return cst.UnaryOp(*c)

    def parens(self, c):
        return cst.Parens(*c)

    @staticmethod
    def _step(target, step):
        if isinstance(target, cst.Traversal):
            target.steps.append(step)
            return target
        return cst.Traversal(target, [step])

    def get_attr(self, c):
        return self._step(c[0], cst.GetAttr(c[1], c[2]))

    def legacy_index(self, c):
        return self._step(c[0], cst.LegacyIndex(c[1], c[2]))

    def index(self, c):
        return self._step(c[0], cst.Index(c[1], c[2], c[3]))

    def splat(self, c):
        return self._step(c[0], c[1])

    def attr_splat(self, c):
        return cst.AttrSplat(c[0], c[1], list(c[2:]))

    def full_splat(self, c):
        return cst.FullSplat(c[0], c[1], c[2], list(c[3:]))

    def get_attr_step(self, c):
        return cst.GetAttr(*c)

    def legacy_index_step(self, c):
        return cst.LegacyIndex(*c)

    def index_step(self, c):
        return cst.Index(*c)

    def function_call(self, c):
        i = c.index(next(t for t in c if isinstance(t, Token) and t.type == "LPAREN"))
        return cst.FunctionCall(list(c[:i]), c[i], list(c[i + 1 : -1]), c[-1])

    def tuple(self, c):
        return cst.Tuple(c[0], list(c[1:-1]), c[-1])

    def object(self, c):
        items, trailing, first = _attach_lines(c[1:-1], opening=True)
        return cst.Object(c[0], first, items, trailing, c[-1])

    def object_item(self, c):
        return cst.ObjectItem([], c[0], c[1], c[2], None, None)

    def for_intro(self, c):
        if len(c) == 7:
            return cst.ForIntro(*c)
        return cst.ForIntro(c[0], None, None, c[1], c[2], c[3], c[4])

    def for_cond(self, c):
        return cst.ForCond(*c)

    def for_tuple(self, c):
        cond = c[3] if isinstance(c[3], cst.ForCond) else None
        return cst.ForTuple(c[0], c[1], c[2], cond, c[-1])

    def for_object(self, c):
        lbrace, intro, key, arrow, value = c[:5]
        rest = c[5:-1]
        ellipsis = next((t for t in rest if isinstance(t, Token)), None)
        cond = next((t for t in rest if isinstance(t, cst.ForCond)), None)
        return cst.ForObject(lbrace, intro, key, arrow, value, ellipsis, cond, c[-1])

    # ---- templates ----
    def template(self, c):
        return cst.Template(c[0], list(c[1:-1]), c[-1])

    def heredoc(self, c):
        return cst.Heredoc(c[0], list(c[1:-1]), c[-1])

    def template_seq(self, c):
        return list(c)

    def interpolation(self, c):
        return cst.Interpolation(*c)

    def template_if(self, c):
        if len(c) == 12:
            return cst.TemplateIf(*c)
        return cst.TemplateIf(*c[:5], None, None, None, None, *c[5:])

    def template_for(self, c):
        if len(c) == 12:
            return cst.TemplateFor(*c)
        return cst.TemplateFor(c[0], c[1], None, None, *c[2:])


def _cache_path() -> str | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "tffix"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return str(folder / "hcl-grammar.lark-cache")


class _TableOnly(Lexer):
    """Lark wants a lexer for declared terminals; tokens come from tokenize()."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


class _SyntaxError(Exception):
    def __init__(self, token: Token, expected: set[str]) -> None:
        self.token, self.expected = token, expected


# state -> terminal or rule name -> (True, next state) for a shift,
# (False, (callback, number of children, rule name)) for a reduce
_Action = tuple[bool, Any]
_table: tuple[dict[int, dict[str, _Action]], int, int] | None = None


def _get_table() -> tuple[dict[int, dict[str, _Action]], int, int]:
    global _table
    if _table is None:
        grammar = resources.files("tffix.grammar").joinpath("hcl.lark").read_text(encoding="utf-8")
        lark = Lark(grammar, parser="lalr", lexer=_TableOnly, keep_all_tokens=True, maybe_placeholders=False,
                    transformer=_Builder(), cache=_cache_path() or False)
        inner = lark.parser.parser.parser  # frontend -> LALR_Parser -> the table-driven parser
        table, callbacks = inner.parse_table, inner.callbacks
        states = {
            state: {
                name: (True, arg) if action is Shift else (False, (callbacks[arg], len(arg.expansion), arg.origin.name))
                for name, (action, arg) in actions.items()
            }
            for state, actions in table.states.items()
        }
        _table = (states, table.start_states["start"], table.end_states["start"])
    return _table


def _drive(text: str) -> Any:
    """Run the LALR(1) table over the tokens of ``text``."""
    states, start, end = _get_table()
    stack = [start]
    values: list[Any] = []

    def reduce(arg: tuple[Callable[[list[Any]], Any], int, str]) -> None:
        callback, size, name = arg
        if size:
            children = values[-size:]
            del stack[-size:], values[-size:]
        else:
            children = []
        values.append(callback(children))
        stack.append(states[stack[-1]][name][1])

    for tok in tokenize(text, lambda: states[stack[-1]]):
        while True:
            action = states[stack[-1]].get(tok.type)
            if action is None:
                raise _SyntaxError(tok, set(states[stack[-1]]))
            if action[0]:
                stack.append(action[1])
                values.append(tok)
                break
            reduce(action[1])
    while stack[-1] != end:
        action = states[stack[-1]].get("$END")
        if action is None or action[0]:  # pragma: no cover - EOF is always followed by $END
            raise _SyntaxError(Token.make("$END", ""), set(states[stack[-1]]))
        reduce(action[1])
    return values[-1]


_TOKEN_NAMES = {
    "NL": "newline", "EOF": "end of file", "IDENT": "name", "NUMBER": "number", "EQ": "'='",
    "LBRACE": "'{'", "RBRACE": "'}'", "LBRACK": "'['", "RBRACK": "']'", "LPAREN": "'('",
    "RPAREN": "')'", "COMMA": "','", "DOT": "'.'", "COLON": "':'", "QMARK": "'?'",
    "OQUOTE": "string", "CQUOTE": "end of string", "OHEREDOC": "heredoc", "FATARROW": "'=>'",
    "ELLIPSIS": "'...'", "DCOLON": "'::'", "TSEQEND": "'}'", "FOR": "'for'", "IN": "'in'",
    "IF": "'if'", "CHEREDOC": "heredoc end marker", "TINTERP": "'${'",
}


_TOKEN_NAMES.update({name: repr(op) for op, name in _OPERATORS.items() if name not in _TOKEN_NAMES})


def _describe(type_: str, value: str = "") -> str:
    if type_ in _TOKEN_NAMES:
        name = _TOKEN_NAMES[type_]
        if type_ == "IDENT" and value:
            return f"name {value[:37] + '...' if len(value) > 40 else value!r}"
        return name
    if type_.startswith("TCTRL_"):
        return "'%{ " + type_[6:].lower() + " }'"
    if len(value) > 40:  # a huge token (a 1 MB name) is named, not quoted whole
        value = value[:37] + "..."
    return repr(value) if value else type_.lower()


def _expectation(expected: set[str]) -> str:
    exprs = {"NUMBER", "IDENT", "OQUOTE", "LBRACK", "LBRACE", "LPAREN", "OHEREDOC", "MINUS", "BANG"}
    if exprs <= expected:
        return "an expression"
    names = sorted({_describe(e) for e in expected})
    if len(names) > 6:
        return "one of " + ", ".join(names[:6]) + ", ..."
    return " or ".join(names)


def _syntax_message(tok: Token, expected: set[str]) -> str:
    if tok.type == "NL" and "EQ" in expected and len(expected) <= 3:
        return "Invalid argument or block definition: expected '=' or a block"
    if tok.type == "NL" and expected >= {"NUMBER", "IDENT", "OQUOTE"}:
        return "Invalid expression: expected an expression before the end of the line"
    if tok.type == "STAR" and expected == {"IDENT", "NUMBER"}:
        return "Nested splat expression not allowed: an attribute-only splat (.*) cannot contain another splat"
    if tok.type == "EQ" and "RBRACE" in expected:
        return "Invalid single-argument block definition: a one-line block holds at most one argument"
    return f"Unexpected {_describe(tok.type, str(tok))}, expected {_expectation(expected)}"


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def parse(text: str, path: str | os.PathLike[str] | None = None) -> cst.File:
    """Parse HCL source into a lossless ``File`` tree (``tree.code == text``).

    Raises ``ParseError`` (never a Lark exception) for anything Terraform
    rejects when it reads the file.
    """
    where = os.fspath(path) if path is not None else None
    try:
        body, eof = _drive(text)
    except LexError as e:
        line, col = _position(text, e.pos)
        raise ParseError(e.message, where, line, col, text) from None
    except _Redefined as e:
        msg = f"Attribute redefined: {str(e.token)!r} was already set at line {e.first.line}"
        raise ParseError(msg, where, e.token.line, e.token.column, text) from None
    except _SyntaxError as e:
        tok = e.token
        expected = {name for name in e.expected if name.isupper() or name == "$END"}
        if tok.type == "$END":
            line, col = _position(text, len(text))
            raise ParseError("Unexpected end of file", where, line, col, text) from None
        pos = tok.start_pos if tok.start_pos is not None else len(text)
        line, col = _position(text, pos)
        raise ParseError(_syntax_message(tok, expected), where, line, col, text) from None
    header: list[Token] = []
    if body.items:
        lead = body.items[0].leading
        blanks = [i for i, tok in enumerate(lead) if _is_blank_line(tok)]
        if blanks:
            cut = blanks[-1] + 1
            header, body.items[0].leading = lead[:cut], lead[cut:]
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    return cst.File(bom, header, body, eof, where)


def parse_expression(source: str) -> cst.Expr:
    """Parse one expression (for building new trees from HCL snippets)."""
    tree = parse(f"x = {source}\n")
    attrs = tree.body.attributes
    if len(tree.body.items) != 1 or not attrs:
        raise ParseError(f"not a single expression: {source!r}", None, 1, 1, source)
    value = attrs[0].value
    value.first_token().pre = ""
    return cst.unplaced(value)
