"""`repotag tag --jobs N`: items tagged by N worker processes, streamed.

Reading stays in the parent (so error items and their order come from one
place); batches of items go to a process pool and come back as records. At
most a fixed number of batches is in flight, so memory stays flat however
many documents the input holds, and results are written in input order.
"""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from dataclasses import dataclass
from itertools import islice

BATCH = 32  # items per task: large enough to amortise pickling, small enough to stream
IN_FLIGHT_PER_JOB = 4


@dataclass(frozen=True)
class TaggerSpec:
    """What a worker needs to build the same Tagger as the parent."""

    rules: tuple
    tags: str | None
    builtin: bool
    max_tags: int | None
    parser: str = "auto"

    def tagger(self):
        """The Tagger this spec describes (from the rule cache, so cheaply)."""
        from ..tagging.tagger import Tagger

        return Tagger.from_paths(self.rules, self.tags, builtin=self.builtin, max_tags=self.max_tags,
                                 parser=self.parser)


_tagger = None
_max_tags = None


def _init(spec: TaggerSpec) -> None:
    """Spawned workers rebuild the Tagger (from the rule cache, so cheaply)."""
    global _tagger, _max_tags
    _max_tags = spec.max_tags
    _tagger = spec.tagger()


def _work(batch: list) -> list:
    from .records import tag_record

    return [tag_record(_tagger, item, _max_tags) for item in batch]


def _pool(jobs: int, spec: TaggerSpec, tagger):
    global _tagger, _max_tags
    if "fork" in mp.get_all_start_methods() and tagger is not None:
        # Forked workers inherit the loaded rules copy-on-write and start at once.
        _tagger, _max_tags = tagger, spec.max_tags
        return mp.get_context("fork").Pool(jobs)
    return mp.get_context("spawn").Pool(jobs, initializer=_init, initargs=(spec,))


def tag_parallel(items, spec: TaggerSpec, jobs: int, tagger=None):
    """(record, messages, failed) for each item, in input order."""
    it = iter(items)
    limit = jobs * IN_FLIGHT_PER_JOB
    with _pool(jobs, spec, tagger) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < limit:
                batch = list(islice(it, BATCH))
                if not batch:
                    break
                pending.append(pool.apply_async(_work, (batch,)))
            if not pending:
                break
            yield from pending.popleft().get()
