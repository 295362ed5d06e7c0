"""The concrete syntax tree: every byte of the source, in typed nodes.

Printing only concatenates: a node's ``code`` is the ``pre + value`` of its
tokens in order, so a tree that nobody edited prints back its source exactly.

Trivia ownership (the fixed rules every edit relies on)
-------------------------------------------------------
Trivia is whitespace, comments and newlines that carry no syntax. The lexer
attaches each run of it to the token that follows (``Token.pre``); the parser
then gives whole lines to items:

1. An item (``Attribute`` or ``Block`` in a body, ``ObjectItem`` in an object)
   owns the blank and comment lines directly above it, back to the previous
   item or the opening brace (``leading``: ``NL`` tokens, each one line whose
   ``pre`` is that line's indentation and comment), its own indentation (the
   ``pre`` of its first token) and its end of line: the ``NL`` token whose
   ``pre`` is the same-line comment, if any (``newline``).
2. A block owns the end of its header line (``open_newline``: a comment after
   ``{`` and the newline) and the indentation of its ``}`` (``rbrace.pre``).
   Lines after the last item and before ``}`` are the body's ``trailing``.
3. The file owns its BOM, its ``header`` (the lines above the first item up to
   and including the last blank line before it, such as a licence comment, so
   removing the first item keeps them), and its trailing lines (``body.trailing``
   plus the ``EOF`` token's ``pre``).
4. Inside expressions, trivia stays in ``pre`` of the next token: a comment
   inside a call's arguments travels with the argument after it.

A file without a final newline ends with an ``NL`` token of zero width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import Any, Union

from tffix.syntax.lexer import Token

__all__ = [
    "Node", "Expr", "File", "Body", "Attribute", "Block", "Label",
    "Literal", "Variable", "Template", "Heredoc", "Interpolation", "TemplateIf",
    "TemplateFor", "Traversal", "GetAttr", "Index", "LegacyIndex", "AttrSplat",
    "FullSplat", "FunctionCall", "Tuple", "Object", "ObjectItem", "Conditional",
    "BinaryOp", "UnaryOp", "Parens", "ForIntro", "ForCond", "ForTuple", "ForObject",
    "Token", "tokens_of", "sole_expression", "LazyBody", "Stub",
]

Child = Union["Node", Token, list, None]

# Who is watching reads (the engine records what each rule's check reads, to know whether a
# later round of fixes can change its findings: ``engine/module.py``): a stack of sets. Reading
# a node's position (``line``, ``column``) adds ``POSITIONS`` to the innermost one, as a finding
# that quotes a line cannot be reused once lines move.
readers: list[set[Any]] = []
POSITIONS = "positions"


class Node:
    """Base class. ``__slots__`` lists the fields in source order; a field is
    a Token, a Node, a list of them, or None, and printing walks them."""

    __slots__: tuple[str, ...] = ()
    _fields: tuple[str, ...] = ()  # printed fields, in order (default: __slots__)
    _values: Callable[[Any], tuple[Any, ...]] = staticmethod(lambda node: ())  # the fields' values, in order

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "_fields" not in cls.__dict__:
            cls._fields = tuple(cls.__dict__.get("__slots__", ()))
        fields = cls._fields
        if len(fields) > 1:
            cls._values = staticmethod(attrgetter(*fields))  # one C call for every field
        elif fields:
            get = attrgetter(fields[0])
            cls._values = staticmethod(lambda node: (get(node),))

    def tokens(self) -> Iterator[Token]:
        """Every token under this node, in source order."""
        return tokens_of(self)

    @property
    def code(self) -> str:
        """The exact source text of this node (including its owned trivia)."""
        out: list[str] = []
        _emit(self, out)
        return "".join(out)

    def __str__(self) -> str:
        return self.code

    def has_comments(self) -> bool:
        """True when a comment is written anywhere inside the node (an edit that rebuilds
        the node from values would lose it)."""
        return any("#" in t.pre or "//" in t.pre or "/*" in t.pre for t in self.tokens())

    def first_token(self) -> Token:
        for tok in self.tokens():
            return tok
        raise ValueError(f"{type(self).__name__} has no tokens")

    def last_token(self) -> Token:
        """The last of ``tokens()``, found from the end (not by going through them all)."""
        stack: list[Any] = [self]
        pop, extend = stack.pop, stack.extend
        while stack:
            item = pop()
            if item is None or item.__class__ is str:  # File.bom
                continue
            if isinstance(item, Token):
                return item
            extend(item if item.__class__ is list else item._values(item))
        raise ValueError(f"{type(self).__name__} has no tokens")

    @property
    def line(self) -> int:
        """1-based line of the node's first significant token (0 if synthetic)."""
        if readers:
            readers[-1].add(POSITIONS)
        return getattr(self._anchor(), "line", None) or 0

    @property
    def column(self) -> int:
        if readers:
            readers[-1].add(POSITIONS)
        return getattr(self._anchor(), "column", None) or 0

    def _anchor(self) -> Token:
        return self.first_token()

    def children(self) -> Iterator[Node]:
        """The nodes directly below this one, in source order (for walks that prune)."""
        return (c for c in _children(self) if isinstance(c, Node))

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first, in source order."""
        stack: list[Node] = [self]
        pop, push = stack.pop, stack.append
        node_type = Node
        while stack:
            node = pop()
            yield node
            at = len(stack)
            for value in node._values(node):  # the children, pushed in order, then reversed in place
                if value.__class__ is list:
                    for child in value:
                        if isinstance(child, node_type):
                            push(child)
                elif isinstance(value, node_type):
                    push(value)
            if len(stack) - at > 1:
                stack[at:] = stack[:at - 1:-1] if at else stack[::-1]

    def __repr__(self) -> str:
        text = self.code.strip()
        if len(text) > 40:
            text = text[:37] + "..."
        return f"<{type(self).__name__} {text!r}>"


def _children(node: Node) -> Iterator[Node | Token]:
    for value in node._values(node):
        if value is None or value.__class__ is str:  # File.bom
            continue
        if value.__class__ is list:
            yield from value
        else:
            yield value


def unplaced(node: Node) -> Node:
    """``node`` with its tokens' source positions cleared, as for tokens built by edits:
    a node built by parsing a snippet is new code, and positions are how checks tell
    what a fix wrote (``Node.line`` is 0) from what was there."""
    for tok in tokens_of(node):
        tok.line = tok.column = None
    return node


def tokens_of(node: Node | Token) -> Iterator[Token]:
    """Every token under ``node`` in source order. A loop over an explicit
    stack, not recursion: Terraform accepts nesting far deeper than Python's
    recursion limit (thousands of brackets, a long ``a + b + ...`` chain)."""
    if isinstance(node, Token):
        yield node
        return
    stack: list[Any] = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        if item is None or item.__class__ is str:  # File.bom
            continue
        if isinstance(item, Token):
            yield item
        elif item.__class__ is list:
            extend(reversed(item))
        else:
            extend(reversed(item._values(item)))


def _emit(node: Node, out: list[str], depth: int = 0) -> None:
    """Append the text of ``node`` to ``out``. Recursive while shallow (the
    fast path), a loop below ``_SHALLOW`` levels, for the same reason as
    ``tokens_of``."""
    if depth > _SHALLOW:
        _emit_deep(node, out)
        return
    append = out.append
    for value in node._values(node):
        if value is None:
            continue
        cls = value.__class__
        if cls is Token:
            if value.pre:
                append(value.pre)
            append(value)
        elif cls is list:
            for item in value:
                if item.__class__ is Token:
                    if item.pre:
                        append(item.pre)
                    append(item)
                else:
                    _emit(item, out, depth + 1)
        elif cls is str:  # File.bom
            append(value)
        else:
            _emit(value, out, depth + 1)


_SHALLOW = 100


def _emit_tokens(tokens: list[Token], out: list[str]) -> None:
    for tok in tokens:
        out.append(tok.pre)
        out.append(tok)


def _emit_deep(node: Node, out: list[str]) -> None:
    append = out.append
    stack: list[Child | str] = [node]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, Token):
            append(item.pre)
            append(item)
        elif isinstance(item, str):  # File.bom
            append(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        else:
            stack.extend(reversed(item._values(item)))


# ---- structure ---------------------------------------------------------------

class _HasBody:
    """Reading a body, on ``File`` and ``Block``. Changing one is the edit API's job
    (``tffix.edit``: ``set_attribute``, ``remove_attribute``, ``append_block``, ...)."""

    __slots__ = ()

    def get_attribute(self, name: str) -> Attribute | None:
        """The attribute ``name`` directly in this body, if any."""
        for item in self.body.items:  # type: ignore[attr-defined]
            if isinstance(item, Attribute) and item.name == name:
                return item
        return None

    def find_blocks(self, type: str | None = None, *labels: str) -> list[Block]:
        """Blocks directly in this body with this type and these leading labels."""
        return [item for item in self.body.items  # type: ignore[attr-defined]
                if isinstance(item, Block) and (type is None or item.type == type)
                and list(item.label_values[: len(labels)]) == list(labels)]


class Body(Node):
    """The items of a file or block, then the lines after the last one."""

    __slots__ = ("items", "trailing")

    def __init__(self, items: list[Attribute | Block], trailing: list[Token]) -> None:
        self.items = items
        self.trailing = trailing

    @property
    def attributes(self) -> list[Attribute]:
        return [i for i in self.items if isinstance(i, Attribute)]

    @property
    def blocks(self) -> list[Block]:
        return [i for i in self.items if isinstance(i, Block)]


class Stub:
    """A top-level item of a lazy parse (``parse(text, lazy=True)``) that has
    not been built: where its text is (``start``, ``end``: offsets into the
    file's text, from the first line it owns through its end of line, so
    ``start`` is always a line start; ``first_line``: the line ``start`` is
    on), and what a look over the file's blocks needs without building them:
    ``type`` (a block's type, None for an attribute), ``labels`` (a block's
    label values), ``line`` and ``column`` (as the node's: its first
    significant token). Not a node: ``LazyBody`` builds the item on first
    use. ``blank_above``: its first owned line is blank (nothing before it
    is aligned with it). ``leading`` and ``newline`` are used only while the
    parser groups lines."""

    __slots__ = ("start", "end", "first_line", "blank_above", "type", "labels", "line", "column",
                 "leading", "newline")

    def __init__(self, type: str | None, labels: tuple[str, ...], line: int, column: int) -> None:
        self.start = self.end = self.first_line = 0
        self.blank_above = False
        self.type = type
        self.labels = labels
        self.line = line
        self.column = column
        self.leading: list[Token] | None = None
        self.newline: Token | None = None


class LazyBody(Body):
    """The body of a file parsed with ``lazy=True``: its items are kept as
    ``Stub`` spans of the source text and built (parsed again, alone, with
    the file's line numbers) on first use, one at a time, so the whole tree
    never exists at once. ``items`` builds every one that is not built yet
    (anything that reads or edits the items gets real nodes); ``item(i)``
    builds one; printing copies the text of the items never built.
    ``pending`` counts the items not built yet."""

    __slots__ = ("_entries", "_text", "_load", "_whole")
    _fields = ("items", "trailing")  # a walk or a token stream builds every item

    def __init__(self, entries: list[Any], trailing: list[Token], text: str,
                 load: Callable[[str, Stub], Attribute | Block]) -> None:
        self._entries = entries
        self.trailing = trailing
        self._text = text
        self._load = load
        self._whole = False  # every item built: ``items`` is the list as it is

    @property  # type: ignore[override]
    def items(self) -> list[Attribute | Block]:
        entries = self._entries
        if not self._whole:
            for i, entry in enumerate(entries):
                if entry.__class__ is Stub:
                    entries[i] = self._load(self._text, entry)
            self._whole = True
        return entries

    @items.setter
    def items(self, value: list[Attribute | Block]) -> None:
        self._entries = value
        self._whole = True

    @property
    def entries(self) -> list[Stub | Attribute | Block]:
        """The items as they are now: a ``Stub`` for each one not built yet."""
        return self._entries

    def item(self, index: int) -> Attribute | Block:
        """The item at ``index``, built if it was not."""
        entry = self._entries[index]
        if entry.__class__ is Stub:
            entry = self._entries[index] = self._load(self._text, entry)
        return entry

    def peek(self, index: int) -> Attribute | Block:
        """The item at ``index``, built for the caller only if it was not
        (not kept: the next call builds it again)."""
        entry = self._entries[index]
        return self._load(self._text, entry) if entry.__class__ is Stub else entry

    def scan(self) -> Iterator[Attribute | Block]:
        """Every item in order, the ones not built yet built one at a time for
        the caller and not kept (a pass over a huge file in bounded memory;
        edits to them are lost)."""
        for i in range(len(self._entries)):
            yield self.peek(i)

    @property
    def pending(self) -> int:
        """How many items are not built yet."""
        return sum(1 for e in self._entries if e.__class__ is Stub)

    @property
    def code(self) -> str:
        out: list[str] = []
        self._emit_to(out)
        return "".join(out)

    def _source_if_untouched(self, head: str, tail: str) -> str | None:
        """The source text, if it is what the file prints: no item built, and
        ``head`` (what comes before the items) and ``tail`` (after them) as in it."""
        entries = self._entries
        text = self._text
        if not entries or entries[0].__class__ is not Stub or entries[0].start != len(head):
            return None
        end = entries[0].start
        for entry in entries:
            if entry.__class__ is not Stub or entry.start != end:
                return None
            end = entry.end
        if end + len(tail) != len(text) or not text.startswith(head) or not text.endswith(tail):
            return None
        return text

    def _emit_to(self, out: list[str]) -> None:
        """The text of the body: one slice of the source for each run of items
        never built, the built ones printed from their nodes."""
        text = self._text
        run_start = run_end = -1
        for entry in self._entries:
            if entry.__class__ is Stub:
                if entry.start != run_end:
                    if run_start >= 0:
                        out.append(text[run_start:run_end])
                    run_start = entry.start
                run_end = entry.end
                continue
            if run_start >= 0:
                out.append(text[run_start:run_end])
                run_start = run_end = -1
            _emit(entry, out)
        if run_start >= 0:
            out.append(text[run_start:run_end])
        for tok in self.trailing:
            out.append(tok.pre)
            out.append(tok)


class File(_HasBody, Node):
    """A whole source file. ``path`` is informational (for messages)."""

    __slots__ = ("bom", "header", "body", "eof", "path")
    _fields = ("bom", "header", "body", "eof")

    def __init__(self, bom: str, header: list[Token], body: Body, eof: Token, path: str | None = None) -> None:
        self.bom = bom
        self.header = header
        self.body = body
        self.eof = eof
        self.path = path

    @property
    def code(self) -> str:
        """The exact source text (a lazy body prints the items it never built
        from the source text)."""
        out: list[str] = []
        body = self.body
        if isinstance(body, LazyBody):
            out.append(self.bom)
            _emit_tokens(self.header, out)
            head = "".join(out)
            tail: list[str] = []
            _emit_tokens([*body.trailing, self.eof], tail)
            whole = body._source_if_untouched(head, "".join(tail))
            if whole is not None:
                return whole  # the source itself: no copy of a huge file
            body._emit_to(out)
            _emit_tokens([self.eof], out)
        else:
            _emit(self, out)
        return "".join(out)

    def scan_tokens(self) -> Iterator[Token]:
        """Every token in order, as ``tokens()``, but the items of a lazy body
        that are not built yet are built one at a time and dropped (a
        read-only pass over a huge file in bounded memory)."""
        body = self.body
        if not isinstance(body, LazyBody):
            return tokens_of(self)
        return self._scan_lazy(body)

    def _scan_lazy(self, body: LazyBody) -> Iterator[Token]:
        yield from self.header
        for item in body.scan():
            yield from tokens_of(item)
        yield from body.trailing
        yield self.eof

    @property
    def newline(self) -> str:
        """The file's line ending: ``\\r\\n`` if its first newline is one."""
        for tok in self.scan_tokens():
            if tok.type == "NL" and tok:
                return str(tok)
            i = tok.pre.find("\n")
            if i >= 0:
                return "\r\n" if tok.pre[i - 1 : i] == "\r" else "\n"
        return "\n"


class Attribute(Node):
    """``name = value`` in a body."""

    __slots__ = ("leading", "name_token", "eq", "value", "newline")

    def __init__(self, leading: list[Token], name: Token, eq: Token, value: Expr, newline: Token | None) -> None:
        self.leading = leading
        self.name_token = name
        self.eq = eq
        self.value = value
        self.newline = newline

    @property
    def name(self) -> str:
        return str(self.name_token)

    def _anchor(self) -> Token:
        return self.name_token

    @property
    def comment(self) -> str:
        """The same-line comment (with the spaces before it), or ''."""
        return self.newline.pre if self.newline is not None else ""


class Label(Node):
    """A block label: a bare identifier or a quoted string without templates."""

    __slots__ = ("tokens_",)

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens_ = tokens

    @property
    def value(self) -> str:
        tokens = self.tokens_
        if len(tokens) == 1:
            return str(tokens[0])
        if len(tokens) == 3:  # a quoted label: its text between the quotes
            return str(tokens[1])
        return "".join(tokens[1:-1])

    @property
    def quoted(self) -> bool:
        return len(self.tokens_) > 1


class Block(_HasBody, Node):
    """``type "label"... { body }``; one-line blocks have no ``open_newline``."""

    __slots__ = ("leading", "type_token", "labels", "lbrace", "open_newline", "body", "rbrace", "newline")

    def __init__(
        self,
        leading: list[Token],
        type_token: Token,
        labels: list[Label],
        lbrace: Token,
        open_newline: Token | None,
        body: Body,
        rbrace: Token,
        newline: Token | None,
    ) -> None:
        self.leading = leading
        self.type_token = type_token
        self.labels = labels
        self.lbrace = lbrace
        self.open_newline = open_newline
        self.body = body
        self.rbrace = rbrace
        self.newline = newline

    @property
    def type(self) -> str:
        return str(self.type_token)

    @property
    def label_values(self) -> list[str]:
        return [lab.value for lab in self.labels]

    @property
    def name(self) -> str:
        """The address-like name: ``aws_s3_bucket.logs`` for a resource."""
        return ".".join([self.type, *self.label_values]) if self.labels else self.type

    def _anchor(self) -> Token:
        return self.type_token

    @property
    def is_one_line(self) -> bool:
        return self.open_newline is None


Item = Union[Attribute, Block]

# ---- expressions -------------------------------------------------------------


class Expr(Node):
    __slots__ = ()


class Literal(Expr):
    """A number, ``true``, ``false`` or ``null``."""

    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token

    @property
    def value(self) -> object:
        text = str(self.token)
        if self.token.type == "NUMBER":
            return float(text) if any(c in text for c in ".eE") else int(text)
        return {"true": True, "false": False, "null": None}[text]


class Variable(Expr):
    """A bare name: the root of a traversal (``var``, ``aws_s3_bucket``, ``each``)."""

    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token

    @property
    def name(self) -> str:
        return str(self.token)


class Interpolation(Node):
    """``${ expr }`` inside a template (``~`` strip markers kept in the tokens)."""

    __slots__ = ("open", "expr", "close")

    def __init__(self, open: Token, expr: Expr, close: Token) -> None:
        self.open = open
        self.expr = expr
        self.close = close


class TemplateIf(Node):
    """``%{ if c }...%{ else }...%{ endif }`` inside a template."""

    __slots__ = ("if_open", "if_kw", "cond", "if_close", "then_parts", "else_open", "else_kw", "else_close",
                 "else_parts", "endif_open", "endif_kw", "endif_close")

    def __init__(self, *fields: object) -> None:
        for name, value in zip(self.__slots__, fields):
            setattr(self, name, value)


class TemplateFor(Node):
    """``%{ for k, v in coll }...%{ endfor }`` inside a template."""

    __slots__ = ("for_open", "for_kw", "key_var", "comma", "value_var", "in_kw", "collection", "for_close",
                 "parts", "endfor_open", "endfor_kw", "endfor_close")

    def __init__(self, *fields: object) -> None:
        for name, value in zip(self.__slots__, fields):
            setattr(self, name, value)


TemplatePart = Union[Token, Interpolation, TemplateIf, TemplateFor]


class Template(Expr):
    """A quoted string: literal parts (QLIT tokens) and sequences."""

    __slots__ = ("open", "parts", "close")

    def __init__(self, open: Token, parts: list[TemplatePart], close: Token) -> None:
        self.open = open
        self.parts = parts
        self.close = close

    @property
    def is_literal(self) -> bool:
        """True when the string has no ``${`` or ``%{`` sequence."""
        return all(isinstance(p, Token) for p in self.parts)

    @property
    def literal_value(self) -> str | None:
        """The string's value if it is a plain literal, else None."""
        if not self.is_literal:
            return None
        return unescape("".join(str(p) for p in self.parts))


def sole_expression(expr: Node) -> Node:
    """The expression of a string that is only ``"${expr}"`` (Terraform evaluates the two
    alike, and older code writes the quoted form), else ``expr`` itself."""
    if isinstance(expr, Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], Interpolation):
        return expr.parts[0].expr
    return expr


class Heredoc(Expr):
    """``<<EOT`` / ``<<-EOT`` ... ``EOT``."""

    __slots__ = ("open", "parts", "close")

    def __init__(self, open: Token, parts: list[TemplatePart], close: Token) -> None:
        self.open = open
        self.parts = parts
        self.close = close

    @property
    def marker(self) -> str:
        return str(self.close).strip()

    @property
    def indented(self) -> bool:
        return self.open.startswith("<<-")

    @property
    def is_literal(self) -> bool:
        return all(isinstance(p, Token) for p in self.parts)


class GetAttr(Node):
    """``.name`` step of a traversal."""

    __slots__ = ("dot", "name_token")

    def __init__(self, dot: Token, name: Token) -> None:
        self.dot = dot
        self.name_token = name

    @property
    def name(self) -> str:
        return str(self.name_token)


class LegacyIndex(Node):
    """``.0`` step (legacy index syntax)."""

    __slots__ = ("dot", "number")

    def __init__(self, dot: Token, number: Token) -> None:
        self.dot = dot
        self.number = number


class Index(Node):
    """``[key]`` step."""

    __slots__ = ("lbrack", "key", "rbrack")

    def __init__(self, lbrack: Token, key: Expr, rbrack: Token) -> None:
        self.lbrack = lbrack
        self.key = key
        self.rbrack = rbrack


class AttrSplat(Node):
    """``.*`` followed by the attribute steps it applies to each element."""

    __slots__ = ("dot", "star", "steps")

    def __init__(self, dot: Token, star: Token, steps: list[Node]) -> None:
        self.dot = dot
        self.star = star
        self.steps = steps


class FullSplat(Node):
    """``[*]`` followed by the steps it applies to each element."""

    __slots__ = ("lbrack", "star", "rbrack", "steps")

    def __init__(self, lbrack: Token, star: Token, rbrack: Token, steps: list[Node]) -> None:
        self.lbrack = lbrack
        self.star = star
        self.rbrack = rbrack
        self.steps = steps


Step = Union[GetAttr, LegacyIndex, Index, AttrSplat, FullSplat]


class Traversal(Expr):
    """A root expression followed by steps: ``aws_s3_bucket.b[0].arn``."""

    __slots__ = ("root", "steps")

    def __init__(self, root: Expr, steps: list[Step]) -> None:
        self.root = root
        self.steps = steps

    @property
    def path(self) -> list[str]:
        """Root name and leading ``.name`` steps: ``["aws_s3_bucket", "b"]`` for
        ``aws_s3_bucket.b[0].arn`` stops at the first non-attribute step."""
        if not isinstance(self.root, Variable):
            return []
        out = [self.root.name]
        for step in self.steps:
            if not isinstance(step, GetAttr):
                break
            out.append(step.name)
        return out


class FunctionCall(Expr):
    """``name(args)``; ``name`` may be ``provider::ns::fn``. ``args`` holds the
    arguments and their commas in order; a final ``...`` expands the last one."""

    __slots__ = ("name_tokens", "lparen", "args", "rparen")

    def __init__(self, name_tokens: list[Token], lparen: Token, args: list[Expr | Token], rparen: Token) -> None:
        self.name_tokens = name_tokens
        self.lparen = lparen
        self.args = args
        self.rparen = rparen

    @property
    def name(self) -> str:
        return "".join(str(t) for t in self.name_tokens)

    @property
    def arguments(self) -> list[Expr]:
        return [a for a in self.args if isinstance(a, Expr)]


class Tuple(Expr):
    """``[a, b]``; ``elements`` holds the items and commas in order."""

    __slots__ = ("lbrack", "elements", "rbrack")

    def __init__(self, lbrack: Token, elements: list[Expr | Token], rbrack: Token) -> None:
        self.lbrack = lbrack
        self.elements = elements
        self.rbrack = rbrack

    @property
    def items(self) -> list[Expr]:
        return [e for e in self.elements if isinstance(e, Expr)]


class ObjectItem(Node):
    """``key = value`` (or ``key: value``) in an object constructor, with the
    lines above it, an optional comma, and its end of line (rule 1)."""

    __slots__ = ("leading", "key", "eq", "value", "comma", "newline")

    def __init__(self, leading: list[Token], key: Expr, eq: Token, value: Expr,
                 comma: Token | None, newline: Token | None) -> None:
        self.leading = leading
        self.key = key
        self.eq = eq
        self.value = value
        self.comma = comma
        self.newline = newline

    @property
    def key_name(self) -> str | None:
        """The key as a string when it is a bare name or a literal string."""
        key = self.key
        if isinstance(key, Parens):
            return None
        if isinstance(key, Variable):
            return key.name
        if isinstance(key, Template):
            return key.literal_value
        return None

    def _anchor(self) -> Token:
        return self.key.first_token()


class Object(Expr):
    """``{ k = v, ... }``. Like a block: ``open_newline`` ends the ``{`` line,
    ``trailing`` holds the lines after the last item."""

    __slots__ = ("lbrace", "open_newline", "items", "trailing", "rbrace")

    def __init__(self, lbrace: Token, open_newline: Token | None, items: list[ObjectItem],
                 trailing: list[Token], rbrace: Token) -> None:
        self.lbrace = lbrace
        self.open_newline = open_newline
        self.items = items
        self.trailing = trailing
        self.rbrace = rbrace

    def get(self, key: str) -> ObjectItem | None:
        for item in self.items:
            if item.key_name == key:
                return item
        return None


class Conditional(Expr):
    __slots__ = ("cond", "qmark", "true", "colon", "false")

    def __init__(self, cond: Expr, qmark: Token, true: Expr, colon: Token, false: Expr) -> None:
        self.cond = cond
        self.qmark = qmark
        self.true = true
        self.colon = colon
        self.false = false


class BinaryOp(Expr):
    __slots__ = ("left", "op", "right")

    def __init__(self, left: Expr, op: Token, right: Expr) -> None:
        self.left = left
        self.op = op
        self.right = right


class UnaryOp(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, op: Token, operand: Expr) -> None:
        self.op = op
        self.operand = operand


class Parens(Expr):
    __slots__ = ("lparen", "expr", "rparen")

    def __init__(self, lparen: Token, expr: Expr, rparen: Token) -> None:
        self.lparen = lparen
        self.expr = expr
        self.rparen = rparen


class ForIntro(Node):
    """``for k, v in coll :``"""

    __slots__ = ("for_kw", "key_var", "comma", "value_var", "in_kw", "collection", "colon")

    def __init__(self, for_kw: Token, key_var: Token | None, comma: Token | None, value_var: Token,
                 in_kw: Token, collection: Expr, colon: Token) -> None:
        self.for_kw = for_kw
        self.key_var = key_var
        self.comma = comma
        self.value_var = value_var
        self.in_kw = in_kw
        self.collection = collection
        self.colon = colon


class ForCond(Node):
    __slots__ = ("if_kw", "cond")

    def __init__(self, if_kw: Token, cond: Expr) -> None:
        self.if_kw = if_kw
        self.cond = cond


class ForTuple(Expr):
    __slots__ = ("lbrack", "intro", "value", "cond", "rbrack")

    def __init__(self, lbrack: Token, intro: ForIntro, value: Expr, cond: ForCond | None, rbrack: Token) -> None:
        self.lbrack = lbrack
        self.intro = intro
        self.value = value
        self.cond = cond
        self.rbrack = rbrack


class ForObject(Expr):
    __slots__ = ("lbrace", "intro", "key", "arrow", "value", "ellipsis", "cond", "rbrace")

    def __init__(self, lbrace: Token, intro: ForIntro, key: Expr, arrow: Token, value: Expr,
                 ellipsis: Token | None, cond: ForCond | None, rbrace: Token) -> None:
        self.lbrace = lbrace
        self.intro = intro
        self.key = key
        self.arrow = arrow
        self.value = value
        self.ellipsis = ellipsis
        self.cond = cond
        self.rbrace = rbrace


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(raw: str) -> str:
    """The value of a quoted-string literal run: ``\\n``, ``\\uXXXX`` escapes and
    the template escapes ``$${`` / ``%%{``."""
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return str(raw)  # nothing to decode (most strings)
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == "\\" and i + 1 < n:
            e = raw[i + 1]
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
                i += 2
                continue
            width = 4 if e == "u" else 8 if e == "U" else 0
            if width:
                out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
        if raw.startswith("$${", i) or raw.startswith("%%{", i):
            out.append(c + "{")
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)
