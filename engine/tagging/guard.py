"""Tagging one input of a batch so that nothing it holds can stop the batch.

Whatever goes wrong with one README (nesting too deep, memory, a rule regex
that the load-time check let through and that backtracks for ever, a bug)
becomes an error record for that input; the next input is tagged as usual.

The time limit is the last line of defence against a hang, not a way to
shape results: inputs are cut to inputs.MAX_CHARS and regexes see bounded
windows, so a normal README finishes in well under a second and the limit is
set orders of magnitude above that. It needs SIGALRM, so it works in the main
thread on POSIX systems (the CLI) and is skipped elsewhere.
"""
from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

DEFAULT_TIME_LIMIT = 120.0  # seconds for one input; REPOTAG_TIME_LIMIT overrides, 0 disables


class TimeLimitExceeded(Exception):
    pass


def time_limit_from_env() -> float:
    raw = os.environ.get("REPOTAG_TIME_LIMIT", "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_TIME_LIMIT
    except ValueError:
        return DEFAULT_TIME_LIMIT
    return max(0.0, value)


@contextmanager
def time_limit(seconds: float):
    """Raise TimeLimitExceeded in the block after `seconds` (0: no limit)."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def tag_guarded(tagger, text: str, max_tags: int | None, where: str, seconds: float):
    """(TagResult, None) or (None, error message naming `where`)."""
    try:
        with time_limit(seconds):
            return tagger.tag(text, max_tags), None
    except TimeLimitExceeded:
        return None, (f"{where}: analysis stopped after {seconds:g} s "
                      f"(a rule pattern may backtrack catastrophically on this text)")
    except RecursionError:
        return None, f"{where}: nesting too deep to analyse"
    except MemoryError:
        return None, f"{where}: out of memory while analysing"
    except Exception as exc:  # a bug must cost one record, not the batch
        return None, f"{where}: internal error: {type(exc).__name__}: {exc}"
