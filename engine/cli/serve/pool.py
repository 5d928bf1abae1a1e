"""`repotag serve --jobs N`: the corpus tagged again after an edit by N worker
processes, as `repotag tag --jobs` does, but with workers that outlive one run.

The pool is forked once, when the server starts: before the web server has
threads (forking a threaded process can leave a child holding a lock no one
will release), and after every README was parsed, so the workers share the
parsed corpus copy-on-write and never parse it again. A run sends each
worker batches of README indexes with the edited pack as the parent loaded
it, pickled as the rule cache pickles it (unpickling costs a quarter of
loading from YAML); a worker keeps the last pack it unpickled, and matches
and scores its batches.
A pool that fails or stalls is dropped, and the server tags in-process.
"""
from __future__ import annotations

import multiprocessing as mp

import pickle

from ...tagging.tagger import Tagger
from ..parallel import BATCH
from .corpus import tag_item

RUN_TIMEOUT = 600.0  # seconds for one corpus run before the pool is given up

_wb = None  # the Workbench, inherited by the forked workers
_last: tuple = (None, None)  # in a worker: (load key, Tagger)


def start(wb, jobs: int):
    """A fork Pool of `jobs` workers for wb's corpus, or None (one job, no
    corpus, or no fork on this platform)."""
    global _wb
    if jobs <= 1 or wb.corpus is None or "fork" not in mp.get_all_start_methods():
        return None
    _wb = wb
    return mp.get_context("fork").Pool(jobs)


def _tagger(key: str, blob: bytes):
    global _last
    if _last[0] != key:
        _last = (key, Tagger(pickle.loads(blob), _wb.max_tags))
    return _last[1]


def _work(task) -> list:
    key, blob, indexes = task
    tagger = _tagger(key, blob)
    return [tag_item(tagger, _wb.corpus, i, _wb.max_tags) for i in indexes]


def run(pool, key: str, ruleset, n: int) -> list:
    """tag_item results for items 0..n-1, in order; raises on a failed or stalled pool."""
    blob = pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)
    tasks = [(key, blob, list(range(i, min(n, i + BATCH)))) for i in range(0, n, BATCH)]
    out: list = []
    for part in pool.map_async(_work, tasks).get(RUN_TIMEOUT):
        out += part
    return out
