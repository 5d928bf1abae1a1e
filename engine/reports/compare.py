"""Before/after: `repotag eval GOLD --against OLD.jsonl` lists the READMEs
whose tags changed since an earlier `eval --predictions`, with gold beside
them, and the change of every figure. This is how a rule edit is reviewed.

A README's change is
- fixed: it gained a gold tag or dropped a wrong one, and lost no gold tag
  and gained no wrong one (or, same tags, its first tag became a gold tag);
- broken: the reverse;
- changed: both at once, or a reordering that leaves top-1 as right or wrong
  as it was (changed, and still wrong somewhere).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .evaluate import Figures, GoldError, figures, json_lines, tag_name
from .render import Table
from ..packs.taglist import TagList

CLASSES = ("fixed", "broken", "changed")


@dataclass
class Diff:
    id: str
    gold: list[int]
    old: list[int]
    new: list[int]
    kind: str  # fixed | broken | changed
    note: str


def load_predictions(path: str | Path) -> tuple[dict[str, list[int]], list[str]]:
    """Records of `repotag tag` / `eval --predictions`: {"id":..,"tags":[..]}
    or {"id":..,"error":..} (an error counts as untagged). Returns
    predictions by id and the ids of error records."""
    path = Path(path)
    pred: dict[str, list[int]] = {}
    errors: list[str] = []
    for _, where, obj in json_lines(path, "predictions"):
        if not isinstance(obj, dict) or "id" not in obj:
            raise GoldError(f"{where}: expected a record {{\"id\":..,\"tags\":[..]}}")
        iid = obj["id"]
        if isinstance(iid, bool) or not isinstance(iid, (int, str)):
            raise GoldError(f"{where}: \"id\" must be a string or an integer")
        iid = str(iid)
        if iid in pred:
            raise GoldError(f"{where}: duplicate id {iid!r}")
        if "error" in obj and "tags" not in obj:
            errors.append(iid)
            pred[iid] = []
            continue
        tags = obj.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in tags):
            raise GoldError(f"{where}: \"tags\" must be a list of tag ids")
        pred[iid] = list(tags)
    return pred, errors


def classify(gold: list[int], old: list[int], new: list[int], name=str) -> tuple[str, str] | None:
    """(kind, note) of a README whose tags changed; None if they did not."""
    if old == new:
        return None
    g = set(gold)
    gained_right = [t for t in new if t in g and t not in old]
    lost_right = [t for t in old if t in g and t not in new]
    dropped_wrong = [t for t in old if t not in g and t not in new]
    gained_wrong = [t for t in new if t not in g and t not in old]
    better = bool(gained_right or dropped_wrong)
    worse = bool(lost_right or gained_wrong)
    if set(old) == set(new):
        o1, n1 = bool(old) and old[0] in g, bool(new) and new[0] in g
        if n1 and not o1:
            return "fixed", "reordered: first tag now a gold tag"
        if o1 and not n1:
            return "broken", "reordered: first tag no longer a gold tag"
        return "changed", "reordered"
    parts = []
    for label, tags in (("+right", gained_right), ("-wrong", dropped_wrong), ("-right", lost_right), ("+wrong", gained_wrong)):
        if tags:
            parts.append(f"{label} {','.join(map(name, tags))}")
    note = " ".join(parts)
    if better and not worse:
        return "fixed", note
    if worse and not better:
        return "broken", note
    return "changed", note


def compare(old: dict[str, list[int]], new: dict[str, list[int]], gold: dict[str, list[int]], name=str) -> list[Diff]:
    """The gold READMEs whose tags differ, fixed first, then broken, then changed; by id within each."""
    out = []
    for iid, g in gold.items():
        o, n = old.get(iid, []), new.get(iid, [])
        c = classify(g, o, n, name)
        if c:
            out.append(Diff(iid, list(g), o, n, *c))
    return sorted(out, key=lambda d: (CLASSES.index(d.kind), d.id))


FIGURES = ("micro_p", "micro_r", "micro_f1", "macro_f1", "top1", "success_at_3", "exact", "untagged")


def deltas(before: Figures, after: Figures, tags: TagList) -> dict[str, dict]:
    a, b = before.to_json(tags, False), after.to_json(tags, False)
    return {k: {"before": a[k], "after": b[k], "delta": round(b[k] - a[k], 4)} for k in FIGURES}


def json_data(diffs: list[Diff], before: Figures, after: Figures, tags: TagList, missing: list[str]) -> dict:
    return {
        "figures": deltas(before, after, tags),
        "counts": {k: sum(d.kind == k for d in diffs) for k in CLASSES},
        "missing_in_old": missing,
        "changed": [{"id": d.id, "kind": d.kind, "gold": d.gold, "old": d.old, "new": d.new, "note": d.note} for d in diffs],
    }


def _names(tags: TagList, ids: list[int]) -> str:
    return ", ".join(tag_name(tags, t) for t in ids) or "-"


def text_blocks(diffs: list[Diff], before: Figures, after: Figures, tags: TagList, missing: list[str]) -> list:
    counts = {k: sum(d.kind == k for d in diffs) for k in CLASSES}
    rows = [[d.kind, d.id, _names(tags, d.gold), _names(tags, d.old), _names(tags, d.new), d.note] for d in diffs]
    figs = deltas(before, after, tags)
    frows = [[k, f"{v['before']:.3f}", f"{v['after']:.3f}", f"{v['delta']:+.3f}"] for k, v in figs.items()]
    blocks: list = [
        f"{len(diffs)} README(s) changed: {counts['fixed']} fixed, {counts['broken']} broken, "
        f"{counts['changed']} changed (still wrong)",
        Table("", ["", "id", "gold", "before", "after", "what changed"], rows, empty="no README changed its tags"),
        Table("figures", ["figure", "before", "after", "delta"], frows, frozenset({1, 2, 3})),
    ]
    if missing:
        blocks.append(f"{len(missing)} gold README(s) absent from the old predictions (counted untagged before): "
                      + ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else ""))
    return blocks


def before_after(old: dict[str, list[int]], new: dict[str, list[int]], gold: dict[str, list[int]], tags: TagList):
    """(diffs, figures before, figures after, gold ids missing from the old predictions)."""
    missing = [i for i in gold if i not in old]
    return compare(old, new, gold, lambda t: tag_name(tags, t)), figures(old, gold), figures(new, gold), missing
