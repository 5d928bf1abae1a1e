"""`repotag rules ...`: list, lint, test and the JSON Schema of rule files.

Exit status: 0 fine; 1 lint errors or failed examples; 2 usage errors and
rule packs that do not load (each problem printed as file:line:col).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

rules_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                        help="Author rule packs: list, lint and test rules, tune them on gold READMEs, mine keywords, print the schema.")

PathsArg = typer.Argument(None, help="Rule files or pack folders (default: the packs in use).")
RulesOpt = typer.Option(None, "--rules", help="Extra rule pack directory (repeatable; later packs win).")
TagsOpt = typer.Option(None, "--tags", help="Tag list JSON; default: the built-in tags.json.")
NoBuiltinOpt = typer.Option(False, "--no-builtin", help="Do not load the built-in rule pack.")
NoPluginsOpt = typer.Option(False, "--no-plugins", help="Ignore installed plugin packs and REPOTAG_RULES.")
FormatOpt = typer.Option("text", "--format", help="text or json.")

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "rules.schema.json"


def rel(file: str) -> str:
    """A path relative to the working directory when below it, else as is."""
    try:
        short = os.path.relpath(file)
    except ValueError:  # another drive (Windows)
        return file
    return file if short.startswith("..") else short


def show(loc) -> str:
    return f"{rel(loc.file)}:{loc.line}:{loc.col}"


def _fail(message: str, code: int = 2):
    typer.echo(f"repotag: {message}", err=True)
    raise typer.Exit(code)


def _problems(exc) -> None:
    for p in exc.problems:
        typer.echo(f"{show(p.loc)}: {p.code}: {p.message}", err=True)
    _fail(f"cannot load rules: {len(exc.problems)} problem(s)")


def _context(tags, rules, no_builtin, no_plugins, fmt="text"):
    """The tag list and the packs in use, or a clean exit 2."""
    from ..packs.discover import discover
    from ..packs.model import RuleLoadError
    from ..tagging.tagger import load_taglist
    from ..packs.taglist import TagListError

    if fmt not in ("text", "json"):
        _fail(f"--format must be text or json, not {fmt!r}")
    try:
        taglist = load_taglist(tags)
        return taglist, discover(rules or (), not no_builtin, not no_plugins)
    except TagListError as exc:
        _fail(str(exc))
    except RuleLoadError as exc:
        _problems(exc)


def _tag_ids(taglist, refs) -> list[int]:
    """The ids of --tag NAME|ID options, in order; an unknown one is a usage error."""
    ids = []
    for ref in refs or ():
        t = taglist.resolve(ref)
        if t is None:
            _fail(f"--tag {ref!r}: no such tag in {taglist.source}")
        ids.append(t.id)
    return ids


def _emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@rules_app.command("list")
def list_rules(
    tag: Optional[List[str]] = typer.Option(None, "--tag", help="Only rules of this tag (name or id; repeatable)."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
    no_plugins: bool = NoPluginsOpt,
    fmt: str = FormatOpt,
):
    """Every rule (sorted by tag and id): its pack, file:line and what overrides or disables it."""
    from ..packs.model import RuleLoadError
    from ..packs.load import load_packs

    taglist, packs = _context(tags, rules, no_builtin, no_plugins, fmt)
    wanted = set(_tag_ids(taglist, tag))
    try:
        rs = load_packs(packs, taglist)
    except RuleLoadError as exc:
        _problems(exc)
    labels = {str(p.path): p.label for p in packs}
    rows = []
    for r in rs.rules + rs.disabled + rs.dropped:
        if wanted and r.tag not in wanted:
            continue
        disabled = next((c for c in r.changes if c.kind == "disable"), None)
        state = ("disabled" if disabled else "dropped" if r in rs.dropped else
                 "overridden" if r.changes else "active")
        rows.append({
            "id": r.id, "tag": taglist.by_id[r.tag].name.strip() if r.tag in taglist.by_id else None,
            "pack": labels.get(r.pack, r.pack), "where": show(r.loc), "state": state,
            "changes": [{"kind": c.kind, "where": show(c.loc), "pack": labels.get(c.pack, c.pack),
                         "fields": sorted(c.fields)} for c in r.changes],
        })
    rows.sort(key=lambda row: (row["tag"] or "", row["id"]))
    if fmt == "json":
        _emit_json(rows)
        return
    if not rows:
        typer.echo("no rules")
        return
    w_id = max(len(r["id"]) for r in rows)
    w_tag = max(len(r["tag"] or "-") for r in rows)
    w_pack = max(len(r["pack"]) for r in rows)
    for row in rows:
        notes = "; ".join(
            f"{c['kind']}{' ' + ','.join(c['fields']) if c['fields'] else ''} by {c['pack']} at {c['where']}"
            for c in row["changes"])
        if row["state"] == "dropped":
            notes = notes or "tag not in the tag list in use"
        typer.echo(f"{row['id']:<{w_id}}  {row['tag'] or '-':<{w_tag}}  {row['pack']:<{w_pack}}  "
                   f"{row['where']}  {row['state']}{': ' + notes if notes else ''}".rstrip())


@rules_app.command()
def lint(
    paths: Optional[List[Path]] = PathsArg,
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
    no_plugins: bool = NoPluginsOpt,
    fmt: str = FormatOpt,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
):
    """Check rule files: `file:line:col: code: message`; exit 1 on any error."""
    from ..packs.lint import lint as run_lint
    from ..packs.model import RuleLoadError

    taglist, packs = _context(tags, rules, no_builtin, no_plugins, fmt)
    try:
        findings = run_lint(paths or [], packs, taglist)
    except RuleLoadError as exc:
        _problems(exc)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if fmt == "json":
        _emit_json({"errors": errors, "warnings": warnings,
                    "problems": [dict(f.as_dict(), file=rel(f.problem.loc.file)) for f in findings]})
    else:
        for f in findings:
            tail = " [warning]" if f.severity == "warning" else ""
            typer.echo(f"{show(f.problem.loc)}: {f.problem.code}: {f.problem.message}{tail}")
        typer.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    raise typer.Exit(1 if errors or (strict and warnings) else 0)


@rules_app.command("test")
def test_examples(
    paths: Optional[List[Path]] = PathsArg,
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
    no_plugins: bool = NoPluginsOpt,
):
    """Run the `examples:` of rule files against the packs in use; exit 1 if any fails."""
    from ..packs.discover import in_paths, packs_for_paths
    from ..packs.model import RuleLoadError
    from ..packs.load import load_packs
    from ..reports.ruletest import describe, run_examples
    from ..tagging.tagger import Tagger

    taglist, packs = _context(tags, rules, no_builtin, no_plugins)
    try:
        packs, only = packs_for_paths(paths or [], packs)
        tagger = Tagger(load_packs(packs, taglist))
    except RuleLoadError as exc:
        _problems(exc)
    examples = [e for e in tagger.ruleset.examples if in_paths(e.loc.file, only)]
    results = run_examples(tagger, examples)
    failed = [r for r in results if not r.ok]
    for r in failed:
        typer.echo(describe(r, tagger, show))
    typer.echo(f"{len(results)} example(s), {len(failed)} failed", err=True)
    if not results:
        typer.echo("repotag: warning: no examples found", err=True)
    raise typer.Exit(1 if failed else 0)


@rules_app.command()
def tune(
    gold: Path = typer.Argument(..., help="Gold JSONL: {\"id\":..,\"file\": path relative to this file, \"tags\":[..]} per line."),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    out: Optional[Path] = typer.Option(None, "--out", help="Overlay to write (default: tuned.yml in the built-in pack)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures and changes as JSON."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the table of changes; write nothing."),
    force: bool = typer.Option(False, "--force", help="Write the overlay even if the held-back folds do not improve."),
    seed: int = typer.Option(0, "--seed", help="Seed of the fold split and of the order rules are visited in."),
    max_factor: float = typer.Option(2.0, "--max-factor", min=1.0, max=10.0, help="Multipliers stay within [1/F, F]."),
    min_docs: int = typer.Option(3, "--min-docs", min=1, help="Tune a rule only if it fired in this many training READMEs."),
    penalty: float = typer.Option(0.002, "--penalty", min=0.0, help="F1 a change must gain per unit of |ln(value / hand-written)|."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
    no_plugins: bool = NoPluginsOpt,
):
    """Fit rule multipliers and scoring settings on gold READMEs, K-fold cross-validated; write a tuned overlay."""
    from ..packs.model import RuleLoadError, builtin_dir
    from ..packs.read import load_packs_uncached
    from ..reports.evaluate import GoldError
    from ..reports.overlay import OverlayError, check_writable, render, settings_sources, write
    from ..reports.render import print_blocks, progress
    from ..reports.rescore import Corpus
    from ..reports.tune import tune as run_tune
    from ..reports.tune_report import json_data, text_blocks
    from ..tagging.tagger import Tagger

    taglist, packs = _context(tags, rules, no_builtin, no_plugins)
    out = out or builtin_dir() / "tuned.yml"
    if not dry_run:
        try:
            check_writable(out)
        except OverlayError as exc:
            _fail(str(exc))
    try:
        # The fit starts from the hand-written values: the overlay it replaces is not loaded.
        tagger = Tagger(load_packs_uncached(packs, taglist, skip=frozenset({out.resolve()})))
    except RuleLoadError as exc:
        _problems(exc)
    try:
        corpus = Corpus.from_gold(tagger, gold, on_error=lambda m: typer.echo(f"repotag: {m}", err=True))
    except GoldError as exc:
        _fail(str(exc))
    n = len(corpus.cases)
    if n < folds:
        _fail(f"{gold}: {n} README(s) cannot be split into {folds} folds")
    odd = corpus.mismatches()
    if odd:
        typer.echo(f"repotag: warning: re-scoring differs from the Tagger on {len(odd)} README(s) "
                   f"({', '.join(odd[:3])}...): tune's figures are approximate", err=True)
    with progress("tuning", folds + 1) as advance:
        result = run_tune(corpus, folds, seed, max_factor, min_docs, penalty, progress=advance)
    written = None
    if not dry_run and (result.improves or force):
        text = render(result, gold, out, tagger.rules, settings_sources(packs, out))
        try:
            write(text, out)
        except OverlayError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{out}: cannot write: {exc.strerror or exc}")
        written = rel(str(out))
    if as_json:
        _emit_json(json_data(result, written))
    else:
        print_blocks(text_blocks(result, written, dry_run))
        if not dry_run and not written:
            typer.echo(f"held-back folds do not improve: {rel(str(out))} not written (--force writes it anyway)"
                       + (f"; the existing {rel(str(out))} is an earlier fit" if out.exists() else ""))
    if failed := len(result.failed):
        typer.echo(f"repotag: {failed} gold README(s) could not be read or tagged (counted untagged)", err=True)
    raise typer.Exit(1 if result.failed else 0)


@rules_app.command()
def suggest(
    gold: Path = typer.Argument(..., help="Gold JSONL: {\"id\":..,\"file\": path relative to this file, \"tags\":[..]} per line."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", help="Mine for this tag (name or id; repeatable). Default: the weakest tags."),
    top: int = typer.Option(10, "--top", min=1, help="At most this many keywords and this many negatives per tag."),
    weakest: int = typer.Option(5, "--weakest", min=1, help="Without --tag: this many tags, worst F1 first."),
    min_docs: int = typer.Option(2, "--min-docs", min=1, help="A phrase must occur in this many READMEs of the tag (or of its false positives)."),
    fmt: str = typer.Option("yaml", "--format", help="yaml (a snippet to paste) or json."),
    tags: Optional[Path] = TagsOpt,
    rules: Optional[List[Path]] = RulesOpt,
    no_builtin: bool = NoBuiltinOpt,
    no_plugins: bool = NoPluginsOpt,
):
    """Mine candidate keywords and negatives for tags from gold READMEs; print a YAML snippet (never edits rules)."""
    from ..packs.model import RuleLoadError
    from ..packs.load import load_packs
    from ..reports.evaluate import GoldError
    from ..reports.suggest import json_data, read_docs, suggest as run_suggest, weak_tags, yaml_snippet
    from ..tagging.tagger import Tagger

    if fmt not in ("yaml", "json"):
        _fail(f"--format must be yaml or json, not {fmt!r}")
    taglist, packs = _context(tags, rules, no_builtin, no_plugins)
    try:
        tagger = Tagger(load_packs(packs, taglist))
    except RuleLoadError as exc:
        _problems(exc)
    wanted = _tag_ids(taglist, tag)
    try:
        docs = read_docs(tagger, gold, on_error=lambda m: typer.echo(f"repotag: {m}", err=True))
    except GoldError as exc:
        _fail(str(exc))
    chosen = list(dict.fromkeys(wanted)) or weak_tags(docs, weakest)
    found = run_suggest(tagger, docs, chosen, top, min_docs)
    if fmt == "json":
        _emit_json(json_data(found))
    else:
        typer.echo("\n".join(yaml_snippet(s, gold.name, rel) for s in found), nl=False)
    failed = sum(1 for d in docs if d.error)
    if failed:
        typer.echo(f"repotag: {failed} gold README(s) could not be read or tagged (counted untagged)", err=True)
    raise typer.Exit(1 if failed else 0)


@rules_app.command()
def schema():
    """Print the JSON Schema of rule files (for yaml-language-server and other editors)."""
    sys.stdout.write(SCHEMA_FILE.read_text(encoding="utf-8"))
