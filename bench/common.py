"""Shared helpers of the benchmark scripts: corpus loading and Tagger options."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
if not DEFAULT_CORPUS.is_dir():
    DEFAULT_CORPUS = Path("/work/shared/corpus/dev")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def load_corpus(path: Path) -> list[tuple[str, str]]:
    """(id, text) of a directory's READMEs or a JSONL file's lines, in input order."""
    from engine.inputs.sources import iter_inputs

    fmt = "jsonl" if path.suffix == ".jsonl" else "auto"
    docs = [(it.id, it.text) for it in iter_inputs([str(path)], fmt) if not it.error]
    if not docs:
        sys.exit(f"bench: no readable documents in {path}")
    return docs


def add_rule_options(ap) -> None:
    ap.add_argument("--rules", action="append", default=[], metavar="DIR",
                    help="extra rule pack (repeatable), as `repotag tag --rules`")
    ap.add_argument("--no-builtin", action="store_true", help="do not load the built-in rule pack")


def add_parser_option(ap) -> None:
    ap.add_argument("--parser", default="auto", choices=("auto", "python", "rust"),
                    help="Markdown parser, as `repotag tag --parser` (default: %(default)s)")


def make_tagger(args, extra_dirs=(), parser: str | None = None):
    """The Tagger of the options; parser overrides args.parser (if any)."""
    from engine.packs.model import RuleLoadError
    try:
        from engine.document.parsers import ParserUnavailable
    except ImportError:  # a --src tree from before the choice of parser
        ParserUnavailable = RuleLoadError
    from engine.tagging.tagger import Tagger

    parser = parser or getattr(args, "parser", "auto")
    try:
        try:
            return Tagger.from_paths([*args.rules, *extra_dirs], builtin=not args.no_builtin, parser=parser)
        except TypeError:
            if parser == "rust":
                raise
            # A source tree (--src) from before the choice of parser.
            return Tagger.from_paths([*args.rules, *extra_dirs], builtin=not args.no_builtin)
    except RuleLoadError as exc:
        sys.exit(f"bench: cannot load rules:\n{exc}")
    except ParserUnavailable as exc:
        sys.exit(f"bench: {exc}")


def cli_rule_args(args) -> list[str]:
    out = ["--no-builtin"] if args.no_builtin else []
    for d in args.rules:
        out += ["--rules", str(d)]
    return out


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
