"""`repotag tag` as plain functions: items → records, serial or over N
processes, with no dependency on the CLI framework.

The typer command in app.py and the fast path in main.py both call run_tag,
so there is one implementation of the tag contract.
"""
from __future__ import annotations

import sys

from .records import say, tag_record, with_names, write_results


class UsageError(Exception):
    """Bad options or unloadable rules: exit status 2, messages already printed."""


def load_tagger(rules, tags, max_tags=None, builtin=True, taglist=None, parser="auto"):
    """Tagger.from_paths, with rule problems printed as file:line:col lines."""
    from ..document.parsers import ParserUnavailable
    from ..packs.model import RuleLoadError
    from ..tagging.tagger import Tagger
    from ..packs.taglist import TagListError

    try:
        return Tagger.from_paths(rules or (), taglist or tags, builtin=builtin, max_tags=max_tags, parser=parser)
    except ParserUnavailable as exc:
        say(f"--parser: {exc}")
    except RuleLoadError as exc:
        for p in exc.problems:
            sys.stderr.write(f"{p}\n")
        say(f"cannot load rules: {len(exc.problems)} problem(s)")
    except TagListError as exc:
        say(str(exc))
    raise UsageError()


def input_options_error(input_format: str, id_from: str) -> str | None:
    """What is wrong with --input-format / --id-from (tag and audit), or None."""
    from ..inputs.ids import ID_FROM

    if input_format not in ("auto", "text", "jsonl"):
        return f"--input-format must be auto, text or jsonl, not {input_format!r}"
    if id_from not in ID_FROM:
        return f"--id-from must be {', '.join(ID_FROM[:-1])} or {ID_FROM[-1]}, not {id_from!r}"
    return None


def run_tag(paths, id_=None, input_format="auto", tags=None, rules=None, max_tags=None,
            no_builtin=False, jobs=1, *, recursive=True, id_from="auto", with_names=False,
            summary=False, parser="auto") -> int:
    """The `tag` command: exit status 0 (all tagged), 1 (some input failed,
    or an argument named no README) or 2."""
    import gc

    bad = input_options_error(input_format, id_from) or (f"--jobs must be at least 1, not {jobs}" if jobs < 1 else None)
    if bad:
        say(bad)
        return 2
    # What is loaded now (modules, ~18,000 rule objects, the matcher) lives
    # until exit. Built with the collector off and then frozen, it is never
    # scanned: otherwise each collection while the Tagger is built rescans
    # the young rule objects (~20 ms of a one-README run), and forked
    # --jobs workers would touch, and so copy, every page of it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from ..inputs.sources import plan as plan_inputs

        tagger = load_tagger(rules, tags, max_tags, not no_builtin, parser=parser)
        gc.freeze()
    except UsageError:
        return 2
    finally:
        if was_enabled:
            gc.enable()
    # Walked and named before the first input is read: ids are unique across
    # the run, and an argument with no README is said at once, not after it.
    plan = plan_inputs(list(paths), input_format, id_, recursive, id_from)
    for m in plan.warnings + plan.empty:
        say(f"warning: {m}")
    said = len(plan.empty)
    items = plan.items()
    if jobs == 1:
        results = (tag_record(tagger, it, max_tags) for it in items)
    else:
        from .parallel import TaggerSpec, tag_parallel

        spec = TaggerSpec(tuple(str(r) for r in rules or ()), str(tags) if tags else None, not no_builtin, max_tags,
                          tagger.parser)
        results = tag_parallel(items, spec, jobs, tagger)
    counts = None
    if summary:
        from ..reports.summary import Summary

        counts = Summary()
    advance, close = (lambda n=1: None), (lambda: None)
    if sys.stderr.isatty():  # the one case with a bar: nothing more to import otherwise
        from ..reports.render import progress_after

        advance, close = progress_after("tagging", plan.total)
    try:
        failed = write_results(_finish(results, tagger, with_names, counts, advance))
    finally:
        close()
    for m in plan.empty[said:]:  # JSONL files found empty while reading
        say(f"warning: {m}")
    if counts is not None:
        for line in counts.lines(tagger.tags, len(plan.empty)):
            sys.stderr.write(f"repotag: {line}\n" if line.startswith("summary") else f"{line}\n")
        sys.stderr.flush()
    return 1 if failed or plan.empty else 0


def _finish(results, tagger, names: bool, counts, advance):
    """Records as written: with names if asked, counted, progress advanced."""
    for rec, msgs, bad in results:
        if names:
            rec = with_names(rec, tagger.tags)
        if counts is not None:
            counts.add(rec)
        advance()
        yield rec, msgs, bad
