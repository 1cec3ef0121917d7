"""Pydantic instances built without validation, from values the library made itself out of
validated data: the hot path builds a dozen per decision (see `trusted`)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
# The slots every pydantic model instance has, set through their descriptors: a third cheaper
# than object.__setattr__, which looks each one up by name.
_new = object.__new__
_dict, _fields_set, _extra, _private = (BaseModel.__dict__[name].__set__ for name in (
    "__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"))


def trusted(cls: type[M], **values: Any) -> M:
    """An instance built from values the library made itself out of validated data.

    The hot path builds a dozen of these per decision; validation (or `model_construct`, which
    is slower still) would cost more than the decision. Every field must be given."""
    return trusted_from(cls, values)


def trusted_from(cls: type[M], values: dict[str, Any]) -> M:
    """`trusted`, taking (and keeping) a dict of the field values, in field order."""
    obj = _new(cls)
    _dict(obj, values)
    every = _every_field.get(cls) or _fields_of(cls)
    # Instances given every field share one set of their names: pydantic only copies it, or
    # adds a field's name to it (already there).
    _fields_set(obj, every if len(values) == len(every) else set(values))
    _extra(obj, None)
    _private(obj, None)
    return obj


_every_field: dict[type, set[str]] = {}


def _fields_of(cls: type[BaseModel]) -> set[str]:
    return _every_field.setdefault(cls, set(cls.model_fields))
