"""The build's one step beyond pyproject.toml: `advisor._signals_native`, advisor/signals.py
compiled to C by mypyc, where it can be built.

Extraction is most of the work of a decision, and compiled it runs about 1.4x faster. The
compiled module is optional: without mypyc or a C compiler the advisor installs as pure Python
and gives the same answers. It is a twin, not a replacement: advisor/native.py uses it only
while advisor/signals.py is the very file it was compiled from (its digest is built in), so an
edited signals.py is never shadowed by a stale build.
"""

import hashlib
import shutil
import sys
from pathlib import Path

from setuptools import setup

SOURCE = Path("advisor") / "signals.py"
TWIN = "_signals_native"
STAGE = Path("build") / "native"  # the package copied, with the twin, for mypyc to compile


def native_extensions() -> list:
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("advisor: mypyc is not available; installing pure Python", file=sys.stderr)
        return []
    twin = _staged_twin()
    try:
        # Other modules are read for their types only (silently), and packages without type
        # information (pydantic, in an isolated build) are taken as untyped.
        extensions = mypycify(["--follow-imports=silent", "--ignore-missing-imports", str(twin)], opt_level="3")
    except (Exception, SystemExit) as err:  # mypyc reports type errors by exiting
        print(f"advisor: mypyc could not compile {SOURCE} ({err}); installing pure Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # a failed C build leaves the pure-Python install
    return extensions


def _staged_twin() -> Path:
    """The package's modules in STAGE, with signals.py as the twin (its source digest appended)."""
    shutil.rmtree(STAGE, ignore_errors=True)
    package = STAGE / "advisor"
    package.mkdir(parents=True)
    for module in Path("advisor").glob("*.py"):
        shutil.copyfile(module, package / module.name)
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    twin = package / f"{TWIN}.py"
    twin.write_bytes(source + f"\n\nSOURCE_DIGEST = {digest!r}  # of the signals.py this was compiled from\n".encode())
    return twin


setup(ext_modules=native_extensions())
