"""What one rule edit costs in `repotag serve`, in CPU seconds.

    python bench/serve.py [--gold GOLD.jsonl] [--file tags/blog.yml] [--edits 5] [--jobs 1]

Builds the workbench on a gold file (the corpus view's READMEs), then makes
EDITS distinct edits of one rule file (a new keyword each time) and times
what the page asks for after each: load and lint the file, explain one
README, tag the whole corpus again and diff it against the saved rules.
CPU time (time.process_time), so a busy machine does not distort it; the
first corpus run, which parses every README once, is reported apart. With
--jobs N the corpus is tagged by N forked workers: their CPU is not this
process's, so that row is wall time too (meaningful on an idle machine only).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT  # noqa: E402

DEFAULT_GOLD = ROOT.parent / "split" / "rules.jsonl"
if not DEFAULT_GOLD.is_file():
    DEFAULT_GOLD = Path("/work/split/rules.jsonl")


def workers_cpu(wb) -> float:
    """CPU seconds used so far by the --jobs workers (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for proc in getattr(wb.pool, "_pool", None) or ():
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


def cpu(fn):
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--file", default="tags/blog.yml", help="rule file of the built-in pack to edit")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()

    from engine.cli.serve.command import make_workbench

    wb = make_workbench(gold=args.gold)
    key = f"0/{args.file}"
    text = wb.open_file(key)["text"]
    first_id = wb.corpus.items[0].id
    wb.start_jobs(args.jobs)
    t_first, _ = cpu(lambda: wb.evaluate({}))
    print(f"{len(wb.corpus.items)} READMEs; first run (saved rules): {t_first:.2f} s CPU")
    rows = {"load + lint": [], "explain one README": [], "tag + diff corpus": [], "total": [],
            "workers CPU (sum)": [], "corpus wall": []}
    for i in range(args.edits):
        edited = text.rstrip("\n") + f"\n# bench edit {i}\n"
        # An edit that changes rules, not just a comment: a new rule with one keyword.
        edited = edited.replace("\nrules:\n", f"\nrules:\n  - id: bench/edit-{i}\n    keywords: [benchword{i}]\n", 1)
        t_lint, lint = cpu(lambda: wb.lint(key, edited))
        if not lint["pack"]["loaded"]:
            sys.exit(f"bench: the edited pack does not load: {lint['other_problems'] or lint['problems']}")
        t_explain, _ = cpu(lambda: wb.explain({"id": first_id, "edits": {key: edited}}))
        w0 = workers_cpu(wb)
        t_eval, ev = cpu(lambda: wb.evaluate({"edits": {key: edited}}))
        t_workers = workers_cpu(wb) - w0
        for name, t in zip(rows, (t_lint, t_explain, t_eval, t_lint + t_explain + t_eval + t_workers, t_workers,
                                  ev["wall_seconds"])):
            rows[name].append(t)
    print(f"per edit of {args.file} (median of {args.edits}, CPU seconds; jobs {wb.jobs}):")
    for name, ts in rows.items():
        print(f"  {name:<20} {statistics.median(ts):6.3f}")
    wb.close()


if __name__ == "__main__":
    main()
