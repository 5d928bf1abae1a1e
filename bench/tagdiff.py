"""Check that an optimisation changed no result: save every document's tags,
scores and evidence, then compare a later run against the saved file; or
compare the two Markdown parsers on the same documents in one run.

    python bench/tagdiff.py save FILE [--corpus DIR]... [--parser auto|python|rust] [--rules DIR] [--no-builtin]
    python bench/tagdiff.py check FILE [same options]     # exit 1 and a diff on any change
    python bench/tagdiff.py compare [--corpus DIR]...     # python vs rust parser; exit 1 on any difference

Stricter than comparing `repotag tag` output: evidence (rule, term, scope,
line, contribution) and the ranking must match too, not only the chosen tags.
A file saved with one parser can be checked with the other.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (DEFAULT_CORPUS, add_parser_option, add_rule_options, dumps, load_corpus,  # noqa: E402
                    make_tagger)


def snapshot(tagger, docs) -> list[dict]:
    out = []
    for id_, text in docs:
        r = tagger.tag(text)
        out.append({
            "id": id_, "tags": r.tags,
            "scores": {str(k): round(v, 9) for k, v in sorted(r.scores.items())},
            "ranking": [[s.tag, s.status, round(s.adjusted, 9)] for s in r.ranking],
            "evidence": sorted([e.rule_id, e.kind, e.term, e.matched, e.scope, e.section, e.line,
                                e.segment, e.start, e.end, round(e.contribution, 9), e.cancelled_by or ""]
                               for e in r.evidence),
        })
    return out


def report(saved: list[dict], now: list[dict], names=("saved", "now")) -> int:
    """Print the differences; the exit status (1 if any)."""
    diffs = [(a, b) for a, b in zip(saved, now) if a != b]
    if len(saved) != len(now):
        print(f"{len(saved)} documents {names[0]}, {len(now)} {names[1]}")
    width = max(len(n) for n in names) + 1
    for a, b in diffs[:20]:
        for key in a:
            if a[key] != b.get(key):
                print(f"{a['id']}: {key} differs\n  {names[0] + ':':{width}} {dumps(a[key])[:400]}"
                      f"\n  {names[1] + ':':{width}} {dumps(b.get(key))[:400]}")
    tags_changed = sum(1 for a, b in zip(saved, now) if a["tags"] != b["tags"])
    print(f"{len(now)} documents: {len(diffs)} differ ({tags_changed} in tags)")
    return 1 if diffs or len(saved) != len(now) else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("save", "check", "compare"))
    ap.add_argument("file", type=Path, nargs="?", help="the snapshot (save and check)")
    ap.add_argument("--corpus", type=Path, action="append",
                    help=f"directory of READMEs or JSONL (repeatable; default: {DEFAULT_CORPUS})")
    add_parser_option(ap)
    add_rule_options(ap)
    args = ap.parse_args()
    if (args.file is None) != (args.action == "compare"):
        ap.error("save and check take a FILE, compare takes none")
    docs = [d for c in args.corpus or [DEFAULT_CORPUS] for d in load_corpus(c)]
    if args.action == "compare":
        from engine.document import rust_blocks

        py = snapshot(make_tagger(args, parser="python"), docs)
        rs = snapshot(make_tagger(args, parser="rust"), docs)
        handed_back = sum(rust_blocks.fallbacks.values())
        print(f"rust path: {len(docs) - handed_back} documents read by markdown-it-pyrs, {handed_back} handed back "
              f"to markdown-it-py {dumps(rust_blocks.fallbacks) if handed_back else ''}")
        sys.exit(report(py, rs, ("python", "rust")))
    tagger = make_tagger(args)
    now = snapshot(tagger, docs)
    if args.action == "save":
        args.file.write_text("".join(dumps(r) + "\n" for r in now), encoding="utf-8")
        print(f"{args.file}: {len(now)} documents saved (parser: {tagger.parser})")
        return
    saved = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()]
    print(f"parser: {tagger.parser}")
    sys.exit(report(saved, now))


if __name__ == "__main__":
    main()
