"""The `repotag` entry point.

The fast path exists for start-up time: importing typer (and the pydantic
adapters it pulls in) costs more than tagging a README, so a well-formed
`repotag tag ...` is parsed here with argparse; anything it does not
understand (--help, a bad flag, an option another command added) goes to
typer (app.py), which stays the one source of help and usage errors.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .run import run_tag


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
    ap.add_argument("--recursive", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--id-from", default="auto")
    ap.add_argument("--with-names", action="store_true")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--parser", default="auto")
    if any(a in ("--help", "-h") for a in argv):
        return None
    try:
        ns, rest = ap.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit, ValueError):
        return None
    if rest or (ns.max_tags is not None and ns.max_tags < 0):
        return None
    return run_tag(ns.paths, ns.id_, ns.input_format, ns.tags, ns.rules, ns.max_tags, ns.no_builtin, ns.jobs,
                   recursive=ns.recursive, id_from=ns.id_from, with_names=ns.with_names, summary=ns.summary,
                   parser=ns.parser)


def main() -> None:
    """The `repotag` entry point: the fast path for `tag`, typer for the rest."""
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")  # messages quote file names as they are
    try:
        if len(sys.argv) > 1 and sys.argv[1] == "tag":
            code = fast_tag(sys.argv[2:])
            if code is not None:
                sys.exit(code)
        from .app import main as typer_main

        typer_main()
    except BrokenPipeError:
        # `repotag tag ... | head`: the reader left; stop quietly, as cat
        # does, and keep Python from complaining again when it flushes stdout.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
