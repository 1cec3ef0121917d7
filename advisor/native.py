"""Which code runs the hot path: the pure modules, or their twins compiled to C by mypyc.

The install compiles `signals` (extraction) and `decide` (the decision) where it can (see
setup.py): each twin gives the same answers as its module, and a decision takes about a third
less time. A twin is used only while its module's source is the very file it was compiled
from (the twin carries that file's digest), so an edited module is never shadowed by an old
build: the pure module runs until the next install. ADVISOR_PURE=1 asks for the pure modules.
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

TWINS = {"signals": "_signals_native", "decide": "_decide_native"}  # module -> its compiled twin (as in setup.py)
PURE_ENV = "ADVISOR_PURE"
COMPILED = "compiled (mypyc)"


class Choice(NamedTuple):
    module: ModuleType  # advisor.<name> or its twin: the same names
    how: str  # COMPILED, or "pure Python" and why


@lru_cache(maxsize=None)
def choice(name: str) -> Choice:
    """The module that runs for advisor.<name> (one of TWINS) in this process, worked out once."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return _pure(name, f"{PURE_ENV} is set")
    twin, why_not = _twin(name)
    return Choice(twin, COMPILED) if twin is not None else _pure(name, why_not)


def module(name: str) -> ModuleType:
    return choice(name).module


def compiled_module(name: str) -> ModuleType | None:
    """The compiled twin of advisor.<name>, if one was built from its source as it is now."""
    return _twin(name)[0]


def summary() -> str:
    """What runs, for `advise --version`: one answer, or each module's where they differ."""
    hows = {name: choice(name).how for name in TWINS}
    if len(set(hows.values())) == 1:
        return next(iter(hows.values()))
    return ", ".join(f"{name} {how}" for name, how in hows.items())


def make_extractor(signals: dict[str, SignalDef]) -> Extractor:
    """An Extractor for these signals, from the module that runs extraction."""
    return module("signals").Extractor(signals)  # type: ignore[no-any-return]


def _twin(name: str) -> tuple[ModuleType | None, str]:
    try:
        twin = import_module(f"{__package__}.{TWINS[name]}")
    except ImportError:
        return None, "no compiled module was built"
    if getattr(twin, "SOURCE_DIGEST", None) != _digest(Path(__file__).with_name(f"{name}.py")):
        return None, f"the compiled {name} is of another {name}.py; reinstall to rebuild it"
    return twin, ""


def _pure(name: str, why: str) -> Choice:
    return Choice(import_module(f"{__package__}.{name}"), f"pure Python ({why})")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
