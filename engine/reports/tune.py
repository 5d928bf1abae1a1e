"""`repotag rules tune`: fit rule multipliers and scoring settings on gold
READMEs, cross-validated, regularised toward the hand-written values.

Method: coordinate ascent on micro F1, one parameter at a time over a small
grid of values, keeping a value only when it beats the current one by more
than a penalty on its distance from the hand-written value
(`penalty` × |ln(value / hand-written)|). Why this and not, say, logistic
regression on per-rule contributions: the thresholds (min_score,
relative_min), the top-3 cut and the overlap penalty make the output a
non-smooth function of the weights, and what counts is the F1 of the tags
actually chosen; coordinate ascent optimises exactly that through the real
selection code, and every value it returns is one a person can read and
review as a YAML override. Each trial re-scores from evidence computed once
per README (rescore.py), and a rule's trial touches only the READMEs where
the rule fired, which is what keeps it fast.

Regularisation: multipliers stay within [1/max_factor, max_factor]; rules
are tuned only where they fired in at least `min_docs` training READMEs;
each change must pay for its distance from the hand-written value and may
not lower the F1 of any of `inner` groups of the training READMEs; and the
overlay keeps a change of the final fit (on all gold READMEs) only if,
across the K folds, that parameter's fitted values raised the F1 of the
held-back READMEs (the same change left out, everything else as fitted).

Cross-validation: READMEs are split into K folds by a hash of seed and id;
for each fold, tune fits on the other folds and the figures of the
held-back fold, untuned and tuned, are the ones that count. The same fit's
figures on its training folds are reported too, to show how much they
flatter. Deterministic: same gold, rules, folds and seed give the same
fit and the same overlay, byte for byte.
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

from .evaluate import Figures, figures
from .rescore import Corpus, Params

MAX_FACTOR = 2.0
MIN_DOCS = 3
PENALTY = 0.002
PASSES = 2
INNER = 3  # groups of the training READMEs that no accepted change may make worse
# Settings tune may change, and how far: min_score by factors like a rule,
# relative_min and overlap_penalty by steps within these bounds.
RELATIVE_MIN_RANGE = (0.0, 0.5)
OVERLAP_PENALTY_RANGE = (0.3, 1.0)


@dataclass(frozen=True)
class Param:
    key: str  # "rule:<id>", "setting:<name>" or "scope:<name>"
    kind: str  # rule | setting | scope
    name: str
    hand: float
    grid: tuple[float, ...]
    rule: int = -1  # index in Corpus.rules for rule parameters
    linear: bool = False  # distance |v - hand| × 4 instead of |ln(v / hand)|

    def distance(self, v: float) -> float:
        if v == self.hand:
            return 0.0
        if self.linear:
            return abs(v - self.hand) * 4
        return abs(math.log(v / self.hand))


def factor_grid(hand: float, max_factor: float, steps: int) -> tuple[float, ...]:
    """hand × max_factor^(k/steps), k = -steps..steps, rounded for a readable overlay."""
    out = {round(hand * max_factor ** (k / steps), 3) for k in range(-steps, steps + 1)}
    out.add(hand)
    return tuple(sorted(v for v in out if v > 0))


def step_grid(hand: float, step: float, lo: float, hi: float) -> tuple[float, ...]:
    out = {round(min(hi, max(lo, hand + k * step)), 3) for k in range(-4, 5)}
    out.add(hand)
    return tuple(sorted(out))


def parameters(corpus: Corpus, docs: list[int], max_factor: float = MAX_FACTOR,
               min_docs: int = MIN_DOCS) -> list[Param]:
    """What one fit may change: the settings, the scope factors, and every
    pack rule that fired in at least min_docs of these READMEs."""
    s = corpus.settings
    out = [
        Param("setting:min_score", "setting", "min_score", s["min_score"], factor_grid(s["min_score"], max_factor, 6)),
        Param("setting:relative_min", "setting", "relative_min", s["relative_min"],
              step_grid(s["relative_min"], 0.05, *RELATIVE_MIN_RANGE), linear=True),
        Param("setting:overlap_penalty", "setting", "overlap_penalty", s["overlap_penalty"],
              step_grid(s["overlap_penalty"], 0.1, *OVERLAP_PENALTY_RANGE), linear=True),
    ]
    if not s["overlap_groups"]:
        out.pop()  # no groups: the penalty changes nothing
    for scope, f in sorted(s["scope_factors"].items()):
        if f > 0:
            out.append(Param(f"scope:{scope}", "scope", scope, f, factor_grid(f, max_factor, 3)))
    in_docs = set(docs)
    for r, rule in enumerate(corpus.rules):
        if rule.pack == "<tag names>":
            continue  # made from the tag list, no id a pack could override
        n = sum(1 for d in corpus.docs_of_rule.get(r, ()) if d in in_docs)
        if n >= min_docs:
            out.append(Param(f"rule:{rule.id}", "rule", rule.id, 1.0, factor_grid(1.0, max_factor, 3), rule=r))
    return out


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


class Model:
    """Parameter values over a set of READMEs, with their predictions and
    micro counts kept current so a trial costs only what it changes."""

    def __init__(self, corpus: Corpus, docs: list[int], values: dict[str, float] | None = None,
                 params: dict[str, Param] | None = None, groups: dict[int, int] | None = None):
        self.corpus = corpus
        self.docs = list(docs)
        # Inner groups of the READMEs (see fit): counts are kept per group too.
        self.group = groups or {d: 0 for d in self.docs}
        self.gcounts = [[0, 0, 0] for _ in range(max(self.group.values(), default=0) + 1)]
        self.p = corpus.hand()
        self.values: dict[str, float] = {}
        self.totals = {d: corpus.totals(corpus.cases[d], self.p) for d in self.docs}
        self.pred = {d: corpus.choose(corpus.cases[d], self.totals[d], self.p) for d in self.docs}
        self.counts = [0, 0, 0]
        for d in self.docs:
            for i, v in enumerate(self._counts(d, self.pred[d])):
                self.counts[i] += v
                self.gcounts[self.group[d]][i] += v
        for key, v in (values or {}).items():
            self.commit(params[key], v)

    def _counts(self, d: int, pred: list[int]) -> tuple[int, int, int]:
        g = set(self.corpus.cases[d].gold)
        ps = set(pred)
        return len(ps & g), len(ps - g), len(g - ps)

    def _with(self, param: Param, v: float) -> Params:
        p = self.p
        if param.kind == "rule":
            mult = dict(p.mult)
            if v == 1.0:
                mult.pop(param.rule, None)
            else:
                mult[param.rule] = v
            return Params(mult, p.scope, p.settings)
        if param.kind == "scope":
            scope = dict(p.scope)
            if v == param.hand:
                scope.pop(param.name, None)
            else:
                scope[param.name] = v
            return Params(p.mult, scope, p.settings)  # tag_totals reads Params.scope
        settings = dict(p.settings)
        settings[param.name] = v
        return Params(p.mult, p.scope, settings)

    def _changes(self, param: Param, p: Params) -> dict[int, tuple[dict, list[int]]]:
        """New totals and predictions of the READMEs a value of param changes."""
        c = self.corpus
        out = {}
        if param.kind == "rule":
            tag = c.rules[param.rule].tag
            floor = p.settings["min_score"]
            # With no overlap bonus, a tag below min_score before and after,
            # and not the top score either time, changes nothing select()
            # decides: most trials move such scores, and skipping select()
            # for them is most of tune's speed.
            cheap = p.settings["overlap_penalty"] <= 1
            for d in c.docs_of_rule.get(param.rule, ()):
                if d not in self.totals:
                    continue
                totals = dict(self.totals[d])
                old = totals.get(tag, 0.0)
                new = totals[tag] = c.tag_totals(c.cases[d], tag, p)
                if cheap and old < floor and new < floor and \
                        max((v for t, v in totals.items() if t != tag), default=0.0) > max(old, new):
                    out[d] = (totals, self.pred[d])
                else:
                    out[d] = (totals, c.choose(c.cases[d], totals, p))
        elif param.kind == "scope":
            for d in self.docs:
                totals = c.totals(c.cases[d], p)
                out[d] = (totals, c.choose(c.cases[d], totals, p))
        else:
            for d in self.docs:
                out[d] = (self.totals[d], c.choose(c.cases[d], self.totals[d], p))
        return out

    def trial(self, param: Param, v: float) -> tuple[list[int], dict, list[list[int]]]:
        """Micro counts (overall and per group) if param had value v (nothing committed)."""
        p = self._with(param, v)
        changes = self._changes(param, p)
        counts = list(self.counts)
        gcounts = [list(g) for g in self.gcounts]
        for d, (_, pred) in changes.items():
            if pred != self.pred[d]:
                old, new = self._counts(d, self.pred[d]), self._counts(d, pred)
                g = gcounts[self.group[d]]
                for i in range(3):
                    counts[i] += new[i] - old[i]
                    g[i] += new[i] - old[i]
        return counts, changes, gcounts

    def commit(self, param: Param, v: float, trial=None) -> None:
        counts, changes, gcounts = trial if trial is not None else self.trial(param, v)
        self.p = self._with(param, v)
        for d, (totals, pred) in changes.items():
            self.totals[d], self.pred[d] = totals, pred
        self.counts, self.gcounts = counts, gcounts
        if v == param.hand:
            self.values.pop(param.key, None)
        else:
            self.values[param.key] = v

    def f1(self) -> float:
        return f1(*self.counts)

    def predictions(self) -> dict[str, list[int]]:
        return {self.corpus.cases[d].id: self.pred[d] for d in self.docs}


def fit(corpus: Corpus, docs: list[int], seed: int = 0, max_factor: float = MAX_FACTOR,
        min_docs: int = MIN_DOCS, penalty: float = PENALTY, passes: int = PASSES,
        inner: int = INNER) -> tuple[dict[str, float], dict[str, Param]]:
    """Coordinate ascent from the hand-written values; returns the changed
    values by parameter key, and every parameter considered.

    The READMEs are split into `inner` groups, and a value is taken only if
    no group's F1 gets worse: a change that helps some READMEs by hurting
    others is as likely to be fitting noise as a real improvement, and
    held-back READMEs showed it (see README, "rules tune")."""
    ids = [corpus.cases[d].id for d in docs]
    groups = dict(zip(docs, folds_of(ids, inner, seed + 1))) if inner > 1 else None
    params = parameters(corpus, docs, max_factor, min_docs)
    settings = [p for p in params if p.kind != "rule"]
    rules = [p for p in params if p.kind == "rule"]
    # The visiting order of rules is the seed's: a different seed is a
    # different (equally valid) path, the same seed the same fit.
    random.Random(seed).shuffle(rules)
    model = Model(corpus, docs, groups=groups)
    for _ in range(passes):
        moved = False
        for param in settings + rules:
            cur = model.values.get(param.key, param.hand)
            best_v, best_j, best_trial = cur, model.f1() - penalty * param.distance(cur), None
            for v in param.grid:
                if v == cur:
                    continue
                t = model.trial(param, v)
                if any(f1(*new) < f1(*old) - 1e-12 for new, old in zip(t[2], model.gcounts)):
                    continue
                j = f1(*t[0]) - penalty * param.distance(v)
                # Ties keep the value nearer the hand-written one.
                if j > best_j + 1e-12 or (abs(j - best_j) <= 1e-12 and param.distance(v) < param.distance(best_v)):
                    best_v, best_j, best_trial = v, j, t
            if best_v != cur:
                model.commit(param, best_v, best_trial)
                moved = True
        if not moved:
            break
    return dict(model.values), {p.key: p for p in params}


def folds_of(ids: list[str], k: int, seed: int) -> list[int]:
    """Fold of each README: READMEs ordered by a hash of seed and id, then
    dealt round-robin, so folds differ in size by at most one and do not
    depend on the order of the gold file's lines."""
    order = sorted(range(len(ids)), key=lambda i: hashlib.blake2b(f"{seed}\0{ids[i]}".encode(), digest_size=8).digest())
    fold = [0] * len(ids)
    for n, i in enumerate(order):
        fold[i] = n % k
    return fold


@dataclass
class FoldResult:
    fold: int
    train_docs: int
    test_docs: int
    changes: int
    train_untuned: Figures
    train_tuned: Figures
    test_untuned: Figures
    test_tuned: Figures


@dataclass
class Change:
    param: Param
    value: float
    gain: float  # held-back micro F1 with the folds' values of this parameter minus without
    folds: int  # folds whose fit changed this parameter
    kept: bool


@dataclass
class TuneResult:
    docs: int
    failed: list[str]
    k: int
    seed: int
    max_factor: float
    min_docs: int
    penalty: float
    folds: list[FoldResult]
    pooled_untuned: Figures  # every README scored by the fit that did not see it
    pooled_tuned: Figures
    changes: list[Change]  # the final fit's changes, kept or not
    final_tuned: Figures  # the overlay on all gold READMEs (flatters it)

    @property
    def final_untuned(self) -> Figures:
        """The hand-written values on all gold READMEs: no fold ever fits
        them, so these are the pooled untuned figures."""
        return self.pooled_untuned

    @property
    def kept(self) -> list[Change]:
        return [c for c in self.changes if c.kept]

    @property
    def improves(self) -> bool:
        """The held-back folds, pooled, score better tuned than untuned."""
        return self.pooled_tuned.micro.f1 > self.pooled_untuned.micro.f1


def _figs(corpus: Corpus, pred: dict[str, list[int]], docs: list[int]) -> Figures:
    return figures(pred, {corpus.cases[d].id: list(corpus.cases[d].gold) for d in docs})


def tune(corpus: Corpus, k: int = 5, seed: int = 0, max_factor: float = MAX_FACTOR, min_docs: int = MIN_DOCS,
         penalty: float = PENALTY, passes: int = PASSES, progress=None, inner: int = INNER) -> TuneResult:
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    n = len(corpus.cases)
    if n < k:
        raise ValueError(f"{n} gold README(s) cannot be split into {k} folds")
    fold = folds_of([c.id for c in corpus.cases], k, seed)
    every = list(range(n))
    hand = Model(corpus, every)
    results: list[FoldResult] = []
    fitted: list[tuple[dict, dict, Model]] = []  # each fold's fit and its held-back model
    pooled: dict[str, list[int]] = {}
    for f in range(k):
        train = [d for d in every if fold[d] != f]
        test = [d for d in every if fold[d] == f]
        values, params = fit(corpus, train, seed, max_factor, min_docs, penalty, passes, inner)
        tuned_train = Model(corpus, train, values, params)
        tuned_test = Model(corpus, test, values, params)
        fitted.append((values, params, tuned_test))
        pooled.update(tuned_test.predictions())
        hp = hand.predictions()  # _figs scores only the gold ids of the docs given
        results.append(FoldResult(
            f, len(train), len(test), len(values),
            _figs(corpus, hp, train), _figs(corpus, tuned_train.predictions(), train),
            _figs(corpus, hp, test), _figs(corpus, tuned_test.predictions(), test)))
        if progress:
            progress()
    values, params = fit(corpus, every, seed, max_factor, min_docs, penalty, passes, inner)
    if progress:
        progress()
    changes = _held_back_gains(corpus, values, params, fitted)
    kept = {c.param.key: c.value for c in changes if c.kept}
    final = Model(corpus, every, kept, params)
    return TuneResult(n, [c.id for c in corpus.cases if c.error], k, seed, max_factor, min_docs, penalty, results,
                      _figs(corpus, hand.predictions(), every), _figs(corpus, pooled, every), changes,
                      _figs(corpus, final.predictions(), every))


def _held_back_gains(corpus: Corpus, values: dict, params: dict, fitted: list) -> list[Change]:
    """For each change of the final fit: pooled over the folds, the held-back
    micro F1 with each fold's fit minus the same with this one parameter back
    at its hand-written value. A change no fold made has no held-back
    evidence for it and is not kept."""
    models = [(m, fvalues, fparams) for fvalues, fparams, m in fitted]
    base = [sum(m.counts[i] for m, _, _ in models) for i in range(3)]
    out = []
    for key in sorted(values):
        param = params[key]
        counts = list(base)
        folds = 0
        for m, fvalues, fparams in models:
            if key not in fvalues:
                continue
            folds += 1
            trial, _, _ = m.trial(fparams[key], fparams[key].hand)
            for i in range(3):
                counts[i] += trial[i] - m.counts[i]
        gain = f1(*base) - f1(*counts)
        out.append(Change(param, values[key], gain, folds, folds > 0 and gain > 1e-12))
    return out
