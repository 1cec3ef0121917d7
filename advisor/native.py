"""Which code runs the hot path: the pure modules, or their twins compiled to C by mypyc.

The install compiles the hot path's modules where it can (see setup.py): `signals`
(extraction), `features`, `decide` (the decision) and `trusted` (building its answer). The twins
give the same answers, and a decision takes about 30% fewer instructions. They import each other, so
they run together or not at all: only while every module's source is the very file its twin was
compiled from (each twin carries that file's digest). An edited module is never shadowed by an
old build: the pure modules run until the next install. ADVISOR_PURE=1 asks for them.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .rulebase import SignalDef
    from .signals import Extractor

# module -> its compiled twin (as in setup.py)
TWINS = {"signals": "_signals_native", "features": "_features_native", "decide": "_decide_native", "trusted": "_trusted_native"}
PURE_ENV = "ADVISOR_PURE"
COMPILED = "compiled (mypyc)"


class HotPath(NamedTuple):
    modules: dict[str, ModuleType]  # each name of TWINS -> advisor.<name>, or its twin (the same names)
    how: str  # COMPILED, or "pure Python" and why


@lru_cache(maxsize=None)
def hot_path() -> HotPath:
    """The modules that run the hot path in this process, worked out once."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return _pure(f"{PURE_ENV} is set")
    twins = {}
    for name in TWINS:
        twin, why_not = _twin(name)
        if twin is None:
            return _pure(why_not)
        twins[name] = twin
    return HotPath(twins, COMPILED)


def module(name: str) -> ModuleType:
    return hot_path().modules[name]


def compiled_module(name: str) -> ModuleType | None:
    """The compiled twin of advisor.<name>, if one was built from its source as it is now."""
    return _twin(name)[0]


def make_extractor(signals: dict[str, SignalDef]) -> Extractor:
    """An Extractor for these signals, from the module that runs extraction."""
    return module("signals").Extractor(signals)  # type: ignore[no-any-return]


def _twin(name: str) -> tuple[ModuleType | None, str]:
    try:
        twin = import_module(f"{__package__}.{TWINS[name]}")
    except ImportError:
        return None, "no compiled modules were built"
    if getattr(twin, "SOURCE_DIGEST", None) != _digest(Path(__file__).with_name(f"{name}.py")):
        return None, f"{name}.py changed since it was compiled; reinstall to rebuild it"
    return twin, ""


def _pure(why: str) -> HotPath:
    return HotPath({name: import_module(f"{__package__}.{name}") for name in TWINS}, f"pure Python ({why})")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
