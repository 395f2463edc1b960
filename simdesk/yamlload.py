"""Load scenario YAML so that every later complaint can point at a file, line and key.

``yaml.safe_load`` throws away positions, so a validation error could only say *what* is
wrong, not *where*. Here we keep the composed node tree next to the plain data and map a
pydantic error location back to a line. We also turn off the YAML 1.1 surprises that bite
scenario authors (``8:00`` becoming ``480``, ``on``/``no`` becoming booleans, duplicate
keys silently overwriting each other).
"""

from __future__ import annotations

import collections.abc
import os
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Annotated,
    Any,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

import yaml
from pydantic import AliasChoices, BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simdesk.errors import Problem, ScenarioError
from simdesk.limits import MAX_INPUT_BYTES, MAX_INT_DIGITS, MAX_YAML_ALIASES, MAX_YAML_NODES
from simdesk.suggest import closest

__all__ = [
    "LocatedDocument",
    "format_key_path",
    "format_location",
    "load_yaml",
    "problems_from_validation_error",
    "validate",
]

M = TypeVar("M", bound=BaseModel)

Loc = tuple[str | int, ...]

TOP_LEVEL_MESSAGE = "expected a mapping of scenario keys at the top level"
EMPTY_MESSAGE = "the file is empty (or only comments); " + TOP_LEVEL_MESSAGE

_MERGE_TAG = "tag:yaml.org,2002:merge"


# --------------------------------------------------------------------------------------
# YAML loading
# --------------------------------------------------------------------------------------


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalar resolution.

    Scenario files are full of clock times (``08:00``, ``17:30``), day names and rates;
    YAML 1.1 reads some of those as base-60 numbers or booleans, which then fail
    validation with baffling messages. Only ``true``/``false`` are booleans here, and
    only plain decimal/hex/octal literals are numbers. Timestamps stay strings too:
    pydantic parses ISO dates itself, and a ``str`` field would reject a ``date``.

    It also counts what it composes, so a file of millions of values or of aliases stops
    being read at the cap (limits.py) instead of after minutes of parsing.
    """

    _nodes = 0
    _aliases = 0

    def _mark(self) -> yaml.Mark | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        return getattr(event, "start_mark", None)

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _LimitError(
                    f"more than {MAX_YAML_ALIASES:,} alias uses (*name); "
                    "a scenario needs a few at most",
                    self._mark(),
                )
        else:
            self._nodes += 1
            if self._nodes > MAX_YAML_NODES:
                raise _LimitError(
                    f"more than {MAX_YAML_NODES:,} values; a scenario has a few hundred",
                    self._mark(),
                )
        return super().compose_node(parent, index)


class _LimitError(Exception):
    """The file exceeds a cap on its size; carries the message and where reading stopped."""

    def __init__(self, message: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = None if mark is None else mark.line + 1


_DROPPED_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    # '=' would resolve to a tag SafeLoader cannot construct, so keep it a string.
    "tag:yaml.org,2002:value",
}

_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_DEC = r"[0-9](?:_?[0-9])*"
_INT_RE = re.compile(rf"^(?:[-+]?{_DEC}|0x[0-9a-fA-F](?:_?[0-9a-fA-F])*|0o[0-7](?:_?[0-7])*)$")
_FLOAT_RE = re.compile(
    rf"^(?:[-+]?(?:\.{_DEC}|{_DEC}(?:\.(?:{_DEC})?)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")

# Order matters: the first matching resolver wins, so ints are tried before floats.
_ScenarioLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_RE, list("tTfF"))
_ScenarioLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT_RE, list("-+0123456789"))
_ScenarioLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))


def _construct_int(loader: _ScenarioLoader, node: ScalarNode) -> int:
    """Parse ints the YAML 1.2 way: a leading zero is decimal, not octal."""
    text = loader.construct_scalar(node)
    body = text.lstrip("+-")
    base = 0 if body[:2].lower() in ("0x", "0o", "0b") else 10
    if len(body.replace("_", "")) > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a whole number of {len(body):,} digits; at most {MAX_INT_DIGITS} are accepted",
            node.start_mark,
        )
    try:
        value = int(body, base)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid integer {text!r}", node.start_mark
        ) from None
    return -value if text.startswith("-") else value


def _construct_float(loader: _ScenarioLoader, node: ScalarNode) -> float:
    """Parse floats, accepting YAML's ``.inf``/``.nan`` spellings."""
    text = loader.construct_scalar(node)
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    try:
        return float(special.get(text.lower(), text))
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid number {text!r}", node.start_mark
        ) from None


_ScenarioLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_ScenarioLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class _DuplicateKeyError(Exception):
    """Raised by the pre-construction walk; carries what the Problem needs."""

    def __init__(self, key: Any, line: int, first_line: int, path: str) -> None:
        super().__init__(key)
        self.key = key
        self.line = line
        self.first_line = first_line
        self.path = path


def _line(node: Node) -> int | None:
    mark = node.start_mark
    return None if mark is None else mark.line + 1


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _node_label(node: Node) -> str | None:
    """The ``name`` of a list item, so paths read ``pools[agents]`` instead of ``pools[1]``."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if (
            isinstance(key_node, ScalarNode)
            and key_node.value == "name"
            and isinstance(value_node, ScalarNode)
            and value_node.value
        ):
            return str(value_node.value)
    return None


def _split_values(node: MappingNode, path: str, text: str, file: str) -> list[Problem]:
    """Values YAML cut at a comma inside ``{...}``: ``{days: sat,sun}`` reads as ``days: sat``
    plus a key ``sun`` with no value (and ``{t: lognormal(mean=3m, cv=1.2)}`` as a key
    ``cv=1.2)``). A key followed by neither ``:`` nor a value is that fragment; name the
    value it belongs to, quoted as it should be written."""
    problems: list[Problem] = []
    pairs = node.value
    index = 0
    while index < len(pairs):
        key_node, value_node = pairs[index]
        if not _is_fragment(key_node, value_node):
            index += 1
            continue
        end = index
        while end + 1 < len(pairs) and _is_fragment(*pairs[end + 1]):
            end += 1
        last_key = pairs[end][0]
        owner = pairs[index - 1] if index > 0 else None
        if (
            owner is not None
            and isinstance(owner[0], ScalarNode)
            and isinstance(owner[1], ScalarNode)
            and owner[1].style is None
            and owner[1].value
        ):
            whole = text[owner[1].start_mark.index : last_key.end_mark.index]
            message = (
                f"this value was cut at a comma, which separates entries in {{...}}; "
                f"put it in quotes: {owner[0].value}: '{whole}'"
            )
            line, key = _line(owner[0]), _join(path, owner[0].value)
        else:
            message = (
                "an entry without a value; a comma separates entries in {...}, "
                "so put a value that contains commas in quotes"
            )
            line, key = _line(key_node), _join(path, key_node.value)
        problems.append(Problem(message, file, line, key))
        index = end + 1
    return problems


def _is_fragment(key_node: Node, value_node: Node) -> bool:
    """A plain key with no ``:`` after it: YAML gives it an empty value at the key's end."""
    return (
        isinstance(key_node, ScalarNode)
        and key_node.style is None
        and isinstance(value_node, ScalarNode)
        and value_node.value == ""
        and value_node.style is None
        and key_node.end_mark is not None
        and value_node.start_mark is not None
        and value_node.start_mark.index == key_node.end_mark.index
    )


def _check_tree(loader: _ScenarioLoader, root: Node, text: str, file: str) -> list[Problem]:
    """Reject repeated keys before construction, while merges (``<<``) are still separate,
    and return the values YAML split at a comma inside ``{...}``.

    Plain dict construction keeps the last value silently, which hides real mistakes
    (two ``agents:`` blocks). Doing this on the raw tree also gives us the key path.
    """
    problems: list[Problem] = []
    visited: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, MappingNode):
            if node.flow_style:
                problems.extend(_split_values(node, path, text, file))
            seen: dict[Any, int] = {}
            children: list[tuple[Node, str]] = []
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE_TAG:
                    key = loader.construct_object(key_node)
                    line = _line(key_node) or 0
                    if key in seen:
                        raise _DuplicateKeyError(key, line, seen[key], _join(path, key))
                    seen[key] = line
                    children.append((value_node, _join(path, key)))
                else:
                    children.append((value_node, path))
            stack.extend(reversed(children))
        elif isinstance(node, SequenceNode):
            stack.extend(
                (item, f"{path}[{_node_label(item) or index}]")
                for index, item in reversed(list(enumerate(node.value)))
            )
    return problems


def _expanded_size(root: Node) -> int:
    """Values the tree stands for once aliases are expanded (as a copy or a validator
    would), counted without expanding; stops counting past the cap. Raises _LimitError for
    an alias inside its own anchor, which would expand forever."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _LimitError("an alias (*name) is used inside its own anchor (&name)")
        active.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node) + size(value_node)
                if total > MAX_YAML_NODES:
                    break
        elif isinstance(node, SequenceNode):
            for item in node.value:
                total += size(item)
                if total > MAX_YAML_NODES:
                    break
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


class LocatedDocument:
    """Plain YAML data plus the node tree it came from, to answer "which line?" later.

    Built by :func:`load_yaml`; can also be made by hand (e.g., for generated data), in
    which case there is no node tree and :meth:`line_of` answers ``None``.
    """

    __slots__ = ("_root", "data", "file")

    def __init__(self, data: Any, file: str, root: Node | None = None) -> None:
        self.data = data
        self.file = file
        self._root = root

    def __repr__(self) -> str:
        return f"LocatedDocument(file={self.file!r}, data={self.data!r})"

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """1-based line of the node at ``loc``, or of its nearest existing ancestor.

        Pass a path into the data, not a raw pydantic loc: union tags such as ``'str'``
        would end the walk early (see ``format_key_path``/``validate``, which drop them).
        """
        node = self._root
        if node is None:
            return None
        line = _line(node)
        for part in loc:
            if isinstance(node, MappingNode):
                found = _find_pair(node, part)
                if found is None:
                    break
                key_node, node = found
                line = _line(key_node)
            elif (
                isinstance(node, SequenceNode)
                and isinstance(part, int)
                and not isinstance(part, bool)
                and 0 <= part < len(node.value)
            ):
                node = node.value[part]
                line = _line(node)
            else:
                break
        return line


def _find_pair(node: MappingNode, part: str | int) -> tuple[Node, Node] | None:
    """Find a key's nodes; the last match wins, as in the constructed dict after merges."""
    wanted = str(part)
    for key_node, value_node in reversed(node.value):
        if isinstance(key_node, ScalarNode) and key_node.value == wanted:
            return key_node, value_node
    return None


def _fail(
    message: str, file: str, line: int | None = None, key: str | None = None
) -> ScenarioError:
    return ScenarioError(Problem(message, file=file, line=line, key=key))


def _read_text(path: Path, file: str) -> str:
    try:
        with path.open("rb") as stream:
            # Read one byte past the cap: /dev/zero or a huge file stops here.
            raw = stream.read(MAX_INPUT_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail("file not found", file) from None
    except IsADirectoryError:
        raise _fail("is a directory, expected a YAML file", file) from None
    except PermissionError:
        raise _fail("cannot read file: permission denied", file) from None
    except OSError as exc:
        raise _fail(f"cannot read file: {exc.strerror or exc}", file) from None
    if len(raw) > MAX_INPUT_BYTES:
        raise _fail(
            f"file is larger than {MAX_INPUT_BYTES:,} bytes, the limit for a scenario "
            "(a scenario is a few kilobytes)",
            file,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _fail("file is not valid UTF-8 text", file, line) from None


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    """Say what PyYAML said, but on one line and without its snippet dump."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid syntax"
        if exc.context and exc.problem:
            if not exc.context.startswith("while"):
                # e.g. "expected a single document in the stream, but found another document"
                what = f"{exc.context}, {exc.problem}"
            elif exc.context_mark is not None and (
                mark is None or exc.context_mark.line != mark.line
            ):
                what += f" ({exc.context} at line {exc.context_mark.line + 1})"
        if "'\\t'" in what:
            what += "; use spaces, not tabs, to indent"
        line = None if mark is None else mark.line + 1
        return Problem(f"could not parse YAML: {what}", file=file, line=line)
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        reason = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        return Problem(f"could not parse YAML: {reason}", file=file, line=line)
    return Problem(f"could not parse YAML: {exc}", file=file)


def load_yaml(path: str | os.PathLike[str]) -> LocatedDocument:
    """Read a scenario file, keeping positions; raise ScenarioError for anything unusable."""
    file = os.fspath(path)
    text = _read_text(Path(file), file)
    try:
        root, data = _compose_and_construct(text, file)
    except _LimitError as exc:
        raise _fail(f"file refused: {exc.message}", file, exc.line) from None
    except _DuplicateKeyError as exc:
        message = f"duplicate key {exc.key!r} (first at line {exc.first_line})"
        raise _fail(message, file, exc.line, exc.path) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(_syntax_problem(exc, text, file)) from None
    except RecursionError:
        raise _fail("could not parse YAML: nesting is too deep", file) from None
    if _is_empty(root):
        raise _fail(EMPTY_MESSAGE, file)
    if root is None:
        raise _fail(TOP_LEVEL_MESSAGE, file)
    if not isinstance(data, dict):
        raise _fail(TOP_LEVEL_MESSAGE, file, _line(root))
    return LocatedDocument(data, file, root)


def _is_empty(root: Node | None) -> bool:
    """No document, or an empty one (``---`` alone): nothing but comments and markers."""
    return root is None or (
        isinstance(root, ScalarNode)
        and root.value == ""
        and root.style is None
        and root.tag == "tag:yaml.org,2002:null"
    )


def _compose_and_construct(text: str, file: str) -> tuple[Node | None, Any]:
    """Keep the node tree (for line numbers) as well as the data built from it."""
    loader = _ScenarioLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        problems = _check_tree(loader, root, text, file)
        if problems:
            raise ScenarioError(problems)
        if _expanded_size(root) > MAX_YAML_NODES:
            raise _LimitError(
                f"its aliases (*name) expand to more than {MAX_YAML_NODES:,} values; "
                "a scenario has a few hundred"
            )
        return root, loader.construct_document(root)
    finally:
        loader.dispose()


def format_location(file: str | None, line: int | None, key: str | None) -> str:
    """The ``file:line: key`` prefix, matching :class:`Problem`'s ``__str__``."""
    where = ""
    if file:
        where = file if line is None else f"{file}:{line}"
    return ": ".join(p for p in (where, key) if p)


# --------------------------------------------------------------------------------------
# Validation errors -> Problems
# --------------------------------------------------------------------------------------


def _data_label(item: Any) -> str | None:
    if isinstance(item, dict):
        name = item.get("name")
        if isinstance(name, (str, int)) and not isinstance(name, bool) and str(name):
            return str(name)
    return None


@dataclass
class _Resolved:
    """A pydantic loc matched against the data."""

    loc: Loc
    """The parts that exist in the data (plus a final missing key, if asked)."""
    shown: str
    """Display form, e.g. ``pools[agents].handle_time``."""
    skips: list[tuple[Loc, str | int]] = field(default_factory=list)
    """Each skipped internal part, with the real path where it occurred: union branches."""


def _resolve_loc(loc: Sequence[str | int], data: Any, keep_missing_tail: bool) -> _Resolved:
    """Drop pydantic's internal loc parts, keeping only what exists in the data.

    pydantic inserts union member tags (``'int'``, ``'A'``, ``'function-after[...]'``)
    and ``'[key]'`` into locations. They never exist in the data, so anything that does
    not match the data is skipped, except a final missing key, which is the point.
    """
    out = _Resolved((), "")
    real: list[str | int] = []
    current: Any = data
    present = True
    last = len(loc) - 1
    for index, part in enumerate(loc):
        if part == "[key]":
            continue
        if (
            present
            and isinstance(current, (list, tuple))
            and isinstance(part, int)
            and 0 <= part < len(current)
        ):
            current = current[part]
            real.append(part)
            out.shown += f"[{_data_label(current) or part}]"
        elif present and isinstance(current, dict) and part in current:
            current = current[part]
            real.append(part)
            out.shown = _join(out.shown, part)
        elif index == last and keep_missing_tail and present and isinstance(current, dict):
            real.append(part)
            out.shown = _join(out.shown, part)
            present = False
        else:
            out.skips.append((tuple(real), part))
    out.loc = tuple(real)
    return out


def format_key_path(loc: Sequence[str | int], data: Any) -> str:
    """Display form of a location, e.g. ``pools[agents].handle_time``.

    Takes a real data path or a raw pydantic loc: parts missing from the data are dropped
    (they are union tags), except a missing last key.
    """
    return _resolve_loc(loc, data, keep_missing_tail=True).shown


def _describe(value: Any) -> str:
    """Short, YAML-flavoured description of what the user wrote."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _strip_prefixes(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


_WORDS: dict[str, str] = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "none_required": "nothing",
}

_BOUNDS: dict[str, tuple[str, str]] = {
    "greater_than": ("gt", "a value greater than"),
    "greater_than_equal": ("ge", "a value of at least"),
    "less_than": ("lt", "a value less than"),
    "less_than_equal": ("le", "a value of at most"),
}


def unknown_key_message(key: object, allowed: Sequence[str] | None) -> str:
    """"unknown key; did you mean 'agents'?", or the keys allowed there when none is close."""
    if not allowed:
        return "unknown key"
    match = closest(str(key), allowed)
    if match is not None:
        return f"unknown key; did you mean '{match}'?"
    return f"unknown key; expected one of: {', '.join(allowed)}"


def _message(error: ErrorDetails, allowed: list[str] | None) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    got = _describe(error.get("input"))
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return unknown_key_message(error["loc"][-1] if error["loc"] else "", allowed)
    if kind in _WORDS:
        message = f"expected {_WORDS[kind]}, got {got}"
        if kind == "string_type" and isinstance(error.get("input"), (int, float)):
            message += " (put it in quotes to keep it as text)"
        return message
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return f"expected {ctx['expected']}, got {got}"
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        name, words = _BOUNDS[kind]
        return f"expected {words} {ctx[name]}, got {got}"
    if kind == "union_tag_invalid":
        return (
            f"expected {ctx.get('discriminator', 'the tag')} to be one of "
            f"{ctx.get('expected_tags', '?')}, got {ctx.get('tag')!r}"
        )
    if kind == "union_tag_not_found":
        return f"required key {ctx.get('discriminator', '(the tag)')} is missing"
    return _strip_prefixes(error["msg"])


# -- walking the model to list allowed keys --------------------------------------------


def _flatten_type(tp: Any) -> list[Any]:
    """Unwrap Annotated/Optional/Union so each real alternative can be inspected."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _flatten_type(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in get_args(tp):
            out.extend(_flatten_type(arg))
        return out
    if tp is type(None) or tp is None:
        return []
    return [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_keys(name: str, info: FieldInfo) -> list[str]:
    """Keys a user may write for a field, preferred spelling first."""
    keys: list[str] = []
    alias = info.validation_alias
    if isinstance(alias, str):
        keys.append(alias)
    elif isinstance(alias, AliasChoices):
        keys.extend(c for c in alias.choices if isinstance(c, str))
    if info.alias:
        keys.append(info.alias)
    keys.append(name)
    return list(dict.fromkeys(keys))


def _model_field(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if key in _field_keys(name, info):
            return info
    return None


def _step(tp: Any, part: str | int) -> list[Any]:
    if _is_model(tp):
        info = _model_field(tp, part) if isinstance(part, str) else None
        if info is None and isinstance(part, str) and tp.model_config.get("extra") == "allow":
            # A key the model does not declare: the type of its extra keys (a route).
            args = get_args(_extra_type(tp))
            return _flatten_type(args[-1]) if args else []
        return [] if info is None else _flatten_type(info.annotation)
    origin = get_origin(tp)
    args = get_args(tp)
    if not isinstance(origin, type) or not args:
        return []
    if issubclass(origin, collections.abc.Mapping):
        return _flatten_type(args[-1])
    if isinstance(part, int) and issubclass(origin, collections.abc.Iterable):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return _flatten_type(args[part]) if 0 <= part < len(args) else []
        return _flatten_type(args[0])
    return []


def _matches_tag(tp: Any, part: str | int) -> bool:
    """Does a union loc tag (class name or discriminator value) select this member?"""
    if getattr(tp, "__name__", None) == part:
        return True
    if _is_model(tp):
        for info in tp.model_fields.values():
            annotation = info.annotation
            if get_origin(annotation) is Literal and part in get_args(annotation):
                return True
    return False


def _allowed_keys(model: type[BaseModel] | None, loc: Sequence[str | int]) -> list[str] | None:
    """Best-effort list of keys accepted where an unknown key was found."""
    if model is None:
        return None
    candidates: list[Any] = [model]
    for part in loc[:-1]:
        advanced = [nxt for tp in candidates for nxt in _step(tp, part)]
        if advanced:
            candidates = advanced
            continue
        tagged = [tp for tp in candidates if _matches_tag(tp, part)]
        candidates = tagged or candidates
    keys: list[str] = []
    for tp in candidates:
        if _is_model(tp):
            keys.extend(_field_keys(n, f)[0] for n, f in tp.model_fields.items())
    return list(dict.fromkeys(keys)) or None


@dataclass
class _Found:
    """One pydantic error on its way to becoming a Problem."""

    kind: str
    where: _Resolved
    message: str
    got: str


def _wrong_shape(found: _Found, prefix: Loc) -> bool:
    """A plain type mismatch right at the union point: the user meant another branch."""
    return found.kind in _WORDS and found.where.loc == prefix


def _prune_unions(found: list[_Found], level: int = 0) -> list[_Found]:
    """Report the union branch the user most likely meant, not every branch's complaint.

    For ``Dist | dict[str, Dist]`` given ``"bogus"``, pydantic reports both "bad
    distribution" and "expected a mapping"; the second is noise. Branches whose only
    errors are type mismatches lose; then the branch that got further into the data, then
    the one with fewer errors. If every branch is a type mismatch, they merge into one
    "expected X or Y" message.
    """
    out: list[_Found] = []
    groups: dict[Loc, dict[str | int, list[_Found]]] = {}
    for item in found:
        if len(item.where.skips) <= level:
            out.append(item)
            continue
        prefix, tag = item.where.skips[level]
        groups.setdefault(prefix, {}).setdefault(tag, []).append(item)
    for prefix, branches in groups.items():
        if len(branches) == 1:
            (members,) = branches.values()
            out.extend(_prune_unions(members, level + 1))
            continue

        def score(members: list[_Found], prefix: Loc = prefix) -> tuple[bool, bool, int]:
            wrong = all(_wrong_shape(m, prefix) for m in members)
            deeper = any(len(m.where.loc) > len(prefix) for m in members)
            return (wrong, not deeper, len(members))

        scores = {tag: score(members) for tag, members in branches.items()}
        best = min(scores.values())
        if best[0]:
            first = next(iter(branches.values()))[0]
            words = [_WORDS[m.kind] for members in branches.values() for m in members]
            message = f"expected {' or '.join(dict.fromkeys(words))}, got {first.got}"
            out.append(_Found(first.kind, first.where, message, first.got))
            continue
        for tag, members in branches.items():
            if scores[tag] == best:
                out.extend(_prune_unions(members, level + 1))
    return out


def _extra_type(model: type[BaseModel]) -> Any:
    """The declared type of a model's extra keys (``Routing``: a route per type), if any."""
    try:
        hints = get_type_hints(model)
    except Exception:  # pragma: no cover - unresolvable annotations: walk no further
        return None
    return hints.get("__pydantic_extra__")


def _unknown_keys(model: type[BaseModel], doc: LocatedDocument) -> list[Problem]:
    """Every unknown key in the data, found by walking it along the model's types.

    pydantic reports an unknown key only when nothing else stops it first: a model-level
    rule (``a pool of people needs exactly one of 'agents' or 'shifts'``) hides the
    ``agnets`` that caused it. This walk does not depend on any validator passing.
    """
    problems: list[Problem] = []

    def walk(data: Any, candidates: list[Any], loc: Loc) -> None:
        if isinstance(data, dict):
            models = [tp for tp in candidates if _is_model(tp)]
            if models:
                keys: list[str] = []
                for tp in models:
                    keys.extend(_field_keys(n, f)[0] for n, f in tp.model_fields.items())
                known = {k for tp in models for n, f in tp.model_fields.items()
                         for k in _field_keys(n, f)}
                extras = [
                    _flatten_type(args[-1])
                    for tp in models
                    if tp.model_config.get("extra") == "allow"
                    and (args := get_args(_extra_type(tp)))
                ]
                forbid = all(tp.model_config.get("extra", "ignore") == "forbid" for tp in models)
                for key, value in data.items():
                    where = (*loc, key)
                    if isinstance(key, str) and key in known:
                        walk(value, [n for tp in models for n in _step(tp, key)], where)
                    elif extras:
                        walk(value, [t for group in extras for t in group], where)
                    elif forbid:
                        message = unknown_key_message(key, list(dict.fromkeys(keys)))
                        shown = format_key_path(where, doc.data) or None
                        problems.append(Problem(message, doc.file, doc.line_of(where), shown))
                return
            for tp in candidates:
                origin = get_origin(tp)
                if isinstance(origin, type) and issubclass(origin, collections.abc.Mapping):
                    for key, value in data.items():
                        walk(value, _flatten_type(get_args(tp)[-1]), (*loc, key))
                    return
        elif isinstance(data, list):
            for index, item in enumerate(data):
                nxt = [n for tp in candidates for n in _step(tp, index)]
                # A model with a shorthand (a route written as a list) is still that model.
                nxt += [tp for tp in candidates if _is_model(tp)]
                walk(item, nxt, (*loc, index))

    walk(doc.data, [model], ())
    return problems


def _repeated_loc(error: ErrorDetails, loc: Loc) -> Loc:
    """A repeated name is reported at the repeated entry's ``name``, not at the list."""
    ctx = error.get("ctx") or {}
    index = ctx.get("index")
    if error["type"] == "repeated_name" and isinstance(index, int):
        return (*loc, index, "name")
    return loc


def problems_from_validation_error(
    err: ValidationError, doc: LocatedDocument, model: type[BaseModel] | None = None
) -> list[Problem]:
    """Located Problems for a pydantic error, one per error, sorted by line.

    Pass ``model`` (the class that was validated) to get the allowed keys listed for
    unknown keys; without it the message is just "unknown key". Of a union's branches
    only the likeliest one is reported (see ``_prune_unions``).
    """
    found: list[_Found] = []
    for error in err.errors():
        raw_loc = _repeated_loc(error, tuple(error["loc"]))
        kind = error["type"]
        where = _resolve_loc(raw_loc, doc.data, keep_missing_tail=kind.startswith("missing"))
        allowed = _allowed_keys(model, raw_loc) if kind == "extra_forbidden" else None
        message = _message(error, allowed)
        first = (error.get("ctx") or {}).get("first")
        if kind == "repeated_name" and isinstance(first, int):
            line = doc.line_of((*where.loc[:-2], first, "name"))
            if line is not None:
                message += f" (first at line {line})"
        found.append(_Found(kind, where, message, _describe(error.get("input"))))
    problems: list[Problem] = []
    for item in _prune_unions(found):
        key = item.where.shown or None
        problem = Problem(item.message, doc.file, doc.line_of(item.where.loc), key)
        if problem not in problems:
            problems.append(problem)
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return problems


def validate(model: type[M], doc: LocatedDocument, context: dict[str, Any] | None = None) -> M:
    """Validate ``doc.data`` with ``model``; pydantic errors become a located ScenarioError."""
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as err:
        problems = problems_from_validation_error(err, doc, model)
        unknown = _unknown_keys(model, doc)
        problems = [p for p in problems if not _symptom_of(p, unknown)]
        for problem in unknown:
            if problem not in problems:
                problems.append(problem)
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise ScenarioError(problems) from err


_MEANT_RE = re.compile(r"did you mean '([^']+)'\?")


def _symptom_of(problem: Problem, unknown: list[Problem]) -> bool:
    """A rule broken only because of a typo: ``agnets`` leaves the pool "needing exactly
    one of 'agents' or 'shifts'". A complaint about an entry that names the key a typo in
    that same entry meant is dropped; the typo is the cause and is reported."""
    if problem.message.startswith("unknown key") or problem.key is None:
        return False
    for typo in unknown:
        meant = _MEANT_RE.search(typo.message)
        if (
            meant is not None
            and typo.key is not None
            and typo.key.rpartition(".")[0] == problem.key
            and f"'{meant.group(1)}'" in problem.message
        ):
            return True
    return False
