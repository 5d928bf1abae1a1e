"""The command line: `repotag tag`, `repotag prompt`, and friends.

Output contract: one compact JSON object per input on stdout, keys in the
order id, tags (then warnings, if any); error records {"id":..,"error":..}
on stdout with a message on stderr; exit 1 if any input failed, 2 for usage
errors and unreadable rules.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .rules_app import rules_app

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tag software READMEs from a fixed tag list, with reasons.")
app.add_typer(rules_app, name="rules")

RulesOpt = typer.Option(None, "--rules", help="Extra rule pack directory (repeatable; later packs win).")
TagsOpt = typer.Option(None, "--tags", help="Tag list JSON ([{\"id\":..,\"name\":..}]); default: the built-in tags.json.")
MaxOpt = typer.Option(None, "--max-tags", min=0, help="At most this many tags per README (default 3).")
NoBuiltinOpt = typer.Option(False, "--no-builtin", help="Do not load the built-in rule pack.")
RecursiveOpt = typer.Option(True, "--recursive/--no-recursive",
                            help="Walk the subfolders of a directory for their READMEs (skipping hidden and "
                                 "dependency folders, stopping at a folder that has a README).")
IdFromOpt = typer.Option("auto", "--id-from",
                         help="Record ids: auto (a README is named for its folder, other files by their stem), "
                              "stem, folder, or path (below the argument). Colliding ids get more of their path.")
ParserOpt = typer.Option("auto", "--parser", help="Markdown parser: auto (rust when markdown-it-pyrs is installed), "
                         "python or rust; same results, rust is faster.")


def fail(message: str, code: int = 2):
    typer.echo(f"repotag: {message}", err=True)
    raise typer.Exit(code)


def load_tagger(rules: Optional[List[Path]], tags: Optional[Path], max_tags: Optional[int] = None,
                builtin: bool = True, taglist=None, parser: str = "auto"):
    from .run import UsageError, load_tagger

    try:
        return load_tagger(rules, tags, max_tags, builtin, taglist, parser)
    except UsageError:
        raise typer.Exit(2)


def emit(rec: dict) -> None:
    from .records import dumps

    sys.stdout.write(dumps(rec) + "\n")


@app.command()
def tag(
    paths: List[str] = typer.Argument(..., help="README files, directories (of checkouts or of READMEs), JSONL files, or - for stdin."),
    id_: Optional[str] = typer.Option(None, "--id", help="Id for every record (meant for a single input); default: see --id-from."),
    input_format: str = typer.Option("auto", "--input-format", help="auto, text or jsonl ({\"id\":..,\"text\":..} lines)."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    max_tags: Optional[int] = MaxOpt,
    no_builtin: bool = NoBuiltinOpt,
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes; output stays in input order."),
    recursive: bool = RecursiveOpt,
    id_from: str = IdFromOpt,
    with_names: bool = typer.Option(False, "--with-names", help="Add \"names\":[..] after \"tags\" in each record."),
    summary: bool = typer.Option(False, "--summary", help="End with counts on stderr: tagged, untagged, errors, per tag."),
    parser: str = ParserOpt,
):
    """Tag READMEs: one JSON line per input, {"id":..,"tags":[..]}."""
    from .run import run_tag

    raise typer.Exit(run_tag(paths, id_, input_format, tags, rules, max_tags, no_builtin, jobs,
                             recursive=recursive, id_from=id_from, with_names=with_names, summary=summary, parser=parser))


@app.command()
def prompt(
    file: str = typer.Argument(..., help="A prompt shaped like the seed prompt, or - for stdin."),
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
):
    """Answer an LLM tagging prompt: README, id, N and tag list are read from the prompt."""
    from ..inputs.read import read_path, read_stdin
    from .prompt import PromptError, parse_prompt

    from ..tagging.guard import tag_guarded, time_limit_from_env
    from ..inputs.read import Item, cap

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


def resolve_tags(tagger, refs: Optional[List[str]]) -> tuple:
    out = []
    for ref in refs or ():
        t = tagger.tags.resolve(ref)
        if t is None:
            import difflib

            hint = difflib.get_close_matches(ref.strip().lower(), [x.key for x in tagger.tags], n=1)
            fail(f"unknown tag {ref!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        out.append(t.id)
    return tuple(dict.fromkeys(out))


def write_out(text: str, out: Optional[Path]) -> None:
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: cannot write: {exc.strerror or exc}")


def write_blocks(blocks: list, out: Optional[Path]) -> None:
    """Text report: rich on a terminal, plain when piped or written to a file."""
    from ..reports.render import print_blocks

    if out is None:
        print_blocks(blocks)
        return
    import io

    buf = io.StringIO()
    print_blocks(blocks, buf)
    write_out(buf.getvalue(), out)


def project_readme(folder: str) -> str:
    """The README that stands for a project folder (as `tag` picks it), for
    `explain checkouts/alpha`."""
    from ..inputs.walk import walk

    w = walk(Path(folder), recursive=False)
    if w.error:
        fail(w.error, 1)
    readmes = [f for f in w.found if f.readme]
    if len(readmes) != 1:
        fail(f"{folder}: a folder without a README; explain takes a README file (or a project's folder)", 1)
    return str(readmes[0].path)


@app.command()
def explain(
    path: str = typer.Argument(..., help="A README file, a project's folder (its README), or - for stdin."),
    tag_: Optional[List[str]] = typer.Option(None, "--tag", help="Also explain this tag (name or id), chosen or not; repeatable."),
    format_: str = typer.Option("text", "--format", help="text, json or html."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of stdout."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
    parser: str = ParserOpt,
):
    """Explain a README's tags: evidence with rule file:line and README line:column, near misses."""
    from ..reports.explain import explain as run_explain, html_report, text_blocks
    from ..inputs.read import read_path, read_stdin

    if format_ not in ("text", "json", "html"):
        fail(f"--format must be text, json or html, not {format_!r}")
    tagger = load_tagger(rules, tags, None, not no_builtin, parser=parser)
    want = resolve_tags(tagger, tag_)
    if path != "-" and Path(path).is_dir():
        path = project_readme(path)
    item = read_stdin() if path == "-" else read_path(Path(path))
    if item.error:
        fail(item.error, 1)
    for w in item.warnings:
        typer.echo(f"repotag: warning: {item.source}: {w}", err=True)
    data, _ = run_explain(tagger, item.text, item.source or path, want)
    if format_ == "json":
        write_out(json.dumps(data, ensure_ascii=False, indent=1) + "\n", out)
    elif format_ == "html":
        write_out(html_report(data, item.text), out)
    else:
        write_blocks(text_blocks(data), out)


@app.command("eval")
def eval_(
    gold: Path = typer.Argument(..., help="Gold JSONL: {\"id\":..,\"file\": path relative to this file, \"tags\":[..]} per line."),
    per_tag: bool = typer.Option(False, "--per-tag", help="Add a per-tag table, worst first."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Write the predictions here as JSONL."),
    against: Optional[Path] = typer.Option(None, "--against", help="Earlier --predictions: list the READMEs whose tags changed (fixed, broken, changed) and the figure deltas."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    max_tags: Optional[int] = MaxOpt,
    no_builtin: bool = NoBuiltinOpt,
):
    """Tag every README of a gold file and score: micro/macro P/R/F1, top-1, success@3, exact, untagged."""
    from ..reports.evaluate import GoldError, evaluate, per_tag_table, summary_lines
    from ..reports.render import print_blocks

    tagger = load_tagger(rules, tags, max_tags, not no_builtin)
    old = None
    if against is not None:
        from ..reports.compare import load_predictions

        try:
            old, _ = load_predictions(against)  # a bad file fails before the whole corpus is tagged
        except GoldError as exc:
            fail(str(exc))
    try:
        fig, pred, run = evaluate(tagger, gold, predictions, on_error=lambda m: typer.echo(f"repotag: {m}", err=True))
    except GoldError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{predictions}: cannot write: {exc.strerror or exc}")
    diff = None
    if against is not None:
        from ..reports import compare
        from ..reports.evaluate import load_gold

        gold_tags = {d.id: list(d.tags) for d in load_gold(gold, tagger.tags)}
        diff = compare.before_after(old, pred, gold_tags, tagger.tags)
    if as_json:
        data = fig.to_json(tagger.tags, per_tag)
        data["failed"] = run.failed
        if diff is not None:
            data["against"] = compare.json_data(diff[0], diff[1], diff[2], tagger.tags, diff[3])
        emit(data)
    else:
        blocks = summary_lines(fig, run.failed) + ([per_tag_table(fig, tagger.tags)] if per_tag else [])
        if diff is not None:
            blocks += ["", f"against {against}:"] + compare.text_blocks(diff[0], diff[1], diff[2], tagger.tags, diff[3])
        print_blocks(blocks)
    raise typer.Exit(1 if run.failed else 0)


@app.command()
def audit(
    paths: List[str] = typer.Argument(..., help="READMEs, directories of READMEs or JSONL corpora (as for `tag`)."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold JSONL ({\"id\":..,\"tags\":[..]}): adds P/R/F1, confusions and blame."),
    format_: str = typer.Option("table", "--format", help="table, json or html."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of stdout."),
    input_format: str = typer.Option("auto", "--input-format", help="auto, text or jsonl."),
    noisy_share: float = typer.Option(0.3, "--noisy-share", min=0.0, max=1.0, help="A rule firing on at least this share of documents is listed as noisy."),
    near_dup: float = typer.Option(90.0, "--near-dup", min=50.0, max=100.0, help="rapidfuzz ratio from which two keywords count as near-duplicates."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    max_tags: Optional[int] = MaxOpt,
    no_builtin: bool = NoBuiltinOpt,
    recursive: bool = RecursiveOpt,
    id_from: str = IdFromOpt,
):
    """Audit a corpus: tag distribution, silent and noisy rules, keyword clashes; with --gold, P/R/F1 and blame."""
    from ..reports.audit import audit as run_audit, html_report, json_data, text_blocks
    from ..reports.evaluate import GoldError

    if format_ not in ("table", "json", "html"):
        fail(f"--format must be table, json or html, not {format_!r}")
    from .run import input_options_error

    bad = input_options_error(input_format, id_from)
    if bad:
        fail(bad)
    tagger = load_tagger(rules, tags, max_tags, not no_builtin)
    try:
        data = run_audit(tagger, paths, gold, input_format, noisy_share, near_dup,
                         on_error=lambda m: typer.echo(f"repotag: {m}", err=True),
                         recursive=recursive, id_from=id_from)
    except GoldError as exc:
        fail(str(exc))
    if format_ == "json":
        write_out(json.dumps(json_data(data), ensure_ascii=False, indent=1) + "\n", out)
    elif format_ == "html":
        write_out(html_report(data, tagger.tags), out)
    else:
        write_blocks(text_blocks(data, tagger.tags), out)
    raise typer.Exit(1 if data["failed"] or data.get("no_readme") else 0)


def main():
    """Typer for every command (engine.batch.main sends `repotag tag` here
    only when its fast path cannot parse the arguments)."""
    app()


@app.command()
def serve(
    corpus: Optional[List[str]] = typer.Option(None, "--corpus", help="READMEs to compare over: a directory, files or a JSONL corpus (as for `tag`); repeatable."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold JSONL (as for `eval`): P/R/F1 and what an edit fixes or breaks; its READMEs are the corpus when --corpus is absent."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; the default keeps the workbench local to this machine."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes that tag the corpus again after an edit (1: in the server; more pays off with more cores than 2)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in a browser."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    max_tags: Optional[int] = MaxOpt,
    no_builtin: bool = NoBuiltinOpt,
):
    """The rule workbench in the browser: a README's evidence, rule files edited live, the corpus diff of an edit."""
    from .serve.command import MISSING, have_web_stack, make_workbench, serve as run_server

    if not have_web_stack():
        fail(MISSING)
    from ..packs.model import RuleLoadError
    from ..packs.taglist import TagListError
    from ..reports.evaluate import GoldError

    try:
        wb = make_workbench(rules, tags, not no_builtin, corpus, gold, max_tags)
        base = wb.load({})  # the saved rules must load before anything is served
    except RuleLoadError as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        fail(f"cannot load rules: {len(exc.problems)} problem(s)")
    except (TagListError, GoldError) as exc:
        fail(str(exc))
    if base.tagger is None:
        for p in base.problems:
            typer.echo(str(p), err=True)
        fail(f"cannot load rules: {len(base.problems)} problem(s)")
    try:
        run_server(wb, host, port, open_browser, jobs)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
