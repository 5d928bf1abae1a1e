"""repotag on a Dask cluster: tag partitions of JSONL lines or README files.

    pip install 'repotag[dask]'
    python -m engine.distributed 'data/readmes-*.jsonl' --out tagged/ --scheduler tcp://HOST:8786

Dask does the scheduling; this module only maps repotag over partitions.
Each worker process builds its Tagger once, from a picklable TaggerSpec (rule
paths, tag list, options), and keeps it for every later partition: rule
packs must therefore be readable at the same paths on the workers. Records
are those of `repotag tag`, errors included, one per input.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .parallel import TaggerSpec

_taggers: dict = {}


def worker_tagger(spec: TaggerSpec):
    """The Tagger of `spec` in this process, built on first use."""
    t = _taggers.get(spec)
    if t is None:
        t = _taggers[spec] = spec.tagger()
    return t


def _records(items, spec: TaggerSpec) -> list[dict]:
    from .records import tag_record

    tagger = worker_tagger(spec)
    return [tag_record(tagger, it, spec.max_tags)[0] for it in items]


def _tag_lines(lines, spec: TaggerSpec, where: str) -> list[dict]:
    from ..inputs.read import jsonl_item

    items = (jsonl_item(line, f"{where}:{n}") for n, line in enumerate(lines, 1))
    return _records([it for it in items if it is not None], spec)


def _tag_paths(named, spec: TaggerSpec) -> list[dict]:
    from ..inputs.read import read_path

    return _records([read_path(Path(p), iid) for p, iid in named], spec)


def spec_for(rules=(), tags=None, builtin: bool = True, max_tags: int | None = None) -> TaggerSpec:
    return TaggerSpec(tuple(str(Path(r).resolve()) for r in rules),
                      str(Path(tags).resolve()) if tags else None, builtin, max_tags)


def tag_jsonl_bag(urlpath, spec: TaggerSpec | None = None, blocksize=None):
    """A dask.bag of records for JSONL files (a glob, list, or any URL Dask reads).
    One partition per file unless blocksize splits them; error records name
    the file's partition and line within it."""
    import dask.bag as db

    spec = spec or spec_for()
    lines = db.read_text(urlpath, blocksize=blocksize, include_path=True)
    return lines.map_partitions(_tag_partition_with_paths, spec)


def _tag_partition_with_paths(part, spec: TaggerSpec) -> list[dict]:
    part = list(part)
    where = part[0][1] if part else "<partition>"
    return _tag_lines((line for line, _ in part), spec, where)


def tag_files_bag(paths, spec: TaggerSpec | None = None, npartitions: int | None = None):
    """A dask.bag of records for README files, in the order of `paths`."""
    import dask.bag as db

    from ..inputs import ids
    from ..inputs.sources import Source
    from ..inputs.walk import is_readme

    spec = spec or spec_for()
    # Named here, from all the paths at once, by the rule of `repotag tag`
    # (a README by its folder, unique ids); workers only read.
    sources = [Source("file", str(p), readme=is_readme(Path(p).name)) for p in paths]
    for m in ids.assign(sources):
        sys.stderr.write(f"repotag: warning: {m}\n")
    named = [(s.arg, s.id) for s in sources]
    bag = db.from_sequence(named, npartitions=npartitions or max(1, min(len(named), 100)))
    return bag.map_partitions(_tag_paths, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m engine.distributed", description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="JSONL files or globs (or README files with --files)")
    ap.add_argument("--out", required=True, help="output directory (or URL) for part-*.jsonl")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (default: a local cluster)")
    ap.add_argument("--files", action="store_true", help="inputs are README files, not JSONL")
    ap.add_argument("--rules", action="append", default=[], help="extra rule pack (same path on every worker)")
    ap.add_argument("--tags", help="tag list JSON (same path on every worker)")
    ap.add_argument("--no-builtin", action="store_true")
    ap.add_argument("--max-tags", type=int)
    ap.add_argument("--blocksize", help="split JSONL files into blocks of this size, e.g. 64MB")
    a = ap.parse_args(argv)
    try:
        import dask  # noqa: F401
        from dask.distributed import Client, LocalCluster
    except ImportError:
        sys.stderr.write("repotag: the Dask path needs: pip install 'repotag[dask]'\n")
        return 2
    spec = spec_for(a.rules, a.tags, not a.no_builtin, a.max_tags)
    from .run import UsageError, load_tagger

    try:  # fail here, with file:line problems, rather than on every worker
        _taggers[spec] = load_tagger(spec.rules, spec.tags, spec.max_tags, spec.builtin, parser=spec.parser)
    except UsageError:
        return 2
    client = Client(a.scheduler) if a.scheduler else Client(LocalCluster(processes=True))
    with client:
        bag = tag_files_bag(a.inputs, spec) if a.files else tag_jsonl_bag(a.inputs, spec, a.blocksize)
        from .records import dumps

        bag.map(dumps).to_textfiles(f"{a.out.rstrip('/')}/part-*.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
