"""Tagging a whole corpus for eval and audit: one result per input, errors
kept, a progress bar on a terminal, and the time spent tagging."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..tagging.guard import tag_guarded, time_limit_from_env
from ..inputs.read import Item
from .render import progress


@dataclass
class Tagged:
    item: Item
    result: object | None  # TagResult, or None when the input failed
    error: str | None = None


@dataclass
class Run:
    """Timing of a corpus run; seconds counts tagging only, not reading."""

    docs: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds if self.seconds > 0 else 0.0


def tag_corpus(tagger, items, run: Run, total: int | None = None, label: str = "tagging"):
    """Yield a Tagged per item, in input order."""
    with progress(label, total) as advance:
        for item in items:
            run.docs += 1
            if item.error:
                run.failed += 1
                run.errors.append(item.error)
                yield Tagged(item, None, item.error)
                advance()
                continue
            t0 = time.perf_counter()
            # The same guard as `repotag tag`: one bad input is one error, never the run.
            res, msg = tag_guarded(tagger, item.text, None, item.source or item.id, time_limit_from_env())
            run.seconds += time.perf_counter() - t0
            if res is None:
                run.failed += 1
                run.errors.append(msg)
                yield Tagged(item, None, msg)
            else:
                yield Tagged(item, res)
            advance()
