"""YAML read strictly and within bounds: the one YAML loader behind every spec, model and sweep file.

PyYAML's ``safe_load`` builds no Python objects from tags, but it still

- expands aliases without limit: a few hundred bytes of nested ``*a`` ("billion laughs") mean
  billions of nodes, and everything that walks the data then hangs;
- accepts a key written twice in one mapping, the last one silently winning;
- recurses once per nesting level, so ``[[[[...]]]]`` ends in a RecursionError;
- builds self-referencing data from an alias inside its own anchor (``&a [*a]``).

:func:`load_yaml` refuses each of these with one line naming the document, the line and the
column, within the limits of :mod:`hwsim.limits` (alias uses, nodes once aliases are
expanded, nesting depth); the document's size is bounded by whoever read its text
(:func:`hwsim.input_files.read_text`).  Keys must be strings, numbers, booleans or null.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from hwsim.errors import HwsimError, SpecError
from hwsim.limits import MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_NODES

_MERGE_TAG = "tag:yaml.org,2002:merge"
_KEY_TYPES = (str, int, float, bool, type(None))


class _Refused(Exception):
    """A limit or rule of the strict loader, with the place in the document."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.mark = mark


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that counts aliases and depth and refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _Refused(f"more than {MAX_YAML_ALIASES} aliases (*name)", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"nested more than {MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                    continue  # merge keys may override; a collection as a key fails in PyYAML itself
                key = self.construct_object(key_node, deep=False)
                if not isinstance(key, _KEY_TYPES):
                    raise _Refused(f"key {key_node.value!r} is a {type(key).__name__}, not a string; quote it",
                                   key_node.start_mark)
                if key in seen:
                    first = seen[key]
                    raise _Refused(f"duplicate key {key_node.value!r} (first at line {first.line + 1})",
                                   key_node.start_mark)
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep)


def load_yaml(text: str, origin: str, error: type[HwsimError] = SpecError, *, malformed_as_text: bool = False) -> Any:
    """Parse one YAML document strictly (see the module docstring).

    Parameters
    ----------
    text
        The document.
    origin
        The file (or option) it came from, for messages.
    error
        The exception raised, one line naming ``origin`` and the line and column.
    malformed_as_text
        Return ``text`` itself when it is not YAML (a ``--set`` value such as ``a: b``); the
        limits and rules above still raise.
    """
    try:
        loader = StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, found before parsing
        if malformed_as_text:
            return text
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise error(f"{origin}: malformed YAML at line {line}, column {column}: {exc.reason} (#x{exc.character:04x})") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except _Refused as exc:
        raise error(f"{origin}: {_where(exc.mark)}: {exc}") from None
    except yaml.YAMLError as exc:
        if malformed_as_text:
            return text
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise error(f"{origin}: malformed YAML{' at ' + _where(mark) if mark else ''}: {problem}") from None
    finally:
        loader.dispose()


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _check_expansion(root: Any) -> None:
    """Refuse a node graph that is cyclic or holds more than MAX_YAML_NODES nodes once expanded."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _Refused("an alias refers to a collection that contains it", node.start_mark)
        if isinstance(node, ScalarNode):
            return 1
        open_nodes.add(key)
        if isinstance(node, SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        if total > MAX_YAML_NODES:
            raise _Refused(f"the aliases expand to more than {MAX_YAML_NODES:,} nodes", node.start_mark)
        sizes[key] = total
        return total

    size(root)
