"""`repotag tag` as plain functions: items → records, serial or over N
processes, with no dependency on the CLI framework.

The typer command in cli.py and the fast path below both call run_tag, so
there is one implementation of the tag contract. The fast path exists for
start-up time: importing typer (and the pydantic adapters it pulls in) costs
more than tagging a README, so a well-formed `repotag tag ...` is parsed
here with argparse; anything it does not understand (--help, a bad flag, an
option another command added) goes to typer, which stays the one source of
help and usage errors.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def dumps(obj) -> str:
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a JSONL id "\ud800", a file name that is not
        # UTF-8) is not UTF-8: written raw it would break the JSON stream
        # or the write; JSON's \u escapes can say it.
        line = json.dumps(obj, separators=(",", ":"))
    return line


def say(message: str) -> None:
    sys.stderr.write(f"repotag: {message}\n")


class UsageError(Exception):
    """Bad options or unloadable rules: exit status 2, messages already printed."""


def tag_record(tagger, item, max_tags=None) -> tuple[dict, list[str], bool]:
    """(record, stderr messages, failed) for one input item."""
    if item.error:
        return {"id": item.id, "error": item.error}, [item.error], True
    from .guard import tag_guarded, time_limit_from_env

    res, error = tag_guarded(tagger, item.text, max_tags, item.source or item.id, time_limit_from_env())
    if error:
        return {"id": item.id, "error": error}, [error], True
    rec = {"id": item.id, "tags": res.tags}
    msgs = []
    if item.warnings:
        rec["warnings"] = item.warnings
        msgs = [f"warning: {item.source or item.id}: {w}" for w in item.warnings]
    return rec, msgs, False


def write_results(results) -> int:
    """Print (record, messages, failed) triples in order; the number failed."""
    failed = 0
    out = sys.stdout
    for rec, msgs, bad in results:
        failed += bad
        out.write(dumps(rec) + "\n")
        for m in msgs:
            say(m)
    out.flush()
    return failed


def load_tagger(rules, tags, max_tags=None, builtin=True, taglist=None):
    """Tagger.from_paths, with rule problems printed as file:line:col lines."""
    from .rules import RuleLoadError
    from .tagger import Tagger
    from .taglist import TagListError

    try:
        return Tagger.from_paths(rules or (), taglist or tags, builtin=builtin, max_tags=max_tags)
    except RuleLoadError as exc:
        for p in exc.problems:
            sys.stderr.write(f"{p}\n")
        say(f"cannot load rules: {len(exc.problems)} problem(s)")
    except TagListError as exc:
        say(str(exc))
    raise UsageError()


def run_tag(paths, id_=None, input_format="auto", tags=None, rules=None, max_tags=None,
            no_builtin=False, jobs=1) -> int:
    """The `tag` command: exit status 0 (all tagged), 1 (some input failed) or 2."""
    import gc

    if input_format not in ("auto", "text", "jsonl"):
        say(f"--input-format must be auto, text or jsonl, not {input_format!r}")
        return 2
    if jobs < 1:
        say(f"--jobs must be at least 1, not {jobs}")
        return 2
    # What is loaded now (modules, ~18,000 rule objects, the matcher) lives
    # until exit. Built with the collector off and then frozen, it is never
    # scanned: otherwise each collection while the Tagger is built rescans
    # the young rule objects (~20 ms of a one-README run), and forked
    # --jobs workers would touch, and so copy, every page of it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from .inputs import iter_inputs

        tagger = load_tagger(rules, tags, max_tags, not no_builtin)
        gc.freeze()
    except UsageError:
        return 2
    finally:
        if was_enabled:
            gc.enable()
    items = iter_inputs(list(paths), input_format, id_)
    if jobs == 1:
        results = (tag_record(tagger, it, max_tags) for it in items)
        return 1 if write_results(results) else 0
    from .parallel import TaggerSpec, tag_parallel

    spec = TaggerSpec(tuple(str(r) for r in rules or ()), str(tags) if tags else None, not no_builtin, max_tags)
    return 1 if write_results(tag_parallel(items, spec, jobs, tagger)) else 0


def fast_tag(argv: list[str]) -> int | None:
    """Run `tag ARGS` without typer; None if the arguments need typer."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):
            # Not argparse's usage and exit: typer reports the problem, once.
            raise argparse.ArgumentError(None, message)

    # A fixed width: argparse otherwise imports shutil (and with it zlib, bz2
    # and lzma) to measure a terminal this parser never prints to.
    ap = Parser(add_help=False, allow_abbrev=False, exit_on_error=False,
                formatter_class=lambda prog: argparse.HelpFormatter(prog, width=80))
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--id", dest="id_")
    ap.add_argument("--input-format", default="auto")
    ap.add_argument("--tags", type=Path)
    ap.add_argument("--rules", type=Path, action="append")
    ap.add_argument("--max-tags", type=int)
    ap.add_argument("--no-builtin", action="store_true")
    ap.add_argument("--jobs", "-j", type=int, default=1)
    if any(a in ("--help", "-h") for a in argv):
        return None
    try:
        ns, rest = ap.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit, ValueError):
        return None
    if rest or (ns.max_tags is not None and ns.max_tags < 0):
        return None
    return run_tag(ns.paths, ns.id_, ns.input_format, ns.tags, ns.rules, ns.max_tags, ns.no_builtin, ns.jobs)


def main() -> None:
    """The `repotag` entry point: the fast path for `tag`, typer for the rest."""
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")  # messages quote file names as they are
    try:
        if len(sys.argv) > 1 and sys.argv[1] == "tag":
            code = fast_tag(sys.argv[2:])
            if code is not None:
                sys.exit(code)
        from .cli import main as typer_main

        typer_main()
    except BrokenPipeError:
        # `repotag tag ... | head`: the reader left; stop quietly, as cat
        # does, and keep Python from complaining again when it flushes stdout.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
