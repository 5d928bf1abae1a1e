"""Scoring: raw hits → weighted evidence → per-tag scores → at most N tags.

Contribution of one hit = term weight × rule weight × scope factor × section
factor (× intro factor for prose near the top) × repeat decay. Negative terms
cancel the positive hits of their tag that lie inside them and subtract their
own weight. Selection is greedy and deterministic: highest score first, ties
by tag id; tags that share an overlap group with an already chosen tag are
discounted so near-synonyms do not take every slot.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from ..document.markdown import Document
from .matching import Hit
from ..packs.regexguard import WINDOW
from ..packs.model import Loc, Rule, norm_term

INTRO_SCOPES = ("prose", "list")


@dataclass(slots=True)
class Evidence:
    tag: int
    rule_id: str
    rule_loc: Loc
    kind: str  # keyword | pattern | fuzzy | negative
    term: str
    matched: str
    scope: str
    section: str
    line: int
    weight: float  # term weight × rule weight
    scope_factor: float
    section_factor: float
    decay: float = 1.0
    contribution: float = 0.0
    cancelled_by: str | None = None
    segment: int = 0
    start: int = 0
    end: int = 0
    tuned: float = 1.0  # the rule's fitted multiplier, already inside weight

    @property
    def base(self) -> float:
        return self.weight * self.scope_factor * self.section_factor


@dataclass(slots=True)
class TagScore:
    tag: int
    score: float
    status: str  # chosen | below-threshold | cut-by-limit | overlap | below-relative | cancelled
    adjusted: float = 0.0
    reason: str = ""


@dataclass
class Scores:
    evidence: list[Evidence]
    totals: dict[int, float]
    ranking: list[TagScore] = field(default_factory=list)
    chosen: list[int] = field(default_factory=list)


def section_factor(section: str, settings: dict, cache: dict) -> float:
    f = cache.get(section)
    if f is None:
        f = 1.0
        if section:
            for rx, factor in settings["section_factors"]:
                # A heading can be a whole 10 MB line; what it is about shows early.
                if rx.search(section, 0, WINDOW):
                    f = min(f, factor)
        cache[section] = f
    return f


def _newlines(text: str) -> list[int]:
    """Offsets of the newlines (str.find per line, not a Python step per character)."""
    out: list[int] = []
    i = text.find("\n")
    while i >= 0:
        out.append(i)
        i = text.find("\n", i + 1)
    return out


def weigh(hits: list[Hit], rules: list[Rule], doc: Document, settings: dict) -> list[Evidence]:
    scope_factors = settings["scope_factors"]
    intro = settings["intro_factor"]
    cache: dict[str, float] = {}
    # Newline offsets per segment: counting them from the segment start for
    # every hit was quadratic in a one-paragraph 500,000-character README.
    newlines: dict[int, list[int]] = {}
    own: dict[int, dict] = {}  # rule index → its scope factors over the pack's
    out: list[Evidence] = []
    for h in hits:
        rule = rules[h.rule]
        seg = doc.segments[h.segment]
        factors = scope_factors
        if rule.scope_factors:
            factors = own.get(h.rule)
            if factors is None:
                factors = own[h.rule] = {**scope_factors, **dict(rule.scope_factors)}
        sf = factors.get(seg.scope, 1.0)
        if seg.intro and seg.scope in INTRO_SCOPES:
            sf *= intro
        nl = newlines.get(h.segment)
        if nl is None:
            nl = newlines[h.segment] = _newlines(seg.text)
        line = seg.line + bisect.bisect_left(nl, h.start)
        out.append(Evidence(
            tag=rule.tag, rule_id=rule.id, rule_loc=rule.loc, kind=h.kind, term=h.term,
            matched=h.matched, scope=seg.scope, section=seg.section, line=line,
            weight=h.weight * rule.weight * rule.tuned, scope_factor=sf,
            section_factor=section_factor(seg.section, settings, cache) if rule.section_factors else 1.0,
            segment=h.segment, start=h.start, end=h.end, tuned=rule.tuned,
        ))
    return out


def _reach_index(spans: list[Evidence]) -> tuple[list[int], list[Evidence]]:
    """Spans sorted by start, with, at each position, the span reaching
    furthest so far (ties: the earlier, longer one; then the smaller rule id,
    so the result does not depend on rule file order)."""
    spans.sort(key=lambda n: (n.start, -n.end, n.rule_id))
    best: list[Evidence] = []
    for n in spans:
        b = best[-1] if best else None
        best.append(n if b is None or n.end > b.end else b)
    return [n.start for n in spans], best


def _covering(index, e: Evidence) -> Evidence | None:
    if not index:
        return None
    starts, best = index
    k = bisect.bisect_right(starts, e.start)
    if k and best[k - 1].end >= e.end:
        return best[k - 1]
    return None


def _cancel(evidence: list[Evidence]) -> None:
    """Negative spans cancel the positive hits of their tag inside them; a
    keyword inside a longer keyword match of the same tag ("aws" in "aws
    lambda") is covered by it, so the longest keyword alone counts.
    Patterns are context ("is a command-line tool") and add to keywords.

    Spans are indexed per (tag, segment) and looked up by bisection:
    comparing every hit with every other was quadratic on large READMEs."""
    negs: dict[tuple[int, int], list[Evidence]] = {}
    kws: dict[tuple[int, int], list[Evidence]] = {}
    for e in evidence:
        if e.kind == "negative":
            negs.setdefault((e.tag, e.segment), []).append(e)
        elif e.kind == "keyword":
            kws.setdefault((e.tag, e.segment), []).append(e)
    neg_index = {k: _reach_index(v) for k, v in negs.items()}
    kw_index = {k: _reach_index(v) for k, v in kws.items() if len(v) > 1}
    for e in evidence:
        if e.kind == "negative":
            continue
        key = (e.tag, e.segment)
        n = _covering(neg_index.get(key), e)
        if n is not None:
            e.cancelled_by = n.rule_id
            continue
        if e.kind == "keyword":
            n = _covering(kw_index.get(key), e)
            if n is not None and n.end - n.start > e.end - e.start:
                e.cancelled_by = f"{n.rule_id} (longer match)"


def total(evidence: list[Evidence], settings: dict) -> dict[int, float]:
    """Apply cancellation and repeat decay in place; sum per tag."""
    _cancel(evidence)
    decay = settings["repeat_decay"]
    groups: dict[tuple, list[Evidence]] = {}
    for e in evidence:
        if e.cancelled_by:
            e.decay, e.contribution = 0.0, 0.0
            continue
        key = (e.tag, e.kind == "negative", norm_term(e.matched))
        groups.setdefault(key, []).append(e)
    parts: dict[int, list[float]] = {}
    for (tag, negative, _), items in groups.items():
        # Strongest occurrence counts in full, so the title's mention is the
        # one kept whole, not whichever came first.
        items.sort(key=lambda e: (-e.base, e.line, e.segment, e.start, e.rule_id))
        for k, e in enumerate(items):
            e.decay = decay ** k
            c = e.base * e.decay
            e.contribution = -c if negative else c
            parts.setdefault(tag, []).append(e.contribution)
    # fsum is exact, so a score does not depend on the order the rules were
    # loaded in (a plain sum can differ in the last bit and flip a threshold).
    return {tag: math.fsum(p) for tag, p in parts.items()}


def select(totals: dict[int, float], settings: dict, max_tags: int, evidence: list[Evidence]) -> tuple[list[int], list[TagScore]]:
    min_score = settings["min_score"]
    # A README with content gets its best-supported tag even below
    # min_score, as a curator would answer; further tags need min_score.
    first_min = settings.get("first_min_score")
    first_min = min_score if first_min is None else min(first_min, min_score)
    rel = settings["relative_min"]
    groups = settings["overlap_groups"]
    penalty = settings["overlap_penalty"]
    free = settings["overlap_free"]
    order = sorted(totals, key=lambda t: (-round(totals[t], 9), t))
    top = totals[order[0]] if order else 0.0
    cancelled = {e.tag for e in evidence if e.kind == "negative" or e.cancelled_by}

    def adjusted(tag: int, chosen: list[int]) -> float:
        s = totals[tag]
        for g in groups:
            if tag in g:
                s *= penalty ** max(0, sum(1 for c in chosen if c in g) - free)
        return s

    chosen: list[int] = []
    pool = [t for t in order if totals[t] > 0]
    while pool and len(chosen) < max_tags:
        best = min(pool, key=lambda t: (-round(adjusted(t, chosen), 9), t))
        adj = adjusted(best, chosen)
        if adj < (min_score if chosen else first_min) or adj < rel * top:
            break
        chosen.append(best)
        pool.remove(best)
    ranking = []
    for t in order:
        s = totals[t]
        adj = adjusted(t, [c for c in chosen if c != t])
        if t in chosen:
            why = "" if adj >= min_score else f"the best tag: score {adj:.2f} >= first_min_score {first_min:g}"
            ranking.append(TagScore(t, s, "chosen", adj, why))
        elif s <= 0 and t in cancelled:
            ranking.append(TagScore(t, s, "cancelled", adj, "negative evidence outweighs the positive"))
        elif not chosen and s < first_min:
            ranking.append(TagScore(t, s, "below-threshold", adj, f"score {s:.2f} < first_min_score {first_min:g}"))
        elif s < min_score:
            ranking.append(TagScore(t, s, "below-threshold", adj, f"score {s:.2f} < min_score {min_score:g}"))
        elif adj < min_score:
            ranking.append(TagScore(t, s, "overlap", adj,
                                    f"shares an overlap group with a chosen tag: {s:.2f} × penalty = {adj:.2f} < {min_score:g}"))
        elif adj < rel * top:
            ranking.append(TagScore(t, s, "below-relative", adj, f"score {adj:.2f} < {rel:g} × top score {top:.2f}"))
        else:
            ranking.append(TagScore(t, s, "cut-by-limit", adj, f"{len(chosen)} tags already chosen (max {max_tags})"))
    return chosen, ranking


def score(hits: list[Hit], rules: list[Rule], doc: Document, settings: dict, max_tags: int) -> Scores:
    evidence = weigh(hits, rules, doc, settings)
    totals = total(evidence, settings)
    chosen, ranking = select(totals, settings, max_tags, evidence)
    return Scores(evidence, totals, ranking, chosen)
