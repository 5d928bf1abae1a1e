"""repotag benchmark: parse-only vs end-to-end, throughput, memory, cold start.

    python bench/bench.py [--corpus DIR|FILE.jsonl] [--docs 3000] [--repeat 5]
                          [--extra-keywords 10000] [--cold-runs 7] [--rules DIR] [--json]

One run measures, on the same documents (the corpus repeated to --docs):
  - markdown-it-py alone parsing every document (the floor repotag is held to);
  - markdown-it-py's block pass alone, which is what repotag runs of it (its
    inline pass is replaced by engine/document/inline.py);
  - repotag end to end in-process: Tagger.tag() = parse + match + score + cut;
  - documents/s, MB/s (UTF-8), the ratio end-to-end / parse-only;
  - peak memory of an end-to-end pass (tracemalloc) and the process's max RSS;
  - with --extra-keywords N, throughput again with a generated pack of N more
    keywords loaded (bench/gen_pack.py), and the cost in per cent;
  - cold start of `repotag tag README` (process start to exit), median of --cold-runs.
Each timing is the best of --repeat passes, parse-only and end-to-end interleaved,
so both see the same machine state. Single process, single core. Throughput is
computed from the process's CPU time (time.process_time), which other load on
a shared machine does not inflate; wall-clock times are printed beside it.
--src DIR measures another source tree (e.g. `git archive` of an older commit)
with the same script, for before/after figures.
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_CORPUS, ROOT, add_rule_options, cli_rule_args, dumps, load_corpus, make_tagger  # noqa: E402


def corpus_docs(path: Path, n: int) -> list[str]:
    base = [t for _, t in load_corpus(path)]
    return (base * (n // len(base) + 1))[:max(n, len(base))]


def best_of(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def interleaved(fns: dict, repeat: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """(CPU seconds, wall seconds) of each function, per pass."""
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    wall: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            cpu[k].append(time.process_time() - c0)
            wall[k].append(time.perf_counter() - t0)
    return cpu, wall


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed_runs(cmd: list[str], runs: int, src: Path) -> tuple[float, float]:
    """Median wall and median CPU (user+sys) seconds of `runs` runs, after one warm-up."""
    env = dict(os.environ, PYTHONPATH=str(src))
    walls, cpus = [], []
    for i in range(runs + 1):  # the first run warms the OS file cache and any rule cache
        c0, t0 = _child_cpu(), time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, cwd=src, env=env)
        if i:
            walls.append(time.perf_counter() - t0)
            cpus.append(_child_cpu() - c0)
        if p.returncode not in (0, 1):
            sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr.decode(errors='replace')}")
    return statistics.median(walls), statistics.median(cpus)


def cold_start(readme: Path, runs: int, rule_args: list[str], src: Path) -> dict:
    # `python -m engine` is what the `repotag` script runs, and works for --src trees.
    wall, cpu = _timed_runs([sys.executable, "-m", "engine", "tag", *rule_args, str(readme.resolve())], runs, src)
    bare_wall, bare_cpu = _timed_runs([sys.executable, "-c", "pass"], runs, src)
    return {"cold_start_s": round(wall, 3), "cold_start_cpu_s": round(cpu, 3),
            "python_bare_start_s": round(bare_wall, 3), "python_bare_cpu_s": round(bare_cpu, 3)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory of READMEs or JSONL (default: %(default)s)")
    ap.add_argument("--docs", type=int, default=3000, help="repeat the corpus to this many documents (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=5, help="timed passes; the best counts (default: %(default)s)")
    ap.add_argument("--extra-keywords", type=int, default=10000, help="size of the generated extra pack; 0 skips (default: %(default)s)")
    ap.add_argument("--cold-runs", type=int, default=7, help="runs of the cold-start command; 0 skips (default: %(default)s)")
    ap.add_argument("--readme", type=Path, default=ROOT / "README.md", help="README for the cold start (default: the project's)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--src", type=Path, default=ROOT, help="source tree whose engine/ is measured (default: this one)")
    add_rule_options(ap)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.src.resolve()))

    docs = corpus_docs(args.corpus, args.docs)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")  # the engine's parser settings
    t0 = time.perf_counter()
    tagger = make_tagger(args)
    load_s = time.perf_counter() - t0
    tagger.tag(docs[0])  # build the lazy automaton outside the timed passes

    def parse_only():
        for d in docs:
            md.parse(d)

    # What repotag itself runs of markdown-it-py: the block pass (inline
    # content is read by engine/document/inline.py), on the text unglue() prepared.
    from engine.document import markdown as document

    def blocks_only(bmd=document._markdown()):
        for d in docs:
            bmd.parse(document.unglue(document.normalize_newlines(d))[0], {})

    def end_to_end(tg=tagger):
        for d in docs:
            tg.tag(d)

    fns = {"parse": parse_only, "blocks": blocks_only, "e2e": end_to_end}
    extra_dir = None
    if args.extra_keywords:
        from gen_pack import write_pack

        extra_dir = Path(tempfile.mkdtemp(prefix="repotag-bench-pack-"))
        write_pack(extra_dir, args.extra_keywords)
        tagger_x = make_tagger(args, [extra_dir])
        tagger_x.tag(docs[0])
        fns["e2e_extra"] = lambda: end_to_end(tagger_x)
    times, walls = interleaved(fns, args.repeat)
    best = {k: min(v) for k, v in times.items()}

    gc.collect()
    tracemalloc.start()
    for d in docs:
        tagger.tag(d)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    fig = {
        "corpus": str(args.corpus), "docs": len(docs), "mb": round(mb, 3), "repeat": args.repeat,
        "rules": len(tagger.rules), "rule_load_s": round(load_s, 3),
        "parse_s": round(best["parse"], 3), "e2e_s": round(best["e2e"], 3),
        "parse_docs_s": round(len(docs) / best["parse"], 1), "e2e_docs_s": round(len(docs) / best["e2e"], 1),
        "parse_mb_s": round(mb / best["parse"], 2), "e2e_mb_s": round(mb / best["e2e"], 2),
        "ratio": round(best["e2e"] / best["parse"], 3),
        "blocks_s": round(best["blocks"], 3), "blocks_docs_s": round(len(docs) / best["blocks"], 1),
        "parse_wall_s": round(min(walls["parse"]), 3), "e2e_wall_s": round(min(walls["e2e"]), 3),
        "peak_traced_mb": round(traced_peak / 1e6, 1), "max_rss_mb": round(maxrss_mb, 1),
    }
    if extra_dir is not None:
        fig["extra_keywords"] = args.extra_keywords
        fig["e2e_extra_s"] = round(best["e2e_extra"], 3)
        fig["e2e_extra_docs_s"] = round(len(docs) / best["e2e_extra"], 1)
        fig["extra_cost_pct"] = round(100 * (best["e2e_extra"] / best["e2e"] - 1), 1)
    if args.cold_runs:
        fig.update(cold_start(args.readme, args.cold_runs, cli_rule_args(args), args.src.resolve()))

    if args.json:
        print(dumps(fig))
        return
    print(f"corpus            {fig['corpus']}: {fig['docs']} docs, {fig['mb']} MB, best of {args.repeat}")
    print(f"rules             {fig['rules']} (loaded in {fig['rule_load_s']} s)")
    print(f"parse-only        {fig['parse_s']:8.3f} s CPU  {fig['parse_docs_s']:9.1f} docs/s  {fig['parse_mb_s']:7.2f} MB/s"
          f"  (wall {fig['parse_wall_s']} s)")
    print(f"end-to-end        {fig['e2e_s']:8.3f} s CPU  {fig['e2e_docs_s']:9.1f} docs/s  {fig['e2e_mb_s']:7.2f} MB/s"
          f"  (wall {fig['e2e_wall_s']} s)")
    print(f"ratio e2e/parse   {fig['ratio']:.3f}")
    print(f"  (markdown-it-py block pass alone, as repotag runs it: {fig['blocks_s']:.3f} s CPU, "
          f"{fig['blocks_docs_s']:.1f} docs/s)")
    if extra_dir is not None:
        print(f"+{args.extra_keywords} keywords  {fig['e2e_extra_s']:8.3f} s  {fig['e2e_extra_docs_s']:9.1f} docs/s  "
              f"cost {fig['extra_cost_pct']:+.1f} %")
    print(f"peak memory       {fig['peak_traced_mb']} MB traced (one e2e pass), {fig['max_rss_mb']} MB max RSS")
    if args.cold_runs:
        print(f"cold start        {fig['cold_start_s']:.3f} s wall, {fig['cold_start_cpu_s']:.3f} s CPU, median of "
              f"{args.cold_runs} (`repotag tag {args.readme.name}`; bare python: {fig['python_bare_start_s']:.3f} s wall, "
              f"{fig['python_bare_cpu_s']:.3f} s CPU)")


if __name__ == "__main__":
    main()
