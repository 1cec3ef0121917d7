"""Reading TOML data files and turning validation errors into 'file: rule id: field: problem' lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ValidationError

from . import precompiled
from .errors import RuleFileError

MAX_FILE_BYTES = 1_000_000  # far above any real rule base; refuses accidental multi-MB inputs

M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path | str) -> dict[str, Any]:
    """Parse a TOML file, mapping every failure to a RuleFileError naming the file."""
    path = Path(path)
    return _parse_toml(_read_bytes(path), path)


def load_packaged(model: type[M], path: Path, restore: Callable[[dict[str, Any]], M]) -> M:
    """A packaged data file as `model`: rebuilt by `restore` from what validating these very
    bytes produced at precompile time (see precompiled), or else read and validated as any file."""
    raw = _read_bytes(path)
    known = precompiled.validated(model.__name__, raw)
    return restore(known) if known is not None else validate(model, _parse_toml(raw, path), path)


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise RuleFileError(str(path), [f"cannot read: {err.strerror or err}"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise RuleFileError(str(path), [f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}"])
    return raw


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    known = precompiled.parsed_file(raw)  # the packaged files, parsed ahead: same bytes, same result
    if known is not None:
        return json.loads(json.dumps(known))  # a copy of its own for the caller, at C speed
    return parse_toml(raw, path)


def parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    """TOML bytes parsed by tomllib itself, never looked up (precompiling starts from these)."""
    import tomllib  # the packaged files are parsed ahead (see precompiled); others get here

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise RuleFileError(str(path), [f"not UTF-8 text ({err.reason} at byte {err.start})"]) from None
    except tomllib.TOMLDecodeError as err:
        raise RuleFileError(str(path), [f"not valid TOML: {err}"]) from None


def validate(model: type[M], data: dict[str, Any], path: Path | str) -> M:
    """Validate data against a strict pydantic model; errors name the entry id and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [_describe(e, data) for e in err.errors()]
        raise RuleFileError(str(path), problems) from None


def _describe(error: dict[str, Any], data: dict[str, Any]) -> str:
    loc = list(error["loc"])
    where = _entry_name(loc, data)
    field = ".".join(str(p) for p in loc)
    # A whole-entry check (e.g. effect against model) names its fields in the message itself.
    return f"{where}field '{field}': {_message(error)}" if field else f"{where}{_message(error)}"


def _entry_name(loc: list[Any], data: dict[str, Any]) -> str:
    """'rule 'stem.aime': ' for errors inside [[rule]] number N, so the reader finds the entry."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        table, index = loc[0], loc[1]
        entries = data.get(table)
        if isinstance(entries, list) and index < len(entries) and isinstance(entries[index], dict):
            entry_id = entries[index].get("id")
            del loc[:2]
            label = repr(entry_id) if entry_id is not None else f"#{index + 1} (no id)"
            return f"{table} {label}: "
    return ""


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (not allowed here)"
    if error["type"] == "missing":
        return "required field is missing"
    return error["msg"].removeprefix("Value error, ")
