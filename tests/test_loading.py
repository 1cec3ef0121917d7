"""What loading a Router leaves behind in the process, besides the Router."""

from __future__ import annotations

import gc

from advisor import Router


def test_loading_keeps_the_collector_as_it_found_it():
    assert gc.isenabled()
    Router().close()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        Router().close()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_leaves_objects_frozen_by_others_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        Router().close()
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_what_loading_made_is_in_the_oldest_generation():
    gc.collect()
    router = Router()
    try:
        # The young generations hold only what was made since: far fewer than the load made.
        young = gc.get_count()[0] + len(gc.get_objects(generation=1))
        assert young < len(gc.get_objects(generation=2)) // 10
    finally:
        router.close()
