"""The processor worker keeps its loaded resources out of the garbage collector's passes while it runs,
and gives them back when it stops (a process that goes on, such as a test run, collects them again)."""

from __future__ import annotations

import gc

from processors.worker import resident


class _Resource:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_resources_are_kept_out_of_collections_while_the_worker_runs_and_freed_after() -> None:
    loaded = _Resource()
    with resident():
        assert gc.get_freeze_count() > 0
        assert not any(o is loaded for gen in range(3) for o in gc.get_objects(generation=gen))
        fresh = _Resource()
        assert any(o is fresh for gen in range(3) for o in gc.get_objects(generation=gen))
    assert gc.get_freeze_count() == 0
    del loaded, fresh
    gc.collect()  # the cycle loaded before the worker ran is collectable again
    assert not any(isinstance(o, _Resource) for o in gc.get_objects())
