"""The packaged rule base and catalog, precompiled: what loading them would work out, kept by content.

Parsing the packaged TOML files, validating them and analysing their ~3,000 patterns takes most
of a cold start. `rules/precompiled.json` keeps the results: each file's parsed TOML and what
validating it produced (its model's `model_dump(mode="json")`), both under a checksum of its
bytes, and each pattern's analysis under its exact text. Loading looks them up and does the work
itself for anything not listed, so a changed file or pattern is never read from here. Only the
packaged files are rebuilt from their validated form (see `_files.load_packaged`); a file given by
the user is always validated. `advise rules precompile` rebuilds the file (a test fails while it
is stale).
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import sys
import types
import typing
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Callable, TypeVar

from pydantic import BaseModel

from .rules import FOLDER
from .trusted import trusted

FILE_NAME = "precompiled.json"
_FORMAT = 8  # 8: the extractor's index; 7: compact pattern entries (see patterns.index_entry), a checksum first and the parsed files last
_FILES_LINE = b'\n"files": '

M = TypeVar("M", bound=BaseModel)


def digest(data: bytes) -> str:
    """A content key: length and two independent checksums. (hashlib would be stronger, but
    importing it costs milliseconds of every start; these tell an edited file apart.)"""
    return f"{len(data)}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"


def parsed_file(data: bytes) -> dict[str, Any] | None:
    """The parsed TOML of a packaged file with exactly these bytes, if precompiled."""
    return _files().get(digest(data))


def validated(model: str, data: bytes) -> dict[str, Any] | None:
    """What validating a packaged file with exactly these bytes as `model` (a class name)
    produced, as its `model_dump(mode="json")`, if precompiled; `restore` rebuilds it."""
    return _load()["validated"].get(model, {}).get(digest(data))


def pattern_entry(key: str) -> list[Any] | None:
    """The analysis of a pattern (see `patterns.pattern_key`), if precompiled."""
    entry = _load()["patterns"].get(key)
    return marshal.loads(entry) if type(entry) is bytes else entry  # see _packed


def extractor_index(key: str) -> dict[str, Any] | None:
    """The packaged rule base's pattern index (see `signals.index_tables`), if precompiled and
    these are its patterns, in its order (`key`: see `signals.signals_digest`). A table's values
    may be marshal bytes (see `_packed`)."""
    index = _load()["index"]
    return index.get("tables") if index.get("for") == key else None


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    """What loading the packaged files needs: what validating them produced, and the patterns'
    analyses; from their marshal form when one was kept for this very file (see `_key`)."""
    try:
        with packaged_path().open("rb") as file:
            key = _key(file)
            loaded = _from_marshal(key)
            if loaded is None:
                loaded = _parsed_head(key[0] + file.read())
                if loaded:
                    _to_marshal(key, loaded)
    except OSError:
        loaded = {}  # none: everything is worked out afresh
    return {"validated": loaded.get("validated") or {}, "patterns": loaded.get("patterns") or {}, "index": loaded.get("index") or {}}


def _parsed_head(raw: bytes) -> dict[str, Any]:
    """The file up to the parsed files, parsed: `render` writes those last, on a line of their
    own, and what comes before that line, closed with a brace, is a JSON object too. (The
    parsed files, for lint and for copies of packaged files, are some 140 KB that every start
    would otherwise read for nothing: `_files` reads them when asked.)"""
    cut = raw.rfind(_FILES_LINE)
    return _parsed(raw[:cut].rstrip(b",") + b"}") if cut >= 0 else {}  # not as `render` writes it: afresh too


@lru_cache(maxsize=1)
def _files() -> dict[str, Any]:
    """The parsed TOML of the packaged files, by digest (see `_parsed_head`)."""
    if not _load()["patterns"]:
        return {}  # no precompiled form of this format
    try:
        raw = packaged_path().read_bytes()
        files = json.loads((b"{" + raw[raw.rfind(_FILES_LINE) + 1:]).decode("utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    return files if isinstance(files, dict) else {}


def _parsed(raw: bytes) -> dict[str, Any]:
    """A precompiled form of this format from its JSON bytes ({} for anything else)."""
    try:
        # Bytes, decoded in one go: a text-mode read (newline translation and all) takes longer.
        loaded = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) and loaded.get("format") == _FORMAT else {}


# ---- the part loading reads, kept in marshal form ------------------------------------------
# Reading the JSON of the patterns and validated files takes a sixth of a start; reading the
# same values back from marshal (the format of Python's bytecode cache) takes a third less.
# So, as Python keeps a module's bytecode next to its source, the first load keeps what it
# parsed in `__pycache__`, and later loads read that instead while the file is the same: the
# same first line (which `render` makes the format and a checksum of the rest), size and
# modification time, all read without reading the file. Nothing is written where Python would
# write no bytecode either (PYTHONDONTWRITEBYTECODE), or where it cannot write.


_PACKING = 2  # the layout of the marshal form (see _packed): a form of another layout is not read


def _key(file: BinaryIO) -> tuple[bytes, int, int, int]:
    stat = os.fstat(file.fileno())
    return file.readline(), stat.st_size, stat.st_mtime_ns, _PACKING


def _from_marshal(key: tuple[bytes, int, int, int]) -> dict[str, Any] | None:
    try:
        kept_key, kept = marshal.loads(_cache_path().read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None  # none yet, or not one this Python reads
    return kept if kept_key == key and isinstance(kept, dict) else None


def _to_marshal(key: tuple[bytes, int, int, int], loaded: dict[str, Any]) -> None:
    if not sys.dont_write_bytecode:
        _write(_cache_path(), marshal.dumps((key, _shared(_packed(loaded), {}))))


def _packed(loaded: dict[str, Any]) -> dict[str, Any]:
    """What loading reads, with each pattern's entry and each value of the index's tables as
    marshal bytes of its own: a start needs a few of the ~3,000 entries and ~5,000 table values,
    and a string of bytes costs a tenth of the lists and pairs it holds to read back. Each is
    read when first asked for (`pattern_entry`, `signals._Table`)."""
    index = loaded.get("index") or {}
    tables = {name: {k: marshal.dumps(v) for k, v in table.items()} if isinstance(table, dict) else table
              for name, table in (index.get("tables") or {}).items()}
    return {**loaded, "patterns": {k: marshal.dumps(v) for k, v in (loaded.get("patterns") or {}).items()},
            "index": {**index, "tables": tables} if index else {}}


def _shared(value: Any, strings: dict[str, str]) -> Any:
    """The value with equal strings as one object (a literal and its word, a word many patterns
    share): marshal writes such a string once, and reading it back makes it once."""
    if isinstance(value, str):
        return strings.setdefault(value, value)
    if isinstance(value, list):
        return [_shared(item, strings) for item in value]
    if isinstance(value, dict):
        return {_shared(k, strings): _shared(v, strings) for k, v in value.items()}
    return value


def _cache_path() -> Path:
    # Named for the Python that wrote it (as bytecode is): the marshal format can change between Pythons.
    return packaged_path().parent / "__pycache__" / f"{FILE_NAME}.{sys.implementation.cache_tag}.marshal"


def _write(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: another process may be reading it, or writing it too."""
    part = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(exist_ok=True)
        part.write_bytes(data)
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)  # a read-only install: every load reads the JSON


def build(rule_paths: list[Path], catalog_path: Path) -> dict[str, Any]:
    """The precompiled form of these rule files and this catalog: their parsed TOML, what
    validating them produced, and their patterns' analyses. Each file is parsed afresh, not
    looked up here: the result never depends on the precompiled form it replaces."""
    from ._files import parse_toml, validate
    from .catalog import Catalog
    from .patterns import analyse_afresh, index_entry, pattern_key, problem
    from .rulebase import RuleFile, restore_rule_file
    from .signals import index_tables, pattern_sources, signals_digest

    files: dict[str, Any] = {}
    signals: dict[str, Any] = {}  # as the packaged rule base merges them: a later file's signal replaces one of the same id
    done: dict[str, dict[str, Any]] = {"Catalog": {}, "RuleFile": {}}
    patterns: dict[str, Any] = {}
    analyses: dict[tuple[str, bool], Any] = {}  # each pattern analysed once, for its entry and the index
    for path in rule_paths:
        data = path.read_bytes()
        raw = parse_toml(data, path)  # a broken file is a RuleFileError naming it
        if json.loads(json.dumps(raw)) == raw:  # TOML dates would not survive JSON: leave those out
            files[digest(data)] = raw
        rule_file = validate(RuleFile, raw, path)  # as load_rule_file validates any file given
        _keep(done["RuleFile"], digest(data), rule_file, restore_rule_file)
        for signal in rule_file.signal:
            signals[signal.id] = signal
            for source in signal.patterns:
                analysed = analyses[source, signal.case_sensitive] = analyse_afresh(source, signal.case_sensitive)
                if problem(analysed) is None:
                    patterns[pattern_key(source, signal.case_sensitive)] = index_entry(analysed)
    data = catalog_path.read_bytes()
    catalog = validate(Catalog, parse_toml(data, catalog_path), catalog_path)  # as load_catalog does
    _keep(done["Catalog"], digest(data), catalog, lambda dump: restore(Catalog, dump))
    tables = index_tables(pattern_sources(signals), lambda source, case_sensitive: analyses[source, case_sensitive].keys)
    index = {"for": signals_digest(signals), "tables": json.loads(json.dumps(tables))}  # (as read back: lists for tuples)
    return {"format": _FORMAT, "files": files, "validated": done, "index": index, "patterns": dict(sorted(patterns.items()))}


def _keep(into: dict[str, Any], key: str, model: BaseModel, rebuild: Callable[[dict[str, Any]], BaseModel]) -> None:
    """Keep a validated file's dump, if it comes back from JSON as the very same model, down to
    the order of its dicts (a value JSON cannot hold, such as inf, would not: such a file is
    validated at every load)."""
    dump = model.model_dump(mode="json")
    back = rebuild(json.loads(json.dumps(dump)))
    if back == model and back.model_dump_json() == model.model_dump_json():
        into[key] = dump


def packaged_path() -> Path:
    return FOLDER / FILE_NAME


def render(precompiled: dict[str, Any]) -> str:
    """One pattern per line, so a change to the rule base shows as a readable diff. The first
    line gives the format and a checksum of the rest (the key of its marshal form, see `_key`);
    the parsed files come last, on a line of their own (see `_parsed_head`)."""
    # Tables in the order parsing and validation left them (not sorted): the order of a dict is
    # part of what a file says, and a file read from here must be the very one tomllib gives.
    entries = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in precompiled["patterns"].items()]
    rest = "\n".join([
        f'"validated": {json.dumps(precompiled["validated"], ensure_ascii=False)},',
        f'"index": {json.dumps(precompiled.get("index", {}), ensure_ascii=False)},',
        '"patterns": {',
        ",\n".join(entries),
        "},",
        f'"files": {json.dumps(precompiled["files"], ensure_ascii=False)}}}\n',
    ])
    return f'{{"format": {precompiled["format"]}, "digest": "{digest(rest.encode())}",\n' + rest


# ---- the validated form back into models ----------------------------------------------------


def restore(model: type[M], data: dict[str, Any]) -> M:
    """A model rebuilt from its own `model_dump(mode="json")` without validating it again: the
    dump is of validated data, so only what JSON cannot hold (nested models, dates) is rebuilt.
    An `Any` field is taken as given: the model's owner restores such a field before calling."""
    return trusted(model, **{name: data[name] if convert is None else convert(data[name]) for name, convert in _plan(model)})


@lru_cache(maxsize=None)
def _plan(model: type[BaseModel]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    return tuple((name, _converter(field.annotation)) for name, field in model.model_fields.items())


def _converter(annotation: Any) -> Callable[[Any], Any] | None:
    """How to turn the JSON form of a value of this type back into it; None when it is the same."""
    if annotation is dt.date:
        return dt.date.fromisoformat
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lambda value: restore(annotation, value)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        item = _converter(args[0])
        return None if item is None else lambda values: [item(v) for v in values]
    if origin is dict:
        item = _converter(args[1])
        return None if item is None else lambda values: {k: item(v) for k, v in values.items()}
    if origin in (typing.Union, types.UnionType):
        converters = [_converter(a) for a in args if a is not type(None)]
        if all(c is None for c in converters):
            return None
        if len(converters) == 1:
            return lambda value, c=converters[0]: None if value is None else c(value)
    elif origin is typing.Literal or (origin is None and annotation in (str, int, float, bool, Any)):
        return None
    raise TypeError(f"the precompiled form cannot restore a {annotation!r}")
