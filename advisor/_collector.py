"""Pausing the garbage collector while the advisor builds what lives as long as the process.

Importing the advisor (pydantic's model machinery and some twenty model classes) and loading a
Router (some 100,000 objects: the rule base, its patterns and indexes) create objects that all
stay alive. The collector's passes meanwhile would walk them again and again and free nothing;
they cost a fifth of an import and a third of a load. Nor should the passes right after, which
would walk them all two or three times more while they are young: they join the oldest
generation at once, as if they had survived those passes (freezing sets every object aside,
unfreezing puts them all in the oldest generation).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off inside; on again after, unless it was off before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # objects frozen by others stay frozen: unfreezing would undo that
                gc.freeze()
                gc.unfreeze()
            gc.enable()
