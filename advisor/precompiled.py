"""The packaged rule base, precompiled: what loading it would work out, kept by content.

Parsing the packaged TOML files and analysing their ~3,000 patterns takes most of a cold start
(about half a second). `rules/precompiled.json` keeps both results: each file's parsed TOML
under a checksum of its bytes, and each pattern's analysis under its exact text. Loading looks
them up and does the work itself for anything not listed, so a changed file or pattern is never
read from here; everything read is still validated as usual. `advise rules precompile` rebuilds
the file (a test fails while it is stale).
"""

from __future__ import annotations

import json
import zlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

FILE_NAME = "precompiled.json"
_FORMAT = 5


def digest(data: bytes) -> str:
    """A content key: length and two independent checksums. (hashlib would be stronger, but
    importing it costs milliseconds of every start; these tell an edited file apart.)"""
    return f"{len(data)}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"


def parsed_file(data: bytes) -> dict[str, Any] | None:
    """The parsed TOML of a packaged file with exactly these bytes, if precompiled."""
    return _load()["files"].get(digest(data))


def pattern_entry(key: str) -> list[Any] | None:
    """The analysis of a pattern (see `patterns.pattern_key`), if precompiled."""
    return _load()["patterns"].get(key)


@lru_cache(maxsize=1)
def _load() -> dict[str, dict[str, Any]]:
    empty: dict[str, dict[str, Any]] = {"files": {}, "patterns": {}}
    try:
        raw = json.loads(resources.files("advisor.rules").joinpath(FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty  # none (or a broken one): everything is worked out afresh
    if not isinstance(raw, dict) or raw.get("format") != _FORMAT:
        return empty
    return {"files": raw.get("files") or {}, "patterns": raw.get("patterns") or {}}


def build(paths: list[Path]) -> dict[str, Any]:
    """The precompiled form of these rule files: their parsed TOML and their patterns' analyses."""
    from ._files import read_toml, validate
    from .patterns import analyse_afresh, index_entry, pattern_key, problem
    from .rulebase import RuleFile

    files: dict[str, Any] = {}
    patterns: dict[str, Any] = {}
    for path in paths:
        raw = read_toml(path)  # a broken file is a RuleFileError naming it
        if json.loads(json.dumps(raw)) == raw:  # TOML dates would not survive JSON: leave those out
            files[digest(path.read_bytes())] = raw
        for signal in validate(RuleFile, raw, path).signal:
            for source in signal.patterns:
                done = analyse_afresh(source, signal.case_sensitive)
                if problem(done) is None:
                    patterns[pattern_key(source, signal.case_sensitive)] = index_entry(done)
    return {"format": _FORMAT, "files": files, "patterns": dict(sorted(patterns.items()))}


def packaged_path() -> Path:
    return Path(str(resources.files("advisor.rules").joinpath(FILE_NAME)))


def render(precompiled: dict[str, Any]) -> str:
    """One pattern per line, so a change to the rule base shows as a readable diff."""
    lines = [f'{{"format": {precompiled["format"]},', f'"files": {json.dumps(precompiled["files"], ensure_ascii=False, sort_keys=True)},', '"patterns": {']
    entries = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in precompiled["patterns"].items()]
    return "\n".join(lines) + "\n" + ",\n".join(entries) + "\n}}\n"
