"""The corpus of the workbench: its READMEs, gold tags and parsed documents,
and tagging one README of it with a given Tagger."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...inputs.read import Item
from ...inputs.sources import iter_inputs
from ...packs.taglist import TagList
from ...reports.evaluate import gold_items, load_gold
from ...tagging.guard import tag_guarded

PARSED_KEPT = 5000  # parsed READMEs kept for tagging the corpus again (~2 GB at most)


@dataclass
class Corpus:
    items: list[Item]
    gold: dict[str, list[int]] | None  # id → gold tag ids, with --gold
    source: str
    notes: list[str] = field(default_factory=list)
    parsed: dict = field(default_factory=dict)  # id → Document, parsed once

    def by_id(self, iid: str) -> Item | None:
        for it in self.items:
            if it.id == iid:
                return it
        return None


def load_corpus(paths: list[str], gold_path: str | None, tags: TagList) -> Corpus | None:
    """The READMEs of --corpus (as `repotag tag` reads them) or, without it, those
    the gold file names; the gold tags with --gold. Bad lines are kept as error
    items (counted, shown), a bad gold file raises GoldError."""
    if not paths and not gold_path:
        return None
    gold = None
    notes: list[str] = []
    if gold_path:
        docs = load_gold(gold_path, tags)
        gold = {d.id: list(d.tags) for d in docs}
    if paths:
        items = list(iter_inputs(list(paths), "auto", None))
        source = ", ".join(paths)
    else:
        items = list(gold_items(gold_path, docs))
        source = str(gold_path)
    seen: dict[str, int] = {}
    unique = []
    for it in items:
        if it.id in seen:
            notes.append(f"{it.source or it.id}: duplicate id {it.id!r}, only the first is used")
            continue
        seen[it.id] = 1
        unique.append(it)
    if gold is not None:
        missing = [i for i in gold if i not in seen]
        if missing:
            notes.append(f"{len(missing)} gold id(s) have no README in the corpus and count as untagged: "
                         + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else ""))
    return Corpus(unique, gold, source, notes)


class _Parsed:
    """A Tagger bound to one parsed README, for the per-input guard."""

    def __init__(self, tagger, doc):
        self.tagger, self.doc = tagger, doc

    def tag(self, text: str, max_tags: int | None = None):
        return self.tagger.tag_document(self.doc, max_tags)


def tag_item(tagger, corpus: Corpus, i: int, max_tags: int | None) -> dict:
    """{"tags": [...]} or {"error": ...} for the i-th README, parsed once."""
    it = corpus.items[i]
    if it.error:
        return {"error": it.error}
    doc = corpus.parsed.get(it.id)
    if doc is None:
        res, err = tag_guarded(tagger, it.text, max_tags, it.source or it.id, 0)
        if res is not None and len(corpus.parsed) < PARSED_KEPT:
            corpus.parsed[it.id] = res.document
    else:
        res, err = tag_guarded(_Parsed(tagger, doc), it.text, max_tags, it.source or it.id, 0)
    return {"error": err} if res is None else {"tags": list(res.tags)}
