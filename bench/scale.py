"""`repotag tag --jobs N` on a large JSONL: wall time, docs/s and peak memory.

    python bench/scale.py [--lines 100000] [--jobs 1 2] [--file /tmp/repotag-100k.jsonl] [--rules DIR]

Writes the JSONL once (the dev corpus repeated, ids made unique), then runs
the CLI for each job count. Peak memory is the largest sum of RSS over the
process tree (parent and workers), sampled every 50 ms from /proc; it also
checks that every run's output has one record per line, in input order.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_CORPUS, add_rule_options, cli_rule_args, load_corpus  # noqa: E402


def write_jsonl(path: Path, corpus: Path, n: int) -> None:
    docs = load_corpus(corpus)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            id_, text = docs[i % len(docs)]
            fh.write(json.dumps({"id": f"{i}-{id_}", "text": text}, ensure_ascii=False) + "\n")


def tree_rss(pid: int) -> int:
    """RSS in bytes of pid and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(d))
            rss[int(d)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, ()))
    return total


def run(cmd: list[str], out: Path) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)
    return time.perf_counter() - t0, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--file", type=Path, default=Path("/tmp/repotag-100k.jsonl"))
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    add_rule_options(ap)
    a = ap.parse_args()
    if not a.file.exists() or sum(1 for _ in open(a.file, "rb")) != a.lines:
        write_jsonl(a.file, a.corpus, a.lines)
    mb = a.file.stat().st_size / 1e6
    exe = Path(sys.executable).with_name("repotag")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "engine"]
    ids = [json.loads(line)["id"] for line in open(a.file, encoding="utf-8")]
    first = None
    for jobs in a.jobs:
        out = a.file.with_suffix(f".out-j{jobs}.jsonl")
        secs, peak, rc = run(base + ["tag", *cli_rule_args(a), "--jobs", str(jobs), str(a.file)], out)
        got = [json.loads(line)["id"] for line in open(out, encoding="utf-8")]
        same = first is None or out.read_bytes() == first.read_bytes()
        first = first or out
        print(f"--jobs {jobs}: {secs:7.1f} s  {a.lines / secs:7.1f} docs/s  {mb / secs:5.2f} MB/s  "
              f"peak RSS (tree) {peak / 1e6:6.1f} MB  exit {rc}  order ok: {got == ids}  "
              f"same output as --jobs {a.jobs[0]}: {same}")


if __name__ == "__main__":
    main()
