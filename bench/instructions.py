"""The end-to-end / parse-only ratio in CPU instructions, not seconds, for
each Markdown parser.

    python bench/instructions.py [--corpus DIR|FILE.jsonl] [--src DIR] [--rules DIR]

Timings on a shared or virtual machine drift by 10-30 % from one minute to
the next, which is the size of the effects being measured. valgrind's
callgrind counts the instructions a run executes: the same count for the
same code and input, whatever else the machine is doing. Runs of the same
workload script, each under callgrind and in parallel:
  setup       load the corpus, markdown-it-py and the Taggers (warm rule cache);
  parse       setup, then markdown-it-py parses every document (as bench.py does);
  e2e_python  setup, then Tagger(parser="python").tag() on every document;
  e2e_rust    setup, then Tagger(parser="rust").tag() on every document
              (when markdown-it-pyrs is installed).
X - setup is the work itself; e2e/parse is the ratio bench.py reports in
seconds. Instructions are not time (the regex and automaton C code runs at a
different rate than the interpreter), so this is a noise-free cross-check of
bench.py, not a replacement. --jobs 1 runs the workloads one after another.
Needs valgrind (Debian package valgrind); a few minutes on the dev corpus.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_CORPUS, ROOT, add_rule_options, cli_rule_args, load_corpus, make_tagger  # noqa: E402

MODES = ("setup", "parse", "e2e_python", "e2e_rust")


def _has_rust() -> bool:
    try:
        from engine.document import rust_blocks
    except ImportError:  # a --src tree from before the fast path
        return False
    return rust_blocks.available()


def workload(args) -> None:
    from markdown_it import MarkdownIt

    docs = [t for _, t in load_corpus(args.corpus)]
    md = MarkdownIt("commonmark", {"html": True}).enable("table")  # the parser settings bench.py times
    taggers = {p: make_tagger(args, parser=p) for p in ("python", "rust") if p == "python" or _has_rust()}
    # First calls build lazy state (automaton, compiled patterns) in every mode alike.
    for tg in taggers.values():
        tg.tag(docs[0])
    md.parse(docs[0])
    if args.workload == "parse":
        for d in docs:
            md.parse(d)
    elif args.workload.startswith("e2e_"):
        tagger = taggers[args.workload[4:]]
        for d in docs:
            tagger.tag(d)


def count(mode: str, args) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
           str(Path(__file__).resolve()), "--workload", mode, "--corpus", str(args.corpus),
           "--src", str(args.src), *cli_rule_args(args)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"Collected\s*:\s*(\d+)", p.stderr)
    if p.returncode or not m:
        sys.exit(f"instructions: the {mode} run failed:\n{p.stderr[-2000:]}")
    return int(m.group(1))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory of READMEs or JSONL (default: %(default)s)")
    ap.add_argument("--src", type=Path, default=ROOT, help="source tree whose engine/ is measured (default: this one)")
    ap.add_argument("--workload", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--jobs", type=int, default=0, help="callgrind runs at a time (default: all at once)")
    add_rule_options(ap)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.src.resolve()))
    if args.workload:
        workload(args)
        return
    if shutil.which("valgrind") is None:
        sys.exit("instructions: valgrind is not installed (apt-get install valgrind)")
    make_tagger(args)  # writes the rule cache, so no measured run builds it
    modes = [m for m in MODES if m != "e2e_rust" or _has_rust()]
    n = len(load_corpus(args.corpus))
    with ThreadPoolExecutor(args.jobs or len(modes)) as ex:
        got = dict(zip(modes, ex.map(lambda m: count(m, args), modes)))
    setup = got["setup"]
    p = got["parse"] - setup
    print(f"corpus            {args.corpus}: {n} docs")
    print(f"setup             {setup / 1e6:10.1f} M instructions")
    print(f"parse-only        {p / 1e6:10.1f} M instructions  {p / n / 1e6:6.2f} M/doc  (markdown-it-py)")
    for m in modes[2:]:
        e = got[m] - setup
        print(f"{'end-to-end ' + m[4:]:17} {e / 1e6:10.1f} M instructions  {e / n / 1e6:6.2f} M/doc  "
              f"ratio e2e/parse {e / p:.3f}")


if __name__ == "__main__":
    main()
