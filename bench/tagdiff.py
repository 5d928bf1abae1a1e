"""Check that an optimisation changed no result: save every document's tags,
scores and evidence, then compare a later run against the saved file.

    python bench/tagdiff.py save FILE [--corpus DIR] [--rules DIR] [--no-builtin]
    python bench/tagdiff.py check FILE [same options]     # exit 1 and a diff on any change

Stricter than comparing `repotag tag` output: evidence (rule, term, scope,
line, contribution) and the ranking must match too, not only the chosen tags.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_CORPUS, add_rule_options, dumps, load_corpus, make_tagger  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("save", "check"))
    ap.add_argument("file", type=Path)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    add_rule_options(ap)
    args = ap.parse_args()
    now = snapshot(make_tagger(args), load_corpus(args.corpus))
    if args.action == "save":
        args.file.write_text("".join(dumps(r) + "\n" for r in now), encoding="utf-8")
        print(f"{args.file}: {len(now)} documents saved")
        return
    saved = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()]
    diffs = [(a, b) for a, b in zip(saved, now) if a != b]
    if len(saved) != len(now):
        print(f"{len(saved)} documents saved, {len(now)} now")
    for a, b in diffs[:20]:
        for key in a:
            if a[key] != b.get(key):
                print(f"{a['id']}: {key} differs\n  saved: {dumps(a[key])[:400]}\n  now:   {dumps(b.get(key))[:400]}")
    tags_changed = sum(1 for a, b in zip(saved, now) if a["tags"] != b["tags"])
    print(f"{len(now)} documents: {len(diffs)} differ ({tags_changed} in tags)")
    sys.exit(1 if diffs or len(saved) != len(now) else 0)


if __name__ == "__main__":
    main()
