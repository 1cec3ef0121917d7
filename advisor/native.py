"""Which extractor routes: advisor/signals.py, or its twin compiled to C by mypyc.

The install compiles the twin where it can (see setup.py); both find the same signals, and the
twin about 1.4x faster. It is used only while signals.py is the very file it was compiled from
(the twin carries that file's digest), so an edited signals.py is never shadowed by an old
build: the pure module routes until the next install. ADVISOR_PURE=1 asks for the pure one.
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

PURE_ENV = "ADVISOR_PURE"
COMPILED = "compiled (mypyc)"


class Extraction(NamedTuple):
    module: ModuleType  # advisor.signals or advisor._signals_native: the same names
    name: str  # COMPILED, or "pure Python" and why


@lru_cache(maxsize=None)
def extraction() -> Extraction:
    """The extraction module this process uses, worked out once."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return _pure(f"{PURE_ENV} is set")
    twin, why_not = _twin()
    return Extraction(twin, COMPILED) if twin is not None else _pure(why_not)


def compiled_module() -> ModuleType | None:
    """The compiled twin of advisor/signals.py, if one was built from the file as it is now."""
    return _twin()[0]


def _twin() -> tuple[ModuleType | None, str]:
    try:
        twin = import_module(f"{__package__}._signals_native")
    except ImportError:
        return None, "no compiled extractor was built"
    if getattr(twin, "SOURCE_DIGEST", None) != _digest(Path(__file__).with_name("signals.py")):
        return None, "the compiled extractor is of another signals.py; reinstall to rebuild it"
    return twin, ""


def make_extractor(signals: dict[str, SignalDef]) -> Extractor:
    """An Extractor for these signals, from the module `extraction()` names."""
    return extraction().module.Extractor(signals)  # type: ignore[no-any-return]


def _pure(why: str) -> Extraction:
    return Extraction(import_module(f"{__package__}.signals"), f"pure Python ({why})")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
