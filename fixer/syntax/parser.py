"""``parse(text) -> File``: the lexer and an LALR(1) parser, building the CST.

Two parsers, one grammar: ``_descend`` reads the grammar by recursive descent
and builds the CST directly (the fast path, for every input it takes); for
anything else the LALR table below (``_drive_table``) parses the input again
and raises the error, so every message and position comes from the table, and
the table is loaded only when an input is rejected.
tests/test_parser_paths.py checks that both give the same tree or both reject.

Lark analyses the grammar (``tffix/grammar/hcl.lark``) into an LALR table;
that is done once and the table, as plain data, is cached in the user's cache
directory (``$XDG_CACHE_HOME/tffix`` or ``~/.cache/tffix``, never the install
directory), keyed by a hash of the grammar and the table format, so a start
with the cache neither imports Lark nor analyses anything. ``_drive`` runs
the table itself, which matters because parsing is most of tffix's time:
each rule is classified once (a ``?rule`` with one child only changes the
state, and a chain of those for one lookahead is followed once and
remembered; an inlined ``_rule`` or repetition becomes a list spliced into
its parent; every other rule calls its ``_Builder`` method), so the CST is
built as rules are reduced and no intermediate tree exists.

Errors always come out as ``ParseError`` with a line and column; Terraform's
own checks that sit outside its grammar (duplicate attribute names in a
body) are done here too.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from sys import intern
from typing import Any

from tffix.syntax import cst
from tffix.syntax.errors import ParseError
from tffix.syntax.lexer import _OPERATORS, STREAM, LexError, Token, lex, tokenize

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


class _Builder:
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
    return str(folder / "hcl-grammar.table")


class _SyntaxError(Exception):
    def __init__(self, token: Token, expected: set[str]) -> None:
        self.token, self.expected = token, expected


class _Splice(list):
    """The children of an inlined rule (``_name`` and Lark's ``__name_star_N``
    repetitions), spliced into the parent's children."""

    __slots__ = ()


# The parse table, in plain data (what is cached): state -> terminal or rule
# name -> an int (shift to that state) or a rule number; rules[n] =
# (kind, number of children, rule name, callback name, left-recursive).
# Kinds: _UNIT (a ``?rule`` with one child: the child itself, only the state
# changes), _INLINE (an inlined rule: a _Splice), _CALL (a _Builder method).
_UNIT, _INLINE, _CALL = 0, 1, 2
_TABLE_FORMAT = 1


def _compile_table() -> tuple[dict[int, dict[str, int]], int, int, list[tuple[int, int, str, str, bool]]]:
    from lark import Lark
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _TableOnly(Lexer):
        """Lark wants a lexer for declared terminals; tokens come from tokenize()."""

        def __init__(self, lexer_conf: object) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - never called
            raise NotImplementedError

    lark = Lark(_grammar(), parser="lalr", lexer=_TableOnly, keep_all_tokens=True, maybe_placeholders=False)
    table = lark.parser.parser.parser.parse_table  # frontend -> LALR_Parser -> the table-driven parser
    rules: list[tuple[int, int, str, str, bool]] = []
    numbers: dict[object, int] = {}

    def number(rule: Any) -> int:
        if rule not in numbers:
            origin = str(rule.origin.name)
            size = len(rule.expansion)
            if origin.startswith("_"):
                kind = _INLINE
            elif rule.options.expand1 and not rule.alias and size == 1 and not rule.expansion[0].name.startswith("_"):
                kind = _UNIT
            else:
                kind = _CALL
            left = size > 0 and str(rule.expansion[0].name) == origin
            numbers[rule] = len(rules)
            rules.append((kind, size, origin, str(rule.alias or origin), left))
        return -1 - numbers[rule]

    states = {
        state: {str(name): arg if action is Shift else number(arg) for name, (action, arg) in actions.items()}
        for state, actions in table.states.items()
    }
    return states, table.start_states["start"], table.end_states["start"], rules


def _grammar() -> str:
    import tffix.grammar  # a package beside the code (also in an editable install)

    if tffix.grammar.__file__:
        return (Path(tffix.grammar.__file__).parent / "hcl.lark").read_text(encoding="utf-8")
    from importlib import resources  # a package without files (a zip)

    return resources.files("tffix.grammar").joinpath("hcl.lark").read_text(encoding="utf-8")


_table: tuple[dict[int, dict[str, int]], int, int, list[tuple[int, int, str, Any, bool]]] | None = None


def _get_table() -> tuple[dict[int, dict[str, int]], int, int, list[tuple[int, int, str, Any, bool]]]:
    """The parse table: loaded from the user's cache (plain data, read with
    ``marshal``: no Lark import, no grammar analysis), else computed by Lark
    from the grammar and cached, keyed by a hash of the grammar and this
    module's table format."""
    global _table
    if _table is None:
        import hashlib
        import marshal

        key = hashlib.sha256(f"{_TABLE_FORMAT}\0{_grammar()}".encode()).hexdigest()
        path = _cache_path()
        data = None
        if path is not None:
            try:
                with open(path, "rb") as f:
                    cached = marshal.load(f)
                if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == key:
                    data = cached[1]
                    states, start, end, rules = data
                    if not (isinstance(states, dict) and isinstance(rules, list)):
                        data = None
            except (OSError, EOFError, ValueError, TypeError):
                data = None
        if data is None:
            data = _compile_table()
            if path is not None:
                tmp = f"{path}.{os.getpid()}.tmp"
                try:
                    with open(tmp, "wb") as f:
                        marshal.dump((key, data), f)
                    os.replace(tmp, path)
                except (OSError, ValueError):
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
        states, start, end, rules = data
        builder = _Builder()
        _table = (states, start, end,
                  [(kind, size, name, getattr(builder, callback) if kind == _CALL else None, left)
                   for kind, size, name, callback, left in rules])
    return _table


_UNITS: dict[tuple[int, int, str], int] = {}
_ITEMS = frozenset({"attribute", "block"})


def _drive(text: str, first_line: int = 1, on_item: Callable[[Any], Any] | None = None) -> Any:
    """``text`` parsed into ``[Body, EOF token]``: by ``_descend`` (fast), and,
    for what it does not take, by the table (``_drive_table``), which raises
    the error. ``on_item`` must not keep state across calls (see ``_drive_lazy``)."""
    try:
        return _descend(text, first_line, on_item)
    except Exception:  # noqa: BLE001 - any failure of the fast path: the table decides and explains
        return _drive_table(text, first_line, on_item)


def _drive_table(text: str, first_line: int = 1, on_item: Callable[[Any], Any] | None = None) -> Any:
    """Run the LALR(1) table over the tokens of ``text``, building the CST.

    ``first_line``: the line number of the text's first line (``tokenize``).
    ``on_item``: for a lazy parse, called with each top-level item (an
    ``Attribute`` or ``Block`` of the file's body) as soon as it is built; what
    it returns takes the item's place, so the item's subtree is dropped there."""
    states, start, end, rules = _get_table()
    stack = [start]
    values: list[Any] = []
    push_state, push_value = stack.append, values.append
    units = _UNITS  # (state below, state, lookahead) -> state after unit reductions (the same for every file)
    splice = _Splice

    def flat(children: list[Any]) -> list[Any]:
        out: list[Any] = []
        for c in children:
            if type(c) is splice:
                out.extend(c)
            else:
                out.append(c)
        return out

    for batch in lex(text, lambda: states[stack[-1]], first_line, STREAM):
        for tok in batch:
            type_ = tok.type
            while True:
                top = stack[-1]
                action = states[top].get(type_)
                if action is None:
                    raise _SyntaxError(tok, set(states[top]))
                if action >= 0:
                    push_state(action)
                    push_value(tok)
                    break
                kind, size, name, callback, left = rules[-1 - action]
                if kind == _UNIT:
                    below = stack[-2]
                    key = (below, top, type_)
                    state = units.get(key)
                    if state is None:
                        state = states[below][name]
                        while True:  # follow the chain of unit reductions this lookahead makes
                            nxt = states[state].get(type_)
                            if nxt is None or nxt >= 0 or rules[-1 - nxt][0] != _UNIT:
                                break
                            state = states[below][rules[-1 - nxt][2]]
                        units[key] = state
                    stack[-1] = state
                    continue
                if size:
                    children = values[-size:]
                    del stack[-size:], values[-size:]
                else:
                    children = []
                if kind == _INLINE:
                    if left:
                        value = children[0]
                        for c in children[1:]:
                            if type(c) is splice:
                                value.extend(c)
                            else:
                                value.append(c)
                    else:
                        value = splice(flat(children))
                else:
                    for c in children:
                        if type(c) is splice:
                            children = flat(children)
                            break
                    value = callback(children)
                    if on_item is not None and len(values) <= 1 and name in _ITEMS:  # top level: below it, at most
                        # the body's repetition so far (a nested item has its block's tokens below it)
                        value = on_item(value)
                push_value(value)
                push_state(states[stack[-1]][name])
    while stack[-1] != end:
        top = stack[-1]
        action = states[top].get("$END")
        if action is None or action >= 0:  # pragma: no cover - EOF is always followed by $END
            raise _SyntaxError(Token.make("$END", ""), set(states[top]))
        kind, size, name, callback, left = rules[-1 - action]
        children = values[-size:] if size else []
        if size:
            del stack[-size:], values[-size:]
        if kind == _CALL:
            children = flat(children)
            value = callback(children)
        elif kind == _INLINE:
            value = splice(flat(children))
        else:
            value = children[0]
        push_value(value)
        push_state(states[stack[-1]][name])
    return values[-1]


class _Fallback(Exception):
    """The descent parser met something it does not take: the table decides."""


# binary operators by precedence level (grammar: or_expr ... mul_expr, all left-associative)
_LEVELS = {"OR": 0, "AND": 1, "EQEQ": 2, "NEQ": 2, "LT": 3, "GT": 3, "LTE": 3, "GTE": 3,
           "PLUS": 4, "MINUS": 4, "STAR": 5, "SLASH": 5, "PERCENT": 5}


def _descend(text: str, first_line: int = 1, on_item: Callable[[Any], Any] | None = None) -> Any:
    """The grammar of ``hcl.lark``, parsed by recursive descent: what ``_drive``
    builds for every input the table accepts (the same nodes, the same calls of
    ``on_item``), several times faster. Anything it does not take raises
    (``_Fallback``, the lexer's error, a body's ``_Redefined``, a
    ``RecursionError``): the caller then runs the table, which gives the error
    with its message and position. Where ``in`` and ``if`` are keywords the
    table decides by its state; here the grammar says it: they are read as
    names (no ``accepts``) and become ``IN`` / ``IF`` where one is due (no
    parser state takes both a keyword and a name, so the two agree)."""
    if on_item is None:
        (tokens,) = lex(text, None, first_line)  # one batch: all of them (or the error)
        nxt = iter(tokens).__next__
    else:  # a lazy parse keeps the items' tokens only as long as it builds them (memory)
        nxt = tokenize(text, None, first_line).__next__
    tok = nxt()
    Attribute, Block, Body, Label = cst.Attribute, cst.Block, cst.Body, cst.Label
    Variable, Literal, Traversal, GetAttr = cst.Variable, cst.Literal, cst.Traversal, cst.GetAttr
    Template = cst.Template
    levels = _LEVELS

    def fail() -> Any:
        raise _Fallback

    def body(top: bool) -> Any:
        """A body, grouped into lines as ``_Builder.body`` groups them (each
        item owns the lines above it and the end of its own line)."""
        nonlocal tok
        items: list[Any] = []
        pending: list[Token] = []
        seen: dict[str, Token] | None = None if top and on_item is not None else {}  # lazy: on_item checks
        while True:
            t = tok.type
            if t == "NL":
                pending.append(tok)
                tok = nxt()
                continue
            if t != "IDENT":
                return Body(items, pending)
            name = tok
            tok = nxt()
            if tok.type == "EQ":
                eq = tok
                tok = nxt()
                item = Attribute([], name, eq, expr(), None)
                if seen is not None:
                    prior = seen.get(name)
                    if prior is not None:
                        raise _Redefined(name, prior)
                    seen[name] = name
            else:
                item = block(name)
            if top and on_item is not None:
                item = on_item(item)
            item.leading = pending
            pending = []
            items.append(item)
            if tok.type != "NL":
                fail()
            item.newline = tok
            tok = nxt()

    def block(type_token: Token) -> Any:
        nonlocal tok
        labels = []
        while True:
            t = tok.type
            if t == "IDENT":
                labels.append(Label([tok]))
                tok = nxt()
            elif t == "OQUOTE":
                parts = [tok]
                tok = nxt()
                if tok.type == "QLIT":
                    parts.append(tok)
                    tok = nxt()
                if tok.type != "CQUOTE":
                    fail()
                parts.append(tok)
                tok = nxt()
                labels.append(Label(parts))
            else:
                break
        if t != "LBRACE":
            fail()
        lbrace = tok
        tok = nxt()
        if tok.type == "NL":
            newline = tok
            tok = nxt()
            inner = body(False)
            if tok.type != "RBRACE":
                fail()
            rbrace = tok
            tok = nxt()
            return Block([], type_token, labels, lbrace, newline, inner, rbrace, None)
        items = []
        if tok.type == "IDENT":
            name = tok
            tok = nxt()
            if tok.type != "EQ":
                fail()
            eq = tok
            tok = nxt()
            items.append(Attribute([], name, eq, expr(), None))
        if tok.type != "RBRACE":
            fail()
        rbrace = tok
        tok = nxt()
        return Block([], type_token, labels, lbrace, None, Body(items, []), rbrace, None)

    def expr() -> Any:
        nonlocal tok
        left = unary()
        if tok.type in levels:
            left = climb(left, 0)
        if tok.type != "QMARK":
            return left
        qmark = tok
        tok = nxt()
        true = expr()
        if tok.type != "COLON":
            fail()
        colon = tok
        tok = nxt()
        return cst.Conditional(left, qmark, true, colon, expr())

    def climb(left: Any, least: int) -> Any:
        nonlocal tok
        while True:
            level = levels.get(tok.type)
            if level is None or level < least:
                return left
            op = tok
            tok = nxt()
            right = unary()
            if tok.type in levels:
                right = climb(right, level + 1)
            left = cst.BinaryOp(left, op, right)

    def unary() -> Any:
        nonlocal tok
        t = tok.type
        if t == "MINUS" or t == "BANG":
            op = tok
            tok = nxt()
            return cst.UnaryOp(op, unary())
        # ---- primary ----
        if t == "IDENT":
            node = tok
            tok = nxt()
            t = tok.type
            if t == "LPAREN" or t == "DCOLON":
                node = call(node)
                t = tok.type
            elif node == "true" or node == "false" or node == "null":
                node = Literal(node)
            else:
                node = Variable(node)
        elif t == "OQUOTE":
            node = tok
            tok = nxt()
            parts = template_parts()
            if tok.type != "CQUOTE":
                fail()
            node = Template(node, parts, tok)
            tok = nxt()
            t = tok.type
        elif t == "NUMBER":
            node = Literal(tok)
            tok = nxt()
            t = tok.type
        elif t == "LBRACE":
            node = braces()
            t = tok.type
        elif t == "LBRACK":
            node = brackets()
            t = tok.type
        elif t == "LPAREN":
            node = tok
            tok = nxt()
            inner = expr()
            if tok.type != "RPAREN":
                fail()
            node = cst.Parens(node, inner, tok)
            tok = nxt()
            t = tok.type
        elif t == "OHEREDOC":
            node = tok
            tok = nxt()
            parts = template_parts()
            if tok.type != "CHEREDOC":
                fail()
            node = cst.Heredoc(node, parts, tok)
            tok = nxt()
            t = tok.type
        else:
            fail()
        # ---- postfix: traversal steps ----
        if t != "DOT" and t != "LBRACK":
            return node
        steps: list[Any] = []
        append = steps.append
        while True:
            if t == "DOT":
                dot = tok
                tok = nxt()
                t = tok.type
                if t == "IDENT":
                    append(GetAttr(dot, tok))
                    tok = nxt()
                elif t == "NUMBER":
                    append(cst.LegacyIndex(dot, tok))
                    tok = nxt()
                elif t == "STAR":
                    star = tok
                    tok = nxt()
                    append(attr_splat(dot, star))
                else:
                    fail()
            elif t == "LBRACK":
                append(bracket_step())
            else:
                return Traversal(node, steps)
            t = tok.type

    def bracket_step() -> Any:
        """``[ expr ]`` or ``[*]`` with the steps it takes (``tok`` is the ``[``)."""
        nonlocal tok
        lbrack = tok
        tok = nxt()
        if tok.type == "STAR":
            star = tok
            tok = nxt()
            if tok.type != "RBRACK":
                fail()
            rbrack = tok
            tok = nxt()
            return full_splat(lbrack, star, rbrack)
        key = expr()
        if tok.type != "RBRACK":
            fail()
        rbrack = tok
        tok = nxt()
        return cst.Index(lbrack, key, rbrack)

    def attr_splat(dot: Token, star: Token) -> Any:
        nonlocal tok
        steps = []
        while tok.type == "DOT":
            step_dot = tok
            tok = nxt()
            t = tok.type
            if t == "IDENT":
                steps.append(GetAttr(step_dot, tok))
            elif t == "NUMBER":
                steps.append(cst.LegacyIndex(step_dot, tok))
            else:
                fail()
            tok = nxt()
        return cst.AttrSplat(dot, star, steps)

    def full_splat(lbrack: Token, star: Token, rbrack: Token) -> Any:
        nonlocal tok
        steps = []
        while True:
            t = tok.type
            if t == "DOT":
                dot = tok
                tok = nxt()
                t = tok.type
                if t == "IDENT":
                    steps.append(GetAttr(dot, tok))
                elif t == "NUMBER":
                    steps.append(cst.LegacyIndex(dot, tok))
                elif t == "STAR":
                    inner_star = tok
                    tok = nxt()
                    steps.append(attr_splat(dot, inner_star))
                    continue
                else:
                    fail()
                tok = nxt()
            elif t == "LBRACK":
                steps.append(bracket_step())
            else:
                return cst.FullSplat(lbrack, star, rbrack, steps)

    def call(name: Token) -> Any:
        nonlocal tok
        names = [name]
        while tok.type == "DCOLON":
            names.append(tok)
            tok = nxt()
            if tok.type != "IDENT":
                fail()
            names.append(tok)
            tok = nxt()
        if tok.type != "LPAREN":
            fail()
        lparen = tok
        tok = nxt()
        args: list[Any] = []
        if tok.type != "RPAREN":
            while True:
                args.append(expr())
                t = tok.type
                if t == "COMMA":
                    args.append(tok)
                    tok = nxt()
                    if tok.type == "RPAREN":
                        break
                else:
                    if t == "ELLIPSIS":
                        args.append(tok)
                        tok = nxt()
                    break
        if tok.type != "RPAREN":
            fail()
        rparen = tok
        tok = nxt()
        return cst.FunctionCall(names, lparen, args, rparen)

    def brackets() -> Any:
        nonlocal tok
        lbrack = tok
        tok = nxt()
        if tok.type == "FOR":
            intro = for_intro()
            value = expr()
            cond = for_cond()
            if tok.type != "RBRACK":
                fail()
            rbrack = tok
            tok = nxt()
            return cst.ForTuple(lbrack, intro, value, cond, rbrack)
        elements: list[Any] = []
        while tok.type != "RBRACK":
            elements.append(expr())
            if tok.type != "COMMA":
                break
            elements.append(tok)
            tok = nxt()
        if tok.type != "RBRACK":
            fail()
        rbrack = tok
        tok = nxt()
        return cst.Tuple(lbrack, elements, rbrack)

    def braces() -> Any:
        nonlocal tok
        lbrace = tok
        tok = nxt()
        if tok.type == "FOR":
            intro = for_intro()
            key = expr()
            if tok.type != "FATARROW":
                fail()
            arrow = tok
            tok = nxt()
            value = expr()
            ellipsis = None
            if tok.type == "ELLIPSIS":
                ellipsis = tok
                tok = nxt()
            cond = for_cond()
            if tok.type != "RBRACE":
                fail()
            rbrace = tok
            tok = nxt()
            return cst.ForObject(lbrace, intro, key, arrow, value, ellipsis, cond, rbrace)
        children: list[Any] = []
        append = children.append
        while tok.type == "NL":
            append(tok)
            tok = nxt()
        while tok.type != "RBRACE":
            key = expr()
            t = tok.type
            if t != "EQ" and t != "COLON":
                fail()
            eq = tok
            tok = nxt()
            append(cst.ObjectItem([], key, eq, expr(), None, None))
            t = tok.type
            if t == "COMMA":
                append(tok)
                tok = nxt()
            elif t != "NL":
                break
            while tok.type == "NL":
                append(tok)
                tok = nxt()
        if tok.type != "RBRACE":
            fail()
        items, trailing, first = _attach_lines(children, opening=True)
        node = cst.Object(lbrace, first, items, trailing, tok)
        tok = nxt()
        return node

    def keyword(word: str, type_: str) -> Token:
        """``in`` / ``if``, which the lexer gave as a name."""
        nonlocal tok
        if tok.type != "IDENT" or tok != word:
            fail()
        kw = tok
        kw.type = type_
        tok = nxt()
        return kw

    def for_intro() -> Any:
        nonlocal tok
        for_kw = tok
        tok = nxt()
        if tok.type != "IDENT":
            fail()
        first = tok
        tok = nxt()
        comma = second = None
        if tok.type == "COMMA":
            comma = tok
            tok = nxt()
            if tok.type != "IDENT":
                fail()
            second = tok
            tok = nxt()
        in_kw = keyword("in", "IN")
        collection = expr()
        if tok.type != "COLON":
            fail()
        colon = tok
        tok = nxt()
        if comma is None:
            return cst.ForIntro(for_kw, None, None, first, in_kw, collection, colon)
        return cst.ForIntro(for_kw, first, comma, second, in_kw, collection, colon)

    def for_cond() -> Any:
        if tok.type != "IDENT" or tok != "if":
            return None
        if_kw = keyword("if", "IF")
        return cst.ForCond(if_kw, expr())

    def expect(type_: str) -> Token:
        nonlocal tok
        if tok.type != type_:
            fail()
        got = tok
        tok = nxt()
        return got

    def template_parts() -> list[Any]:
        nonlocal tok
        parts: list[Any] = []
        while True:
            t = tok.type
            if t == "QLIT" or t == "HLIT":
                parts.append(tok)
                tok = nxt()
            elif t == "TINTERP":
                open_ = tok
                tok = nxt()
                inner = expr()
                parts.append(cst.Interpolation(open_, inner, expect("TSEQEND")))
            elif t == "TCTRL_IF":
                head = [tok]
                tok = nxt()
                head.append(expect("TIF"))
                head.append(expr())
                head.append(expect("TSEQEND"))
                head.append(template_parts())
                if tok.type == "TCTRL_ELSE":
                    head.append(tok)
                    tok = nxt()
                    head.append(expect("TELSE"))
                    head.append(expect("TSEQEND"))
                    head.append(template_parts())
                else:
                    head += (None, None, None, None)
                head.append(expect("TCTRL_ENDIF"))
                head.append(expect("TENDIF"))
                head.append(expect("TSEQEND"))
                parts.append(cst.TemplateIf(*head))
            elif t == "TCTRL_FOR":
                head = [tok]
                tok = nxt()
                head.append(expect("TFOR"))
                first = expect("IDENT")
                if tok.type == "COMMA":
                    head += (first, tok)
                    tok = nxt()
                    head.append(expect("IDENT"))
                else:
                    head += (None, None, first)
                head.append(keyword("in", "IN"))
                head.append(expr())
                head.append(expect("TSEQEND"))
                head.append(template_parts())
                head.append(expect("TCTRL_ENDFOR"))
                head.append(expect("TENDFOR"))
                head.append(expect("TSEQEND"))
                parts.append(cst.TemplateFor(*head))
            else:
                return parts

    try:
        top = body(True)
        if tok.type != "EOF":
            fail()
        return [top, tok]
    finally:
        # the functions above refer to each other through their closure's cells:
        # emptied, they are freed now, not left (with the token list) to the
        # cyclic collector
        body = block = expr = climb = unary = bracket_step = attr_splat = full_splat = call = None  # type: ignore
        brackets = braces = keyword = for_intro = for_cond = expect = template_parts = None  # type: ignore



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


def _drive_lazy(text: str) -> tuple[cst.LazyBody, Token, list[Token]]:
    """``_drive`` for ``parse(lazy=True)``: every byte is read and checked as
    by ``_drive``, but each top-level item is replaced by a ``Stub`` as soon as
    it is built. Returns the lazy body, the EOF token and the file's header."""

    def attempt(drive: Callable[..., Any]) -> tuple[Any, Token, list[_Redefined]]:
        """One pass with a fresh state (a failed fast pass must leave nothing behind)."""
        seen: dict[str, Token] = {}
        redefined: list[_Redefined] = []

        def on_item(node: cst.Attribute | cst.Block) -> cst.Stub:
            if node.__class__ is cst.Attribute:
                name = node.name_token
                if not redefined:  # the body's check, in order (raised at the end, as the body's)
                    prior = seen.get(name)
                    if prior is not None:
                        redefined.append(_Redefined(name, prior))
                    else:
                        seen[str(name)] = name
                return cst.Stub(None, (), name.line or 0, name.column or 0)
            kind = node.type_token
            return cst.Stub(intern(str(kind)), tuple(intern(lab.value) for lab in node.labels),
                            kind.line or 0, kind.column or 0)

        body, eof = drive(text, 1, on_item)
        return body, eof, redefined

    try:
        body, eof, redefined = attempt(_descend)
    except Exception:  # noqa: BLE001 - as in _drive: the table decides and explains
        body, eof, redefined = attempt(_drive_table)
    if redefined:
        raise redefined[0]
    stubs: list[cst.Stub] = body.items  # type: ignore[assignment]
    header: list[Token] = []
    if stubs:
        lead = stubs[0].leading or []
        blanks = [i for i, tok in enumerate(lead) if _is_blank_line(tok)]
        if blanks:
            cut = blanks[-1] + 1
            header, stubs[0].leading = lead[:cut], lead[cut:]
    # offsets from the (line, column) of each item's newline: one walk over the lines
    at_line, at = 1, 0  # the line number and offset of a line start, moving forward only

    def end_of(tok: Token) -> int:
        nonlocal at_line, at
        line = tok.line or 0
        while at_line < line:
            at = text.index("\n", at) + 1
            at_line += 1
        return at + (tok.column or 1) - 1 + len(tok)

    bom = 1 if text.startswith("\ufeff") else 0  # the file's, not the first item's
    start, line = (end_of(header[-1]), (header[-1].line or 0) + 1) if header else (bom, 1)
    for stub in stubs:
        newline = stub.newline
        assert newline is not None
        stub.start, stub.first_line = start, line
        stub.end = start = end_of(newline)
        line = (newline.line or 0) + 1
        stub.blank_above = bool(stub.leading) and _is_blank_line(stub.leading[0])  # type: ignore[index]
        stub.leading = stub.newline = None
    return cst.LazyBody(stubs, body.trailing, text, _load), eof, header


def _load(text: str, stub: cst.Stub) -> cst.Attribute | cst.Block:
    """Build the item of a lazy parse's ``stub``: its text parsed alone, with
    the file's line numbers (columns are the file's: the text starts a line)."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    start = stub.start
    if start == 1 and text.startswith("\ufeff"):
        start = 0  # the first item after a byte order mark: the columns on line 1 count it (tokenize skips it)
    try:
        body, eof = _drive(text[start : stub.end], stub.first_line)
    finally:
        if collecting:
            gc.enable()
    (item,) = body.items
    assert not body.trailing and not eof.pre, "a lazy item's text holds exactly the item"
    return item


def parse(text: str, path: str | os.PathLike[str] | None = None, *, lazy: bool = False) -> cst.File:
    """Parse HCL source into a lossless ``File`` tree (``tree.code == text``).

    Raises ``ParseError`` (never a Lark exception) for anything Terraform
    rejects when it reads the file.

    ``lazy=True``: the same checks and errors, but the top-level items are
    not kept: the file's body is a ``LazyBody`` that builds each item on first
    use (``body.items`` builds them all; ``body.item(i)`` one), and printing
    copies the text of the items never built. For large files that are read
    in part or item by item (a few bytes per source byte instead of ~50).
    """
    where = os.fspath(path) if path is not None else None
    # The parser allocates millions of objects and creates no reference
    # cycles: the cyclic collector would only rescan them, again and again
    # (it made a 5 MB file take 1.6x as long).
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        if lazy:
            body, eof, header = _drive_lazy(text)
        else:
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
        if tok.line is not None and tok.column is not None:
            line, col = tok.line, tok.column
        else:
            line, col = _position(text, len(text))
        raise ParseError(_syntax_message(tok, expected), where, line, col, text) from None
    finally:
        if collecting:
            gc.enable()
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    if lazy:
        return cst.File(bom, header, body, eof, where)
    header = []
    if body.items:
        lead = body.items[0].leading
        blanks = [i for i, tok in enumerate(lead) if _is_blank_line(tok)]
        if blanks:
            cut = blanks[-1] + 1
            header, body.items[0].leading = lead[:cut], lead[cut:]
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
