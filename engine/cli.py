"""The command line: `repotag tag`, `repotag prompt`, and friends.

Output contract: one compact JSON object per input on stdout, keys in the
order id, tags (then warnings, if any); error records {"id":..,"error":..}
on stdout with a message on stderr; exit 1 if any input failed, 2 for usage
errors and unreadable rules.
"""
from __future__ import annotations

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


def fail(message: str, code: int = 2):
    typer.echo(f"repotag: {message}", err=True)
    raise typer.Exit(code)


def load_tagger(rules: Optional[List[Path]], tags: Optional[Path], max_tags: Optional[int] = None,
                builtin: bool = True, taglist=None):
    from .batch import UsageError, load_tagger

    try:
        return load_tagger(rules, tags, max_tags, builtin, taglist)
    except UsageError:
        raise typer.Exit(2)


def emit(rec: dict) -> None:
    from .batch import dumps

    sys.stdout.write(dumps(rec) + "\n")


@app.command()
def tag(
    paths: List[str] = typer.Argument(..., help="README files, directories of READMEs, JSONL files, or - for stdin."),
    id_: Optional[str] = typer.Option(None, "--id", help="Id for the record (single input); default: the file's stem."),
    input_format: str = typer.Option("auto", "--input-format", help="auto, text or jsonl ({\"id\":..,\"text\":..} lines)."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    max_tags: Optional[int] = MaxOpt,
    no_builtin: bool = NoBuiltinOpt,
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes; output stays in input order."),
):
    """Tag READMEs: one JSON line per input, {"id":..,"tags":[..]}."""
    from .batch import run_tag

    raise typer.Exit(run_tag(paths, id_, input_format, tags, rules, max_tags, no_builtin, jobs))


@app.command()
def prompt(
    file: str = typer.Argument(..., help="A prompt shaped like the seed prompt, or - for stdin."),
    rules: Optional[List[Path]] = RulesOpt,
):
    """Answer an LLM tagging prompt: README, id, N and tag list are read from the prompt."""
    from .inputs import read_path, read_stdin
    from .prompt import PromptError, parse_prompt

    item = read_stdin() if file == "-" else read_path(Path(file))
    if item.error:
        fail(item.error)
    try:
        p = parse_prompt(item.text)
    except PromptError as exc:
        fail(f"{file}: {exc}")
    tagger = load_tagger(rules, None, p.max_tags, taglist=p.tags)
    res = tagger.tag(p.readme)
    emit({"id": p.id, "tags": res.tags})


def main():
    app()
