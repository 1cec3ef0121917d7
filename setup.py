"""The build's one step beyond pyproject.toml: the hot path's modules (extraction, its
features, the decision, and the building of its answer) compiled to C by mypyc, where they can
be built.

Compiled, a decision takes about 30% fewer instructions. The compiled modules are optional: without
mypyc or a C compiler the advisor installs as pure Python and gives the same answers. Each is a
twin, not a replacement (`advisor._signals_native` for signals.py; the twins import each other):
advisor/native.py uses them only while every module's source is the very file its twin was
compiled from (each twin carries that file's digest), so an edited module is never shadowed by
a stale build.
"""

import hashlib
import re
import shutil
import sys
from pathlib import Path

from setuptools import setup

# module -> its compiled twin (as in advisor/native.py)
TWINS = {"signals": "_signals_native", "features": "_features_native", "decide": "_decide_native", "trusted": "_trusted_native"}
STAGE = Path("build") / "native"  # the package copied, with the twins, for mypyc to compile


def native_extensions() -> list:
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("advisor: mypyc is not available; installing pure Python", file=sys.stderr)
        return []
    twins = _staged_twins()
    try:
        # Other modules are read for their types only (silently), and packages without type
        # information (pydantic, in an isolated build) are taken as untyped.
        extensions = mypycify(["--follow-imports=silent", "--ignore-missing-imports", *map(str, twins)], opt_level="3",
                               group_name="advisor._hot_path")  # its library: advisor/_hot_path__mypyc.*.so
    except (Exception, SystemExit) as err:  # mypyc reports type errors by exiting
        print(f"advisor: mypyc could not compile {', '.join(TWINS)} ({err}); installing pure Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # a failed C build leaves the pure-Python install
    return extensions


def _staged_twins() -> list[Path]:
    """The package's modules in STAGE, with each twin: its module's source importing the other
    twins in place of their modules, and the source's digest appended."""
    shutil.rmtree(STAGE, ignore_errors=True)
    package = STAGE / "advisor"
    package.mkdir(parents=True)
    for module in Path("advisor").glob("*.py"):
        shutil.copyfile(module, package / module.name)
    twins = []
    for module, twin in TWINS.items():
        source = (Path("advisor") / f"{module}.py").read_bytes()
        digest = hashlib.sha256(source).hexdigest()
        twins.append(package / f"{twin}.py")
        twins[-1].write_bytes(_importing_twins(source) + f"\n\nSOURCE_DIGEST = {digest!r}  # of the {module}.py this was compiled from\n".encode())
    return twins


def _importing_twins(source: bytes) -> bytes:
    """`from .decide import` made `from ._decide_native import`, for each twinned module."""
    names = "|".join(TWINS).encode()
    return re.sub(rb"^from \.(" + names + rb") import", lambda m: b"from ." + TWINS[m.group(1).decode()].encode() + b" import", source, flags=re.M)


setup(ext_modules=native_extensions())
