"""Evaluation against gold labels: loading gold, and every figure eval and
audit report (micro/macro P/R/F1, top-1, success@3, exact set, untagged,
per-tag table, confusions).

The formulas follow ../shared/tools/score.py exactly: a gold document with no
prediction counts as untagged; macro F1 averages the tags that occur in the
gold; per-tag rows also list tags that were only ever predicted.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs.read import Item, read_path
from .render import Table, num
from ..packs.taglist import TagList


class GoldError(ValueError):
    """A gold file that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class GoldDoc:
    id: str
    tags: tuple[int, ...]
    file: Path | None  # the README, resolved against the gold file's folder
    line: int


def json_lines(path: Path, what: str):
    """(line number, "file:line", object) for each non-blank JSON line; a file
    that cannot be read or a line that is not JSON is a GoldError naming both."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    for n, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise GoldError(f"{where}: invalid UTF-8 at byte {exc.start}") from None
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
        yield n, where, obj


def load_gold(path: str | Path, tags: TagList) -> list[GoldDoc]:
    """Gold lines {"id":..., "file":..., "tags":[...]}; `file` is optional
    here (audit matches by id), eval checks it when it reads the README."""
    path = Path(path)
    docs: list[GoldDoc] = []
    seen: dict[str, int] = {}
    for n, where, obj in json_lines(path, "gold file"):
        if not isinstance(obj, dict):
            raise GoldError(f"{where}: expected an object with \"id\", \"file\" and \"tags\"")
        iid = obj.get("id")
        if isinstance(iid, bool) or not isinstance(iid, (int, str)) or str(iid) == "":
            raise GoldError(f"{where}: \"id\" must be a non-empty string or an integer")
        iid = str(iid)
        if iid in seen:
            raise GoldError(f"{where}: duplicate id {iid!r} (first on line {seen[iid]})")
        seen[iid] = n
        gt = obj.get("tags")
        if not isinstance(gt, list):
            raise GoldError(f"{where}: \"tags\" must be a list of tag ids")
        ids = []
        for t in gt:
            tag = tags.resolve(t) if not isinstance(t, bool) else None
            if tag is None:
                raise GoldError(f"{where}: unknown tag {t!r} (not in {tags.source})")
            ids.append(tag.id)
        file = obj.get("file")
        if file is not None and not isinstance(file, str):
            raise GoldError(f"{where}: \"file\" must be a path relative to the gold file")
        docs.append(GoldDoc(iid, tuple(ids), (path.parent / file) if file else None, n))
    return docs


def gold_items(path: str | Path, docs: list[GoldDoc]):
    """The README of each gold document, as an input Item named by its id."""
    for d in docs:
        if d.file is None:
            yield Item(d.id, error=f"{path}:{d.line}: no \"file\" for id {d.id!r}", source=f"{path}:{d.line}")
        else:
            item = read_path(d.file, d.id)
            if item.error:
                item.error = f"{path}:{d.line}: {item.error}"
            yield item


@dataclass
class TagFigures:
    tag: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Figures:
    docs: int
    tp: int
    fp: int
    fn: int
    top1: int
    hit: int
    exact: int
    empty: int
    per_tag: list[TagFigures] = field(default_factory=list)

    @property
    def micro(self) -> TagFigures:
        return TagFigures(-1, self.tp, self.fp, self.fn)

    @property
    def macro_f1(self) -> float:
        f1s = [t.f1 for t in self.per_tag if t.tp + t.fn]
        return sum(f1s) / len(f1s) if f1s else 0.0

    def rate(self, n: int) -> float:
        return n / self.docs if self.docs else 0.0

    def worst_first(self) -> list[TagFigures]:
        # Equal F1: the tag with more errors is the more urgent one.
        return sorted(self.per_tag, key=lambda t: (round(t.f1, 9), -(t.fp + t.fn), t.tag))

    def to_json(self, tags: TagList, per_tag: bool = True) -> dict:
        m = self.micro
        out = {
            "docs": self.docs,
            "micro_p": round(m.precision, 4), "micro_r": round(m.recall, 4), "micro_f1": round(m.f1, 4),
            "macro_f1": round(self.macro_f1, 4),
            "top1": round(self.rate(self.top1), 4), "success_at_3": round(self.rate(self.hit), 4),
            "exact": round(self.rate(self.exact), 4), "untagged": round(self.rate(self.empty), 4),
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
        }
        if per_tag:
            out["per_tag"] = [tag_json(t, tags) for t in self.worst_first()]
        return out


def tag_name(tags: TagList, tid: int) -> str:
    t = tags.by_id.get(tid)
    return t.name.strip() if t else str(tid)


def tag_json(t: TagFigures, tags: TagList) -> dict:
    return {"tag": t.tag, "name": tag_name(tags, t.tag), "tp": t.tp, "fp": t.fp, "fn": t.fn,
            "precision": round(t.precision, 4), "recall": round(t.recall, 4), "f1": round(t.f1, 4)}


def figures(pred: dict[str, list[int]], gold: dict[str, list[int]]) -> Figures:
    """Figures over the gold documents; a gold id absent from pred is untagged."""
    tp, fp, fn = Counter(), Counter(), Counter()
    top1 = hit = exact = empty = 0
    for iid, g in gold.items():
        p = pred.get(iid, [])
        gs, ps = set(g), set(p)
        tp.update(ps & gs)
        fp.update(ps - gs)
        fn.update(gs - ps)
        top1 += bool(p) and p[0] in gs
        hit += bool(ps & gs)
        exact += ps == gs
        empty += not p
    per = [TagFigures(t, tp[t], fp[t], fn[t]) for t in sorted(set(tp) | set(fp) | set(fn))]
    return Figures(len(gold), sum(tp.values()), sum(fp.values()), sum(fn.values()),
                   top1, hit, exact, empty, per)


def confusions(pred: dict[str, list[int]], gold: dict[str, list[int]]) -> list[tuple[int, int, int]]:
    """(predicted, gold, count): each wrong tag of a document paired with each
    gold tag it missed; most frequent first."""
    c: Counter = Counter()
    for iid, g in gold.items():
        p = pred.get(iid, [])
        missed = [t for t in g if t not in p]
        for x in p:
            if x not in g:
                for y in missed:
                    c[(x, y)] += 1
    return sorted(((x, y, n) for (x, y), n in c.items()), key=lambda r: (-r[2], r[0], r[1]))


def summary_lines(fig: Figures, failed: int = 0) -> list[str]:
    m = fig.micro
    # score.py prints the rates rounded to 4 places, then to 3 (0.92754 →
    # 0.9275 → "0.927"); rounding the same way keeps the two outputs equal.
    r = lambda n: round(fig.rate(n), 4)  # noqa: E731
    return [
        f"docs {fig.docs}  failed {failed}",
        f"micro P {m.precision:.3f}  R {m.recall:.3f}  F1 {m.f1:.3f}   macro F1 {fig.macro_f1:.3f}",
        f"top-1 {r(fig.top1):.3f}  success@3 {r(fig.hit):.3f}  exact {r(fig.exact):.3f}  untagged {r(fig.empty):.3f}",
    ]


def per_tag_table(fig: Figures, tags: TagList, title: str = "per tag, worst first") -> Table:
    rows = [[tag_name(tags, t.tag), str(t.tag), str(t.tp), str(t.fp), str(t.fn),
             num(t.precision), num(t.recall), num(t.f1)] for t in fig.worst_first()]
    return Table(title, ["tag", "id", "tp", "fp", "fn", "P", "R", "F1"], rows, frozenset(range(1, 8)))


def evaluate(tagger, gold_path: str | Path, predictions: Path | None = None, on_error=None):
    """Tag every gold README; returns (Figures, predictions by id, Run).

    A README that cannot be read counts as untagged, is reported through
    on_error, and is written to the predictions file as an error record."""
    from .corpus import Run, tag_corpus

    docs = load_gold(gold_path, tagger.tags)
    gold = {d.id: list(d.tags) for d in docs}
    pred: dict[str, list[int]] = {}
    run = Run()
    out = open(predictions, "w", encoding="utf-8") if predictions else None
    try:
        for t in tag_corpus(tagger, gold_items(gold_path, docs), run, len(docs), "eval"):
            if t.result is None:
                if on_error:
                    on_error(t.error)
                rec = {"id": t.item.id, "error": t.error}
            else:
                pred[t.item.id] = list(t.result.tags)
                rec = {"id": t.item.id, "tags": t.result.tags}
            if out:
                out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    finally:
        if out:
            out.close()
    return figures(pred, gold), pred, run
