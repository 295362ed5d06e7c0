"""The edit API rules use, and the only way they change code: find, get, set and remove
attributes, add blocks, replace expressions, edit lists and strings, copy code elsewhere.
No rule handles whitespace, brackets or commas itself.

Every edit lays out what it adds like ``terraform fmt`` (two-space indent,
``=`` aligned across the assignment chain it joins, same-line comments
re-aligned) and touches nothing else: only the chain the edit lands in is
re-aligned. An *owner* is a ``File`` or a ``Block`` (whatever has a body).

* ``body``: attributes, blocks, expressions, object items;
* ``tuples``: lists in their own layout (one line or one element per line);
* ``strings``: text inside a quoted string or heredoc;
* ``copies``: a node's source as a snippet to place elsewhere, a comment that moves with it.
"""

from tffix.edit.body import (
    append_block,
    find_blocks,
    get_attribute,
    remove_attribute,
    remove_block,
    replace_expression,
    set_attribute,
    set_object_item,
)
from tffix.edit.copies import snippet, take_comment
from tffix.edit.strings import replace_in_string, string_with
from tffix.edit.tuples import (
    append_tuple_item,
    list_value,
    remove_tuple_items,
    set_list,
    wrap_in_list,
)
from tffix.syntax.build import HCL, NewBlock

__all__ = [
    "find_blocks", "get_attribute", "set_attribute", "remove_attribute", "append_block",
    "remove_block", "replace_expression", "set_object_item", "append_tuple_item",
    "remove_tuple_items", "list_value", "set_list", "wrap_in_list", "string_with", "replace_in_string",
    "snippet", "take_comment", "HCL", "NewBlock",
]
