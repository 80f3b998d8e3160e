"""The compiled dataclass decoders write the common field shapes out
(``X | None``, tuples of simple values, of pairs and of dataclasses, str
enums): they must accept exactly what the generic decoders accept, so a
cache entry of the wrong shape is still a miss."""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any, Mapping

import pytest

from govcheck.cache import codec
from govcheck.model import Severity


@dataclasses.dataclass(frozen=True)
class _Inner:
    name: str
    line: int | None = None


@dataclasses.dataclass(frozen=True)
class _Shapes:
    inner: _Inner | None
    names: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    inners: tuple[_Inner, ...]
    severity: Severity
    data: Mapping[str, Any]


GOOD = _Shapes(_Inner("a", 1), ("x", "y"), (("p", "q"),), (_Inner("b"), _Inner("c", 3)), Severity.ERROR, {"k": (1, "v")})


def _generic(doc: Any) -> Any:
    """Decode field by field with the generic decoders (no compiled code)."""
    if type(doc) is not list or len(doc) != 6:
        raise codec.DecodeError("shape")
    hints = codec._hints(_Shapes)
    values = [codec._generic_decoder(tp)(v, 1) if typing_origin(tp) else codec._decoder(tp)(v, 1)
              for (_, tp), v in zip(hints, doc)]
    return _Shapes(*values)


def typing_origin(tp: Any) -> Any:
    import typing

    return typing.get_origin(tp)


def _accepts(decode, doc) -> bool:
    try:
        decode(doc)
        return True
    except codec.DecodeError:
        return False


def test_round_trip_of_every_fast_shape():
    assert codec.decode(codec.encode(GOOD), _Shapes) == GOOD
    assert codec.decode(codec.encode(dataclasses.replace(GOOD, inner=None, names=(), inners=())), _Shapes).inner is None


@pytest.mark.parametrize("field, bad", [
    (0, ["a", "one"]), (0, "a"), (0, ["a"]),            # inner: not an _Inner
    (1, ["x", 1]), (1, "xy"), (1, [None]),               # names: not all str
    (2, [["p"]]), (2, [["p", "q", "r"]]), (2, [["p", 1]]), (2, [("p", "q")]),  # pairs
    (3, [["b", None], "c"]), (3, {"t": []}),             # inners
    (4, "fatal"), (4, 2), (4, None),                     # severity: not a value of the enum
])
def test_wrong_shapes_are_refused(field, bad):
    doc = json.loads(codec.encode(GOOD))
    doc[field] = bad
    with pytest.raises(codec.DecodeError):
        codec.decode_value(doc, _Shapes)
    assert not _accepts(_generic, doc)


def test_compiled_and_generic_decoders_agree_on_mutated_documents():
    rnd = random.Random(5)
    base = json.loads(codec.encode(GOOD))
    junk = [None, 1, 1.5, True, "s", [], ["s"], [["a", "b"]], [["a", 1]], {"t": []}, ["a", 1], "error", [["b", None]]]
    for _ in range(3000):
        doc = json.loads(json.dumps(base))
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(6)
            if rnd.random() < 0.5 or type(doc[i]) is not list or not doc[i]:
                doc[i] = rnd.choice(junk)
            else:
                doc[i][rnd.randrange(len(doc[i]))] = rnd.choice(junk)
        fast, slow = _accepts(lambda d: codec.decode_value(d, _Shapes), doc), _accepts(_generic, doc)
        assert fast == slow, doc
        if fast:
            assert codec.decode_value(doc, _Shapes) == _generic(doc)


def test_nesting_past_the_limit_is_refused_in_a_fast_tuple():
    flat = json.loads(codec.encode(dataclasses.replace(GOOD, inner=None, inners=(), data={})))
    dec = codec._decoder(_Shapes)
    assert dec(flat, codec.MAX_DEPTH - 1).names == ("x", "y")
    with pytest.raises(codec.DecodeError):
        dec(flat, codec.MAX_DEPTH)  # the object is at the limit, its tuples one past it
