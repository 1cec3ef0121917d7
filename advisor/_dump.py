"""A model's JSON, as `model_dump_json(indent=2)` writes it, without building pydantic's serializer.

Building a model's serializer also builds its validator, and the first validator a process
builds loads pydantic's plugin machinery (importlib.metadata and the mail package among it):
together a large share of a `advise --json` start. The models the CLI prints are plain (strings,
numbers, lists, nested models), so `json.dumps` writes the same bytes. Anything it might write
differently (a float that pydantic formats its own way, a value not of its field's type, text
that is not valid Unicode) goes to `model_dump_json` itself.
"""

from __future__ import annotations

import json
import types
import typing
from functools import lru_cache
from typing import Any, Callable

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

Plain = Callable[[Any], Any]


class _Unusual(Exception):
    """A value json.dumps might write differently from pydantic."""


def model_json(model: BaseModel) -> str:
    """`model.model_dump_json(indent=2)`, byte for byte."""
    try:
        text = json.dumps(_plain_model(type(model))(model), indent=2, ensure_ascii=False)
        text.encode("utf-8")  # lone surrogates: pydantic refuses them, and so must this
    except (_Unusual, UnicodeEncodeError):
        return model.model_dump_json(indent=2)
    return text


@lru_cache(maxsize=None)
def _plain_model(cls: type[BaseModel]) -> Plain:
    """The fields in the order of the instance's `__dict__`, then the computed fields: the order
    pydantic writes them in (for a validated model, the order they are declared in)."""
    decorators = cls.__pydantic_decorators__
    if decorators.field_serializers or decorators.model_serializers or any(k.startswith("ser_") for k in cls.model_config):
        return _unusual  # serialization customised: pydantic writes it
    fields = {name: _plain(field.annotation) if _as_is(field) else _unusual for name, field in cls.model_fields.items()}
    computed = [(name, _plain(_return_type(field))) for name, field in cls.model_computed_fields.items()]

    def plain(model: Any) -> dict[str, Any]:
        if type(model) is not cls:
            raise _Unusual(model)
        out = {name: fields[name](value) for name, value in model.__dict__.items() if name in fields}
        for name, convert in computed:
            try:
                out[name] = convert(getattr(model, name))
            except Exception as err:  # a failing property: pydantic reports it its own way
                raise _Unusual(name) from err
        return out

    return plain


def _return_type(field: Any) -> Any:
    """A computed field's type: pydantic reads it from the property when it builds the model."""
    if field.return_type is not PydanticUndefined:
        return field.return_type
    getter = getattr(field.wrapped_property, "func", None) or getattr(field.wrapped_property, "fget", None)
    return typing.get_type_hints(getter).get("return", Any)


def _as_is(field: Any) -> bool:
    """Written under its own name, always: no alias, no exclusion, no custom serializer."""
    return not (field.alias or field.serialization_alias or field.exclude or field.metadata)


def _plain(annotation: Any) -> Plain:
    """A function checking a value of this type and giving what json.dumps should write for it."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _plain_model(annotation)
    if annotation is float:
        return _float
    if annotation in (str, int, bool):
        return _exactly(annotation)
    if origin is typing.Literal and all(type(a) is str for a in args):
        return _one_of(frozenset(args))
    if origin is list:
        item, is_list = _plain(args[0]), _exactly(list)
        return lambda values: [item(v) for v in is_list(values)]
    if origin is dict and args[0] is str:
        key, value, is_dict = _exactly(str), _plain(args[1]), _exactly(dict)
        return lambda values: {key(k): value(v) for k, v in is_dict(values).items()}
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _plain(next(a for a in args if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    return _unusual  # a type not taught here: pydantic writes it


def _unusual(value: Any) -> Any:
    raise _Unusual(value)


def _exactly(kind: type) -> Plain:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _Unusual(value)
        return value

    return check


def _one_of(values: frozenset[str]) -> Plain:
    def check(value: Any) -> Any:
        if type(value) is not str or value not in values:
            raise _Unusual(value)
        return value

    return check


def _float(value: Any) -> float:
    # Python and pydantic write the shortest digits that read back the same, but they differ
    # in where they switch to exponent notation: within these bounds (which leave out inf and
    # nan too), neither does.
    if type(value) is not float or not (value == 0 or 1e-4 <= abs(value) < 1e16):
        raise _Unusual(value)
    return value
