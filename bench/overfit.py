"""Keywords that look fitted to single READMEs rather than to a domain.

    python bench/overfit.py GOLD.jsonl [GOLD.jsonl ...] [--sources DIR_OR_FILE ...] [--rules DIR] [--changed-since REV]

Rules must describe domains: a keyword that names a project of the labelled
corpus, or that occurs in exactly one labelled README and in none of the
external vocabulary sources (the awesome lists' one-line descriptions, the
github/explore topics), was probably written to fix that README and will not
help on unseen ones. This lists such keywords with the README they fit, for a
person to judge; a word that an external source also uses (a project name that
is also a domain word: "yaml") is not listed, nor are CJK terms, which the
English sources cannot vouch for. With --changed-since, only keywords on lines added since that git
revision are checked (a review of a rule branch).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import ahocorasick

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def norm(text: str) -> str:
    return " " + " ".join(re.sub(r"[-_/]", " ", text.lower()).split()) + " "


def automaton(terms):
    a = ahocorasick.Automaton()
    for t in terms:
        a.add_word(f" {t} ", t)
    a.make_automaton()
    return a


def found_in(a, text: str) -> set[str]:
    return {t for _, t in a.iter(norm(re.sub(r"[^\w\s/-]", " ", text)))}


def source_texts(paths: list[Path]):
    for p in paths:
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.suffix == ".json":
                data = json.loads(f.read_text(encoding="utf-8"))
                for name, topic in (data.get("topics") or {}).items():
                    yield " ".join([name, topic.get("display_name") or "", *(topic.get("aliases") or []),
                                    *(topic.get("related") or [])])
            elif f.suffix == ".md":
                yield f.read_text(encoding="utf-8", errors="replace")


def added_lines(rev: str) -> set[tuple[str, int]]:
    diff = subprocess.run(["git", "diff", "-U0", rev, "--", "rules"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    out, file, line = set(), None, 0
    for l in diff.splitlines():
        if l.startswith("+++ "):
            file = str((ROOT / l[6:]).resolve()) if l[4:] != "/dev/null" else None
        elif l.startswith("@@"):
            line = int(re.search(r"\+(\d+)", l).group(1))
        elif l.startswith("+") and file:
            out.add((file, line))
            line += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="+", type=Path)
    ap.add_argument("--sources", nargs="*", type=Path,
                    default=[DATA / "awesome", DATA / "explore-topics.json"])
    ap.add_argument("--rules", action="append", default=[])
    ap.add_argument("--changed-since", metavar="REV")
    args = ap.parse_args()

    from engine.tagging.tagger import Tagger

    tagger = Tagger.from_paths(args.rules)
    only = added_lines(args.changed_since) if args.changed_since else None
    terms: dict[str, list] = defaultdict(list)
    for r in tagger.ruleset.rules:
        for t in r.keywords:
            key = norm(t.text).strip()
            if key and (only is None or (str(Path(t.loc.file).resolve()), t.loc.line) in only):
                terms[key].append((r.id, t.loc))
    a = automaton(terms)

    docs = []
    for gold in args.gold:
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                docs.append((row, (gold.parent / row["file"]).read_text(encoding="utf-8", errors="replace")))
    names = defaultdict(set)
    for row, _ in docs:
        repo = row.get("repo") or row["id"].replace("__", "/")
        for part in repo.split("/"):
            names[norm(part).strip()].add(row["id"])
    where = defaultdict(set)
    for row, text in docs:
        for t in found_in(a, text):
            where[t].add(row["id"])
    external = set()
    for text in source_texts(args.sources):
        external |= found_in(a, text)

    flagged = []
    for t, uses in sorted(terms.items()):
        if not re.search(r"[a-z]", t):
            continue  # the sources are English: they cannot vouch for a CJK term either way
        if t in names and t not in external:
            flagged.append((t, "names a corpus project", sorted(names[t]), uses))
        elif len(where[t]) == 1 and t not in external:
            flagged.append((t, "only in one labelled README, in no external source", sorted(where[t]), uses))
    for t, why, ids, uses in flagged:
        locs = ", ".join(f"{rid} {loc.file.rsplit('/', 1)[-1]}:{loc.line}" for rid, loc in uses[:3])
        print(f"{t!r}: {why}: {' '.join(ids[:3])}  [{locs}]")
    print(f"{len(flagged)} of {len(terms)} keywords flagged", file=sys.stderr)


if __name__ == "__main__":
    main()
