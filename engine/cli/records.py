"""One input → one output record: the JSON line of the `tag` contract and its
stderr messages. Below both the serial and the parallel path, so both write
exactly the same records."""
from __future__ import annotations

import json
import sys


def dumps(obj) -> str:
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a JSONL id "\ud800", a file name that is not
        # UTF-8) is not UTF-8: written raw it would break the JSON stream
        # or the write; JSON's \u escapes can say it.
        line = json.dumps(obj, separators=(",", ":"))
    return line


def say(message: str) -> None:
    sys.stderr.write(f"repotag: {message}\n")


def tag_record(tagger, item, max_tags=None) -> tuple[dict, list[str], bool]:
    """(record, stderr messages, failed) for one input item."""
    if item.error:
        return {"id": item.id, "error": item.error}, [item.error], True
    from ..tagging.guard import tag_guarded, time_limit_from_env

    res, error = tag_guarded(tagger, item.text, max_tags, item.source or item.id, time_limit_from_env())
    if error:
        return {"id": item.id, "error": error}, [error], True
    rec = {"id": item.id, "tags": res.tags}
    msgs = []
    if item.warnings:
        rec["warnings"] = item.warnings
        msgs = [f"warning: {item.source or item.id}: {w}" for w in item.warnings]
    return rec, msgs, False


def write_results(results) -> int:
    """Print (record, messages, failed) triples in order; the number failed."""
    failed = 0
    out = sys.stdout
    for rec, msgs, bad in results:
        failed += bad
        out.write(dumps(rec) + "\n")
        for m in msgs:
            say(m)
    out.flush()
    return failed


def with_names(rec: dict, tags) -> dict:
    """The record with "names" after "tags" (`--with-names`): the names of the
    tag list in use, for people reading the output; ids stay the contract."""
    if "tags" not in rec:
        return rec
    out = {"id": rec["id"], "tags": rec["tags"], "names": [tags.by_id[t].name for t in rec["tags"]]}
    out.update((k, v) for k, v in rec.items() if k not in out)
    return out
