"""The command line: `repotag tag`, `repotag prompt`, and friends.

Output contract: one compact JSON object per input on stdout, keys in the
order id, tags (then warnings, if any); error records {"id":..,"error":..}
on stdout with a message on stderr; exit 1 if any input failed, 2 for usage
errors and unreadable rules.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tag software READMEs from a fixed tag list, with reasons.")

RulesOpt = typer.Option(None, "--rules", help="Extra rule pack directory (repeatable; later packs win).")
TagsOpt = typer.Option(None, "--tags", help="Tag list JSON ([{\"id\":..,\"name\":..}]); default: the built-in tags.json.")
MaxOpt = typer.Option(None, "--max-tags", min=0, help="At most this many tags per README (default 3).")
NoBuiltinOpt = typer.Option(False, "--no-builtin", help="Do not load the built-in rule pack.")


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def fail(message: str, code: int = 2):
    typer.echo(f"repotag: {message}", err=True)
    raise typer.Exit(code)


def load_tagger(rules: Optional[List[Path]], tags: Optional[Path], max_tags: Optional[int] = None,
                builtin: bool = True, taglist=None):
    from .rules import RuleLoadError
    from .tagger import Tagger
    from .taglist import TagListError

    try:
        return Tagger.from_paths(rules or (), taglist or tags, builtin=builtin, max_tags=max_tags)
    except RuleLoadError as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        fail(f"cannot load rules: {len(exc.problems)} problem(s)")
    except TagListError as exc:
        fail(str(exc))


def emit(rec: dict) -> None:
    line = dumps(rec)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a JSONL id "\ud800", a file name that is not
        # UTF-8) is not UTF-8: written raw it would break the JSON stream
        # or the write; JSON's \u escapes can say it.
        line = json.dumps(rec, separators=(",", ":"))
    sys.stdout.write(line + "\n")


def tag_items(tagger, items, max_tags=None) -> int:
    """Tag each item and print its record; returns the number of failed inputs."""
    from .guard import tag_guarded, time_limit_from_env

    failed = 0
    seconds = time_limit_from_env()
    for item in items:
        res = None
        if not item.error:
            res, item.error = tag_guarded(tagger, item.text, max_tags, item.source or item.id, seconds)
        if item.error:
            failed += 1
            emit({"id": item.id, "error": item.error})
            typer.echo(f"repotag: {item.error}", err=True)
            continue
        rec = {"id": item.id, "tags": res.tags}
        if item.warnings:
            rec["warnings"] = item.warnings
            for w in item.warnings:
                typer.echo(f"repotag: warning: {item.source or item.id}: {w}", err=True)
        emit(rec)
    sys.stdout.flush()
    return failed


@app.command()
def tag(
    paths: List[str] = typer.Argument(..., help="README files, directories of READMEs, JSONL files, or - for stdin."),
    id_: Optional[str] = typer.Option(None, "--id", help="Id for the record (single input); default: the file's stem."),
    input_format: str = typer.Option("auto", "--input-format", help="auto, text or jsonl ({\"id\":..,\"text\":..} lines)."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    max_tags: Optional[int] = MaxOpt,
    no_builtin: bool = NoBuiltinOpt,
):
    """Tag READMEs: one JSON line per input, {"id":..,"tags":[..]}."""
    from .inputs import iter_inputs

    if input_format not in ("auto", "text", "jsonl"):
        fail(f"--input-format must be auto, text or jsonl, not {input_format!r}")
    tagger = load_tagger(rules, tags, max_tags, not no_builtin)
    failed = tag_items(tagger, iter_inputs(paths, input_format, id_), max_tags)
    raise typer.Exit(1 if failed else 0)


@app.command()
def prompt(
    file: str = typer.Argument(..., help="A prompt shaped like the seed prompt, or - for stdin."),
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
):
    """Answer an LLM tagging prompt: README, id, N and tag list are read from the prompt."""
    from .inputs import read_path, read_stdin
    from .prompt import PromptError, parse_prompt

    from .guard import tag_guarded, time_limit_from_env
    from .inputs import Item, cap

    # Read whole: the tag list follows the README, so only the README is capped.
    item = read_stdin(whole=True) if file == "-" else read_path(Path(file), whole=True)
    if item.error:
        fail(item.error)
    try:
        p = parse_prompt(item.text)
    except PromptError as exc:
        fail(f"{file}: {exc}")
    readme = cap(Item(p.id, p.readme, None, item.warnings, item.source))
    tagger = load_tagger(rules, None, p.max_tags, not no_builtin, taglist=p.tags)
    res, err = tag_guarded(tagger, readme.text, None, file, time_limit_from_env())
    if err:
        fail(err, 1)
    for w in readme.warnings:
        typer.echo(f"repotag: warning: {file}: {w}", err=True)
    emit({"id": p.id, "tags": res.tags})


def main():
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")  # messages quote file names as they are
    try:
        app()
    except BrokenPipeError:
        # `repotag tag dir/ | head`: the reader left; stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
