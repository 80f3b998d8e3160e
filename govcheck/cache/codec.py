"""A data-only, strict JSON codec for govcheck's frozen models.

Caches used to be pickles, and unpickling runs whatever code the bytes
name: a pickle planted in the state folder by a TEST_PLAN command ran
code in the next ``validate --no-run`` or pre-commit hook. This codec
builds objects only from the dataclass type hints of the class asked for,
so the worst a hostile entry can do is fail to decode.

``encode(obj)`` writes a dataclass as a JSON array of its field values in
declaration order (compact and fast to decode; the field count is
checked). ``decode(data, cls)`` accepts exactly what ``encode`` can write
for ``cls`` and raises :class:`DecodeError` for anything else: a wrong
type, a missing or extra field, a value that is not one of an enum's,
NaN, or nesting deeper than :data:`MAX_DEPTH`.

Supported hints: dataclasses, ``str``/``int``/``float``/``bool``/``None``,
``X | None`` and other unions of those, ``tuple[X, ...]``,
``tuple[X, Y]``, ``str`` enums, ``Mapping[str, Any]``/``dict[str, Any]``
and ``Any``. ``Any`` holds JSON values; tuples and mappings inside it are
tagged (``{"t": [...]}``, ``{"m": {...}}``) so a tuple comes back a tuple
and rendering stays byte-identical with and without the cache.

Decoders are compiled once per type into closures: warm runs decode a few
hundred thousand values, and walking the hints each time would double the
cost.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import json
import types
import typing
from typing import Any, Callable, TypeVar

T = TypeVar("T")

# Deeper than any model nests (a Finding's data is a few levels); a deeper
# entry is hostile or corrupt, and must not exhaust the stack.
MAX_DEPTH = 64

_Decoder = Callable[[Any, int], Any]
_Encoder = Callable[[Any], Any]


class DecodeError(ValueError):
    """The bytes are not an encoding of the class asked for."""


def _reject_constant(name: str) -> Any:
    raise DecodeError(f"non-finite number {name}")


def encode(obj: Any) -> bytes:
    """``obj`` (an instance of a supported type) as compact JSON bytes.
    Raises TypeError/ValueError for values the codec cannot represent."""
    return json.dumps(_encoder(type(obj))(obj), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


def decode(data: bytes, cls: type[T]) -> T:
    """The ``cls`` instance ``data`` encodes; DecodeError for anything else
    (including JSON nested too deep for the parser)."""
    try:
        doc = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise DecodeError(f"not JSON: {exc.__class__.__name__}") from None
    return decode_value(doc, cls)


def decode_value(doc: Any, cls: type[T]) -> T:
    """Like :func:`decode`, from an already parsed JSON value."""
    try:
        return _decoder(cls)(doc, 0)
    except RecursionError:
        raise DecodeError("nested too deep") from None


# -- decoders -------------------------------------------------------------


def _fail(what: str, value: Any) -> typing.NoReturn:
    raise DecodeError(f"expected {what}, got {type(value).__name__}")


def _dec_str(v: Any, depth: int) -> str:
    if type(v) is not str:
        _fail("str", v)
    return v


def _dec_int(v: Any, depth: int) -> int:
    if type(v) is not int:  # bool is an int subclass: refused
        _fail("int", v)
    return v


def _dec_float(v: Any, depth: int) -> float:
    # An int stays an int: the model held one (json writes 1.0 as "1.0").
    if type(v) is not float and type(v) is not int:
        _fail("float", v)
    return v


def _dec_bool(v: Any, depth: int) -> bool:
    if type(v) is not bool:
        _fail("bool", v)
    return v


def _dec_none(v: Any, depth: int) -> None:
    if v is not None:
        _fail("null", v)
    return None


def _dec_any(v: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise DecodeError("nested too deep")
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if t is list:
        return [_dec_any(x, depth + 1) for x in v]
    if t is dict and len(v) == 1:
        if "t" in v and type(v["t"]) is list:
            return tuple(_dec_any(x, depth + 1) for x in v["t"])
        if "m" in v and type(v["m"]) is dict:
            return {k: _dec_any(x, depth + 1) for k, x in v["m"].items()}
    _fail("a tagged JSON value", v)


_SIMPLE: dict[Any, _Decoder] = {str: _dec_str, int: _dec_int, float: _dec_float, bool: _dec_bool,
                                type(None): _dec_none, None: _dec_none, Any: _dec_any, object: _dec_any}

_DECODERS: dict[Any, _Decoder] = {}
_ENCODERS: dict[Any, _Encoder] = {}


def _decoder(tp: Any) -> _Decoder:
    try:
        return _DECODERS[tp]
    except KeyError:
        pass
    if tp in _SIMPLE:
        dec = _SIMPLE[tp]
    elif dataclasses.is_dataclass(tp) and isinstance(tp, type):
        # Registered before its fields are compiled: models refer to
        # themselves through other models (Field -> ListItem is fine, but a
        # recursive hint must not recurse here forever).
        cell: list[_Decoder] = []
        _DECODERS[tp] = lambda v, d: cell[0](v, d)
        dec = _dataclass_decoder(tp)
        cell.append(dec)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        dec = _enum_decoder(tp)
    else:
        dec = _generic_decoder(tp)
    _DECODERS[tp] = dec
    return dec


def _hints(cls: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]


# Field types checked inline by a compiled dataclass decoder (the common
# case: most fields are str, int or "X | None" of those).
_INLINE_CHECKS = {str: "type({v}) is str", int: "type({v}) is int", bool: "type({v}) is bool",
                  float: "(type({v}) is float or type({v}) is int)"}


def _inline_check(tp: Any) -> str | None:
    """A Python expression over ``{v}`` that accepts exactly what the
    decoder for ``tp`` accepts, when ``tp`` is simple enough; else None."""
    if tp in _INLINE_CHECKS:
        return _INLINE_CHECKS[tp]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if (origin is typing.Union or origin is types.UnionType) and len(args) == 2 and type(None) in args:
        other = args[0] if args[1] is type(None) else args[1]
        if other in _INLINE_CHECKS:
            return "({v} is None or " + _INLINE_CHECKS[other] + ")"
    return None


def _dataclass_decoder(cls: type) -> _Decoder:
    """A decoder for ``cls`` compiled to one function: unpack the array,
    check simple fields inline, call the decoders of the others, and build
    the object as pickle does (no __init__: a frozen dataclass's __init__
    sets each field through object.__setattr__, which costs more than the
    decoding; every field's type is checked here instead). The source is
    generated from the class's own field names and type hints, never from
    entry data."""
    if getattr(cls, "__slots__", None) is not None:  # pragma: no cover - no slotted models today
        raise TypeError(f"{cls.__name__}: slotted dataclasses are not supported")
    fields = _hints(cls)
    count = len(fields)
    namespace: dict[str, Any] = {"_fail": _fail, "DecodeError": DecodeError, "MAX_DEPTH": MAX_DEPTH,
                                 "new": object.__new__, "cls": cls,
                                 "post_init": getattr(cls, "__post_init__", None)}
    lines = ["def dec(v, depth):",
             f"    if type(v) is not list or len(v) != {count}:",
             f"        _fail({cls.__name__ + ' (' + str(count) + ' fields)'!r}, v)",
             "    if depth > MAX_DEPTH:",
             "        raise DecodeError('nested too deep')",
             "    d = depth + 1"]
    if count:
        lines.append("    " + "".join(f"a{i}, " for i in range(count)) + "= v")
    for i, (name, tp) in enumerate(fields):
        lines.extend(_field_lines(i, tp, namespace))
    lines.append("    obj = new(cls)")
    lines.append("    obj.__dict__.update({" + ", ".join(f"{name!r}: a{i}" for i, (name, _) in enumerate(fields)) + "})")
    if namespace["post_init"] is not None:
        lines.append("    post_init(obj)")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from type hints only (see above)
    return namespace["dec"]


def _field_lines(i: int, tp: Any, namespace: dict[str, Any]) -> list[str]:
    """Source lines that check (and convert) field value ``a{i}`` of a
    compiled dataclass decoder, accepting exactly what ``_decoder(tp)``
    accepts. The common shapes are written out (a call per value and a
    try per union option cost more than the checks): simple types,
    ``X | None``, tuples of simple types, of dataclasses and of pairs of
    simple types, and str enums; anything else calls ``_decoder(tp)``."""
    a, fail = f"a{i}", f"_fail({str(tp)!r}, a{i})"
    check = _inline_check(tp)
    if check is not None:
        return [f"    if not {check.format(v=a)}:", f"        {fail}"]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if (origin is typing.Union or origin is types.UnionType) and len(args) == 2 and type(None) in args:
        other = args[0] if args[1] is type(None) else args[1]
        namespace[f"d{i}"] = _decoder(other)
        return [f"    if {a} is not None:", f"        {a} = d{i}({a}, d)"]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        namespace[f"e{i}"] = {m.value: m for m in tp}
        return [f"    {a} = e{i}.get({a}) if type({a}) is str else None",
                f"    if {a} is None:", f"        {fail}"]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        head = [f"    if type({a}) is not list:", f"        {fail}",
                "    if d > MAX_DEPTH:", "        raise DecodeError('nested too deep')"]
        item_check = _inline_check(item)
        if item_check is not None:
            return head + [f"    for x in {a}:", f"        if not {item_check.format(v='x')}:", f"            {fail}",
                           f"    {a} = tuple({a})"]
        pair = typing.get_args(item)
        if typing.get_origin(item) is tuple and len(pair) == 2 and all(_inline_check(t) is not None for t in pair):
            c0, c1 = (_inline_check(t).format(v=f"x[{k}]") for k, t in enumerate(pair))  # type: ignore[union-attr]
            return head + [f"    for x in {a}:",
                           f"        if type(x) is not list or len(x) != 2 or not {c0} or not {c1}:",
                           f"            {fail}",
                           f"    {a} = tuple([(x[0], x[1]) for x in {a}])"]
        if dataclasses.is_dataclass(item) and isinstance(item, type):
            namespace[f"d{i}"] = _decoder(item)
            return head + [f"    {a} = tuple([d{i}(x, d + 1) for x in {a}])"]
    namespace[f"d{i}"] = _decoder(tp)
    return [f"    {a} = d{i}({a}, d)"]


def _enum_decoder(cls: type[enum.Enum]) -> _Decoder:
    by_value = {m.value: m for m in cls}

    def dec(v: Any, depth: int) -> Any:
        if type(v) is not str or v not in by_value:
            _fail(f"a {cls.__name__} value", v)
        return by_value[v]

    return dec


def _generic_decoder(tp: Any) -> _Decoder:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = tuple(_decoder(a) for a in args)
        allows_none = type(None) in args

        def dec_union(v: Any, depth: int) -> Any:
            if v is None and allows_none:
                return None
            for option in options:
                try:
                    return option(v, depth)
                except DecodeError:
                    continue
            _fail(str(tp), v)

        return dec_union
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])

            def dec_tuple(v: Any, depth: int) -> tuple:
                if type(v) is not list:
                    _fail("array", v)
                if depth > MAX_DEPTH:
                    raise DecodeError("nested too deep")
                return tuple([item(x, depth + 1) for x in v])

            return dec_tuple
        items = tuple(_decoder(a) for a in args)

        def dec_fixed(v: Any, depth: int) -> tuple:
            if type(v) is not list or len(v) != len(items):
                _fail(f"array of {len(items)}", v)
            return tuple(f(x, depth + 1) for f, x in zip(items, v))

        return dec_fixed
    if origin in (collections.abc.Mapping, dict) and args and args[0] is str:
        value = _decoder(args[1])

        def dec_map(v: Any, depth: int) -> dict:
            if type(v) is not dict:
                _fail("object", v)
            if depth > MAX_DEPTH:
                raise DecodeError("nested too deep")
            return {k: value(x, depth + 1) for k, x in v.items()}

        return dec_map
    raise TypeError(f"codec: unsupported type hint {tp!r}")


# -- encoders -------------------------------------------------------------


def _enc_any(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if isinstance(v, enum.Enum):
        return v.value  # decodes as its value (a plain str): str enums compare equal
    if t is list:
        return [_enc_any(x) for x in v]
    if t is tuple:
        return {"t": [_enc_any(x) for x in v]}
    if isinstance(v, collections.abc.Mapping):
        if not all(type(k) is str for k in v):
            raise TypeError("codec: mapping keys must be str")
        return {"m": {k: _enc_any(x) for k, x in v.items()}}
    raise TypeError(f"codec: cannot encode {t.__name__} in an Any field")


def _encoder(tp: Any) -> _Encoder:
    try:
        return _ENCODERS[tp]
    except KeyError:
        pass
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        cell: list[_Encoder] = []
        _ENCODERS[tp] = lambda v: cell[0](v)
        enc = _dataclass_encoder(tp)
        cell.append(enc)
    else:
        enc = _value_encoder(tp)
    _ENCODERS[tp] = enc
    return enc


def _dataclass_encoder(cls: type) -> _Encoder:
    fields = [(name, _value_encoder(tp)) for name, tp in _hints(cls)]

    def enc(v: Any) -> list:
        if type(v) is not cls:  # a subclass could carry fields the decoder drops
            raise TypeError(f"codec: expected {cls.__name__}, got {type(v).__name__}")
        d = v.__dict__
        return [f(d[name]) for name, f in fields]

    return enc


def _value_encoder(tp: Any) -> _Encoder:
    """An encoder that checks values against ``tp`` as the decoder will, so
    what cannot be read back is never written."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return lambda v: _encoder(tp)(v)
    if tp in (Any, object):
        return _enc_any
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        def enc_enum(v: Any) -> Any:
            if not isinstance(v, tp):
                raise TypeError(f"codec: expected {tp.__name__}")
            return v.value

        return enc_enum
    if tp in _SIMPLE:
        check = _SIMPLE[tp]

        def enc_simple(v: Any) -> Any:
            try:
                return check(v, 0)
            except DecodeError as exc:
                raise TypeError(f"codec: {exc}") from None

        return enc_simple
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [(a, _value_encoder(a)) for a in args]

        def enc_union(v: Any) -> Any:
            for a, f in options:
                if a is type(None):
                    if v is None:
                        return None
                    continue
                try:
                    return f(v)
                except TypeError:
                    continue
            raise TypeError(f"codec: {type(v).__name__} is not {tp}")

        return enc_union
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _value_encoder(args[0])

            def enc_tuple(v: Any) -> list:
                if type(v) is not tuple:
                    raise TypeError(f"codec: expected tuple, got {type(v).__name__}")
                return [item(x) for x in v]

            return enc_tuple
        items = [_value_encoder(a) for a in args]

        def enc_fixed(v: Any) -> list:
            if type(v) is not tuple or len(v) != len(items):
                raise TypeError("codec: expected a fixed tuple")
            return [f(x) for f, x in zip(items, v)]

        return enc_fixed
    if origin in (collections.abc.Mapping, dict) and args and args[0] is str:
        value = _value_encoder(args[1])

        def enc_map(v: Any) -> dict:
            if not isinstance(v, collections.abc.Mapping) or not all(type(k) is str for k in v):
                raise TypeError("codec: expected a str-keyed mapping")
            return {k: value(x) for k, x in v.items()}

        return enc_map
    raise TypeError(f"codec: unsupported type hint {tp!r}")
