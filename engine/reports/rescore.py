"""Evidence once per README, scores many times: the cache `rules tune` fits on.

Tagging a README (parse, match, weigh, cancel) is what costs; summing the
evidence and choosing tags is cheap. So each gold README is tagged once with
the hand-written rules, its surviving evidence is kept as plain tuples, and a
trial with other rule multipliers, scope factors or thresholds only re-sums
and re-selects: for a rule multiplier, only the READMEs where that rule
fired, and only that rule's tag in them.

The re-sum follows scoring.total() step for step (repeat decay in order of
strength, exact fsum) and the choice is scoring.select() itself, so with
hand-written values a case predicts exactly what `repotag tag` does
(Corpus.mismatches counts any README where it would not).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..packs.model import norm_term
from ..tagging.scoring import select
from .corpus import Run, tag_corpus
from .evaluate import gold_items, load_gold

# One piece of evidence: rule index, weight (term × rule, hand-written),
# scope (None where the rule sets its own factor), scope factor as weighed (intro factor included), section factor,
# and the tie-break of scoring.total()'s strongest-first order.
Item = tuple  # (rule, weight, scope, scope_factor, section_factor, (line, segment, start, rule_id))


@dataclass
class Case:
    """One gold README as tune sees it."""

    id: str
    gold: tuple[int, ...]
    # tag → [(negative, [items])]: the repeat-decay groups of scoring.total()
    groups: dict[int, list[tuple[bool, list[Item]]]] = field(default_factory=dict)
    # Evidence that select() reads to tell "cancelled" from "below threshold".
    cancelled: list = field(default_factory=list)
    rules: frozenset = frozenset()  # indices of the rules with live evidence here
    tagged: list[int] = field(default_factory=list)  # what the Tagger chose
    error: str | None = None


@dataclass
class Params:
    """The values a trial scores with: rule multipliers by rule index, scope
    factors that differ from the hand-written ones, and the settings."""

    mult: dict[int, float]
    scope: dict[str, float]
    settings: dict


class Corpus:
    """Gold READMEs tagged once; re-scored under any Params."""

    def __init__(self, tagger, cases: list[Case]):
        self.tagger = tagger
        self.rules = tagger.rules
        self.settings = tagger.settings
        self.max_tags = tagger.max_tags
        self.cases = cases
        self.docs_of_rule: dict[int, list[int]] = {}
        for d, c in enumerate(cases):
            for r in c.rules:
                self.docs_of_rule.setdefault(r, []).append(d)

    @classmethod
    def from_gold(cls, tagger, gold_path, on_error=None) -> "Corpus":
        """Tag each README of a gold file once. A README that cannot be read
        or tagged stays in the corpus as an untagged case (as in eval) and
        is reported through on_error."""
        docs = load_gold(gold_path, tagger.tags)
        index = {r.id: i for i, r in enumerate(tagger.rules)}
        cases = []
        tagged = tag_corpus(tagger, gold_items(gold_path, docs), Run(), len(docs), "reading")
        for d, t in zip(docs, tagged):
            case = Case(d.id, d.tags)
            if t.result is None:
                case.error = t.error
                if on_error:
                    on_error(t.error)
            else:
                _fill(case, t.result, index, tagger.rules)
            cases.append(case)
        return cls(tagger, cases)

    def hand(self) -> Params:
        return Params({}, {}, dict(self.settings))

    def tag_totals(self, case: Case, tag: int, p: Params) -> float:
        """scoring.total() for one tag of one README, with p's multipliers."""
        decay = p.settings["repeat_decay"]
        hand_sf = self.settings["scope_factors"]
        parts = []
        for negative, items in case.groups[tag]:
            ranked = []
            for rule, weight, scope, sf, secf, key in items:
                m = p.mult.get(rule)
                w = weight if m is None else weight * m
                f = p.scope.get(scope)
                # A changed scope factor scales what was weighed (intro factor
                # included) by new / hand-written.
                s = sf if f is None else sf * (f / hand_sf[scope])
                ranked.append((-(w * s * secf), key))
            ranked.sort()
            for k, (neg_base, _) in enumerate(ranked):
                c = -neg_base * decay ** k
                parts.append(-c if negative else c)
        return math.fsum(parts)

    def totals(self, case: Case, p: Params) -> dict[int, float]:
        return {t: self.tag_totals(case, t, p) for t in case.groups}

    def choose(self, case: Case, totals: dict[int, float], p: Params) -> list[int]:
        if case.error:
            return []
        chosen, _ = select(totals, p.settings, self.max_tags, case.cancelled)
        return chosen

    def predict(self, p: Params) -> dict[str, list[int]]:
        return {c.id: self.choose(c, self.totals(c, p), p) for c in self.cases}

    def mismatches(self) -> list[str]:
        """Ids where re-scoring with hand-written values differs from the
        Tagger: empty unless scoring changed in a way this module does not
        follow (then tune's figures would not be repotag's)."""
        hand = self.hand()
        return [c.id for c in self.cases if not c.error and self.choose(c, self.totals(c, hand), hand) != c.tagged]


def _fill(case: Case, res, index: dict[str, int], rules_in_use) -> None:
    case.tagged = list(res.tags)
    groups: dict[tuple, list[Item]] = {}
    rules = set()
    seen_cancel = set()
    for e in res.evidence:
        if e.cancelled_by or e.kind == "negative":
            if e.tag not in seen_cancel:
                seen_cancel.add(e.tag)
                case.cancelled.append(e)
        if e.cancelled_by:
            continue
        r = index[e.rule_id]
        rules.add(r)
        # A rule with its own factor for this scope does not follow the
        # pack's: a trial of the pack's factor leaves it (scope None).
        scope = None if e.scope in dict(rules_in_use[r].scope_factors) else e.scope
        # e.weight holds term × rule × tuned; tune loads the packs without an
        # overlay, so tuned is 1 and this is the hand-written weight.
        item = (r, e.weight, scope, e.scope_factor, e.section_factor, (e.line, e.segment, e.start, e.rule_id))
        groups.setdefault((e.tag, e.kind == "negative", norm_term(e.matched)), []).append(item)
    for (tag, negative, _), items in groups.items():
        case.groups.setdefault(tag, []).append((negative, items))
    case.rules = frozenset(rules)
