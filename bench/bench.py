"""repotag benchmark: parse-only vs end-to-end, both Markdown parsers side by
side, throughput, memory, cold start.

    python bench/bench.py [--corpus DIR|FILE.jsonl] [--docs 3000] [--repeat 5] [--before DIR]
                          [--extra-keywords 10000] [--cold-runs 7] [--rules DIR] [--json]

One run measures, on the same documents (the corpus repeated to --docs):
  - markdown-it-py alone parsing every document (the floor repotag was held to);
  - the block pass alone as repotag runs it, with each parser: markdown-it-py
    (inline pass off: inline content is read by engine/document/inline.py)
    and markdown-it-pyrs (engine/document/rust_blocks.py, when installed);
  - repotag end to end in-process, Tagger.tag() = parse + match + score + cut,
    with each parser (e2e_python, e2e_rust);
  - with --before DIR, end to end with the engine/ of another source tree (a
    checkout of an older commit), loaded beside this one: before/after in the
    same passes, so both see the same machine;
  - documents/s, MB/s (UTF-8), the ratio end-to-end / parse-only;
  - peak memory of an end-to-end pass (tracemalloc) and the process's max RSS;
  - with --extra-keywords N, throughput again with a generated pack of N more
    keywords loaded (bench/gen_pack.py), and the cost in per cent;
  - cold start of `repotag tag README` (process start to exit), median of --cold-runs.
Each timing is the best of --repeat passes, all variants interleaved, so they
see the same machine state. Single process, single core. Throughput is
computed from the process's CPU time (time.process_time), which other load on
a shared machine does not inflate; wall-clock times are printed beside it.
--src DIR measures another source tree (e.g. `git archive` of an older commit)
with the same script; --before puts one beside this one in the same run.
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


def load_before(src: Path, rules=(), builtin: bool = True):
    """The default Tagger of another source tree's engine/, imported as the
    package `engine_before` beside this one (engine/ imports itself only
    relatively). Its rule cache is bypassed: pickles name `engine` classes."""
    import importlib.util

    init = src / "engine" / "__init__.py"
    if not init.is_file():
        sys.exit(f"bench: {src} holds no engine/")
    spec = importlib.util.spec_from_file_location("engine_before", init,
                                                  submodule_search_locations=[str(init.parent)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["engine_before"] = mod
    spec.loader.exec_module(mod)
    old = os.environ.get("REPOTAG_NO_CACHE")
    os.environ["REPOTAG_NO_CACHE"] = "1"
    try:
        from engine_before.tagging.tagger import Tagger as Before  # noqa: F401 (tree with engine/tagging)
    except ImportError:
        Before = mod.Tagger
    try:
        return Before.from_paths(rules, builtin=builtin)
    finally:
        if old is None:
            os.environ.pop("REPOTAG_NO_CACHE")
        else:
            os.environ["REPOTAG_NO_CACHE"] = old


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
    ap.add_argument("--before", type=Path, help="another source tree, measured end to end in the same passes")
    add_rule_options(ap)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.src.resolve()))

    docs = corpus_docs(args.corpus, args.docs)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    from markdown_it import MarkdownIt

    from engine.document import markdown as document

    try:
        from engine.document import rust_blocks
    except ImportError:  # a --src tree from before the fast path
        rust_blocks = None
    md = MarkdownIt("commonmark", {"html": True}).enable("table")  # the engine's parser settings
    parsers = ["python"] + (["rust"] if rust_blocks is not None and rust_blocks.available() else [])
    t0 = time.perf_counter()
    taggers = {p: make_tagger(args, parser=p) for p in parsers}
    load_s = (time.perf_counter() - t0) / len(parsers)
    for tg in taggers.values():
        tg.tag(docs[0])  # build the lazy automaton outside the timed passes

    def parse_only():
        for d in docs:
            md.parse(d)

    # What repotag itself runs of each parser: the block pass, on the text
    # unglue() prepared (inline content is read by engine/document/inline.py).
    prepared = [document.unglue(document.normalize_newlines(d))[0] for d in docs]
    block_pass = {"python": getattr(document, "python_blocks", lambda src, env: document._markdown().parse(src, env)),
                  "rust": rust_blocks and rust_blocks.parse}

    def blocks_only(parser):
        fn = block_pass[parser]
        for src in prepared:
            fn(src, {})

    def end_to_end(tg):
        for d in docs:
            tg.tag(d)

    fns = {"parse": parse_only}
    for p in parsers:
        fns[f"blocks_{p}"] = lambda p=p: blocks_only(p)
        fns[f"e2e_{p}"] = lambda p=p: end_to_end(taggers[p])
    if args.before:
        before = load_before(args.before.resolve(), args.rules, not args.no_builtin)
        before.tag(docs[0])
        fns["e2e_before"] = lambda: end_to_end(before)
    fast = parsers[-1]
    extra_dir = None
    if args.extra_keywords:
        from gen_pack import write_pack

        extra_dir = Path(tempfile.mkdtemp(prefix="repotag-bench-pack-"))
        write_pack(extra_dir, args.extra_keywords)
        tagger_x = make_tagger(args, [extra_dir], parser=fast)
        tagger_x.tag(docs[0])
        fns["e2e_extra"] = lambda: end_to_end(tagger_x)
    times, walls = interleaved(fns, args.repeat)
    best = {k: min(v) for k, v in times.items()}

    gc.collect()
    tracemalloc.start()
    end_to_end(taggers[fast])
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    fig = {
        "corpus": str(args.corpus), "docs": len(docs), "mb": round(mb, 3), "repeat": args.repeat,
        "rules": len(taggers[fast].rules), "rule_load_s": round(load_s, 3), "parsers": parsers,
        "parse_s": round(best["parse"], 3), "parse_docs_s": round(len(docs) / best["parse"], 1),
        "parse_mb_s": round(mb / best["parse"], 2), "parse_wall_s": round(min(walls["parse"]), 3),
    }
    for k in [k for k in fns if k.startswith(("blocks_", "e2e_")) and k != "e2e_extra"]:
        fig[f"{k}_s"] = round(best[k], 3)
        fig[f"{k}_docs_s"] = round(len(docs) / best[k], 1)
        fig[f"{k}_wall_s"] = round(min(walls[k]), 3)
        if k.startswith("e2e_"):
            fig[f"{k}_mb_s"] = round(mb / best[k], 2)
            fig[f"{k}_ratio"] = round(best[k] / best["parse"], 3)
    # The keys earlier versions printed: end to end as `repotag tag` runs by default.
    fig.update({"e2e_s": fig[f"e2e_{fast}_s"], "e2e_docs_s": fig[f"e2e_{fast}_docs_s"],
                "e2e_mb_s": fig[f"e2e_{fast}_mb_s"], "ratio": fig[f"e2e_{fast}_ratio"],
                "peak_traced_mb": round(traced_peak / 1e6, 1), "max_rss_mb": round(maxrss_mb, 1)})
    if extra_dir is not None:
        fig["extra_keywords"] = args.extra_keywords
        fig["e2e_extra_s"] = round(best["e2e_extra"], 3)
        fig["e2e_extra_docs_s"] = round(len(docs) / best["e2e_extra"], 1)
        fig["extra_cost_pct"] = round(100 * (best["e2e_extra"] / best[f"e2e_{fast}"] - 1), 1)
    if args.cold_runs:
        fig.update(cold_start(args.readme, args.cold_runs, cli_rule_args(args), args.src.resolve()))

    if args.json:
        print(dumps(fig))
        return
    print(f"corpus            {fig['corpus']}: {fig['docs']} docs, {fig['mb']} MB, best of {args.repeat}")
    print(f"rules             {fig['rules']} (loaded in {fig['rule_load_s']} s)")
    print(f"{'':17} {'CPU s':>8} {'docs/s':>9} {'MB/s':>7} {'e2e/parse':>9}  wall s")
    print(f"{'markdown-it-py':17} {fig['parse_s']:8.3f} {fig['parse_docs_s']:9.1f} {fig['parse_mb_s']:7.2f} "
          f"{'':9}  {fig['parse_wall_s']}")
    rows = [(f"blocks_{p}", f"block pass {p}") for p in parsers] + [("e2e_before", "e2e before")] \
        + [(f"e2e_{p}", f"e2e {p}") for p in parsers]
    for key, label in rows:
        if f"{key}_s" not in fig:
            continue
        ratio = f"{fig[key + '_ratio']:9.3f}" if key + "_ratio" in fig else " " * 9
        mbs = f"{fig[key + '_mb_s']:7.2f}" if key + "_mb_s" in fig else " " * 7
        print(f"{label:17} {fig[key + '_s']:8.3f} {fig[key + '_docs_s']:9.1f} {mbs} {ratio}  {fig[key + '_wall_s']}")
    if extra_dir is not None:
        print(f"+{args.extra_keywords} keywords  {fig['e2e_extra_s']:8.3f} s  {fig['e2e_extra_docs_s']:9.1f} docs/s  "
              f"cost {fig['extra_cost_pct']:+.1f} % (parser {fast})")
    print(f"peak memory       {fig['peak_traced_mb']} MB traced (one e2e pass, parser {fast}), "
          f"{fig['max_rss_mb']} MB max RSS")
    if args.cold_runs:
        print(f"cold start        {fig['cold_start_s']:.3f} s wall, {fig['cold_start_cpu_s']:.3f} s CPU, median of "
              f"{args.cold_runs} (`repotag tag {args.readme.name}`; bare python: {fig['python_bare_start_s']:.3f} s wall, "
              f"{fig['python_bare_cpu_s']:.3f} s CPU)")


if __name__ == "__main__":
    main()
