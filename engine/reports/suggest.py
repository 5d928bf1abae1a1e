"""`repotag rules suggest`: mine candidate keywords (and negatives) for a tag
from gold READMEs, as a YAML snippet a rule author reviews and pastes.

Where phrases come from: what a README says it is: the title, the lede,
the headings, and its defining sentences (the first sentence of each
paragraph before the first heading, and any early sentence saying "X is a
..."). Install steps and licence text are not mined: they say little about
the kind of project and would drown the signal.

The statistic: the log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words"), z-scored, on document
counts. Group 1 is the READMEs gold-tagged with the tag, the ones the rules
miss counting double ("above all the ones the rules miss"); group 2 all the
others; the prior is each phrase's share over the whole gold set, so a
phrase frequent everywhere ("open source") scores near zero however often
it occurs. Candidate negatives: the same statistic with the tag's false
positives as group 1 and the READMEs that do carry the tag as group 2.

Kept only: phrases in at least `min_docs` READMEs of group 1, not starting
or ending with a stop-word, not already matched by a keyword or pattern of
that tag (for negatives: by one of its negatives); near-duplicates
(rapidfuzz ratio >= NEAR_DUP) are grouped under the best-ranked one.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ..packs.model import norm_term
from .corpus import Run, tag_corpus
from .evaluate import figures, gold_items, load_gold, tag_name

MAX_N = 4
MIN_DOCS = 2
MIN_Z = 1.96  # a phrase must separate the groups at about the 5 % level
PRIOR = 10.0  # alpha_0: how many pseudo-READMEs the prior weighs
MISSED_WEIGHT = 2.0
NEAR_DUP = 88.0
SNIPPET = 80

STOP = frozenset("""
a an the and or but nor of to in on at by for with from into onto over under about as is are was were be been
being am do does did has have had having it its this that these those there here their they them you your yours
we our us he she his her i me my mine not no yes so than then too very can could should would will shall may
might must just also only more most some any all each every both either neither other such own same few many
much one two three via vs etc e.g i.e using use used based new like what which who whom whose when where why how
if while after before up down out off again further once get got make made see see also now well way per
it's that's don't can't isn't you're we're let's
""".split()) | frozenset("""
readme docs doc documentation guide introduction intro overview features feature example examples demo demos
english chinese 中文 table contents toc usage install installation quick start started license screenshot
screenshots faq support note notes todo status about more info information project projects repo repository
version latest release releases link links website home github simple fast easy free open source
""".split())
# Words of any README: not evidence of a kind of project (the prior would
# mostly neutralise them, but with a handful of READMEs per tag it cannot).

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|[;:()\[\]|]|\s[-–—]\s")
_WORD = re.compile(r"\w[\w.+#']*")
_DEFINES = re.compile(r"\b(is|are) (a|an|the)\b", re.I)
EARLY_PROSE = 8  # prose paragraphs, from the top, searched for "X is a ..."


@dataclass
class Doc:
    id: str
    gold: frozenset
    pred: frozenset
    # phrase → (README line, the text it came from) where it first occurs
    phrases: dict[str, tuple[int, str]] = field(default_factory=dict)
    error: str | None = None


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s and s.strip()]


def _words(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(norm_term(text)):
        w = w.rstrip(".'")
        if w:
            out.append(w)
    return out


def _ok(gram: tuple[str, ...]) -> bool:
    if gram[0] in STOP or gram[-1] in STOP:
        return False
    if any(w.isdigit() or len(w) < 2 and w.isascii() or "http" in w or "." in w and len(w) > 12 for w in gram):
        return False
    return True


def _boilerplate(section: str, settings: dict | None) -> bool:
    """A section the pack discounts (installation, licence, contributing...)."""
    if not section or not settings:
        return False
    return any(f < 1 and rx.search(section) for rx, f in settings["section_factors"])


def phrases_of(doc, settings: dict | None = None) -> dict[str, tuple[int, str]]:
    """1-4-word phrases of a parsed README's title, lede, headings and
    defining sentences, each with the first line it occurs on; sections the
    pack's section_factors discount are skipped."""
    found: dict[str, tuple[int, str]] = {}

    def add(text: str, line: int) -> None:
        for sent in _sentences(text):
            words = _words(sent)
            for n in range(1, MAX_N + 1):
                for i in range(len(words) - n + 1):
                    gram = tuple(words[i:i + n])
                    if _ok(gram):
                        found.setdefault(" ".join(gram), (line, " ".join(text.split())[:SNIPPET]))

    early = 0
    for seg in doc.segments:
        if _boilerplate(seg.section, settings):
            continue
        if seg.scope in ("title", "lede", "heading"):
            add(seg.text, seg.line)
        elif seg.scope in ("prose", "list"):
            if seg.intro:
                first = _sentences(seg.text)
                if first:
                    add(first[0], seg.line)
            if seg.scope == "prose" and early < EARLY_PROSE:
                early += 1
                for sent in _sentences(seg.text):
                    if _DEFINES.search(sent):
                        add(sent, seg.line)
    return found


def read_docs(tagger, gold_path, on_error=None) -> list[Doc]:
    """Each gold README tagged once: its gold tags, the rules' tags, its phrases.
    A README that cannot be read counts as untagged with no phrases."""
    docs = load_gold(gold_path, tagger.tags)
    out = []
    for d, t in zip(docs, tag_corpus(tagger, gold_items(gold_path, docs), Run(), len(docs), "reading")):
        doc = Doc(d.id, frozenset(d.tags), frozenset())
        if t.result is None:
            doc.error = t.error
            if on_error:
                on_error(t.error)
        else:
            doc.pred = frozenset(t.result.tags)
            doc.phrases = phrases_of(t.result.document, tagger.settings)
        out.append(doc)
    return out


def log_odds(y1: float, n1: float, y2: float, n2: float, alpha: float, alpha0: float) -> float:
    """z-score of the log-odds ratio of a phrase between two groups, with an
    informative Dirichlet prior (Monroe et al. 2008, eq. 16 and 18)."""
    d1 = math.log((y1 + alpha) / (n1 + alpha0 - y1 - alpha))
    d2 = math.log((y2 + alpha) / (n2 + alpha0 - y2 - alpha))
    return (d1 - d2) / math.sqrt(1 / (y1 + alpha) + 1 / (y2 + alpha))


@dataclass
class Candidate:
    phrase: str
    z: float
    with_tag: int  # READMEs of group 1 (gold-tagged; for negatives, false positives)
    without: int  # READMEs of group 2
    missed: int  # READMEs with the tag the rules miss (positives only)
    example: tuple[str, int, str]  # (README id, line, text)
    variants: list[str] = field(default_factory=list)


def _covered(phrase: str, terms: list[str], patterns: list) -> bool:
    """Matched by a term or pattern already, or a part of a term ("command" of
    "command line": what the longer keyword says, only vaguer)."""
    padded = f" {phrase} "
    return (any(f" {t} " in padded or padded in f" {t} " for t in terms)
            or any(p.search(phrase) for p in patterns))


def _rank(group1: list[Doc], group2: list[Doc], weight1, terms, patterns, min_docs: int, top: int, missed=frozenset()):
    """Counts are of READMEs (a phrase said ten times in one README is one
    README's evidence); n1, n2 are the groups' sizes, group 1 weighted."""
    c1, c2, docs1, in_missed = Counter(), Counter(), Counter(), Counter()
    n1 = 0.0
    for d in group1:
        w = weight1(d)
        n1 += w
        for p in d.phrases:
            c1[p] += w
            docs1[p] += 1
            in_missed[p] += d.id in missed
    for d in group2:
        for p in d.phrases:
            c2[p] += 1
    n2 = len(group2)
    if not n1 or not n2:
        return []
    # The prior: each phrase's share of all READMEs, weighing PRIOR READMEs.
    df = Counter({p: docs1[p] + c2.get(p, 0) for p in c1})
    total = len(group1) + n2
    scored = []
    for p, y1 in c1.items():
        if docs1[p] < min_docs or _covered(p, terms, patterns):
            continue
        if missed and not in_missed[p]:
            continue  # says nothing about the READMEs the rules miss: no recall to gain
        y2 = c2.get(p, 0)
        z = log_odds(y1, n1, y2, n2, PRIOR * df[p] / total, PRIOR)
        if z >= MIN_Z:
            scored.append((p, z, docs1[p], y2))
    # Equal evidence: the longer phrase first, it is the more specific keyword.
    scored.sort(key=lambda s: (-round(s[1], 9), -s[0].count(" "), s[0]))
    from rapidfuzz import fuzz

    out: list[Candidate] = []
    for p, z, n_with, n_without in scored:
        home = next((c for c in out if fuzz.ratio(c.phrase, p) >= NEAR_DUP
                     or f" {p} " in f" {c.phrase} " or f" {c.phrase} " in f" {p} "), None)
        if home is not None:
            home.variants.append(p)
            continue
        if len(out) >= top:
            continue
        ex = sorted((d.id not in missed, d.id, d.phrases[p]) for d in group1 if p in d.phrases)[0]
        out.append(Candidate(p, z, n_with, n_without, sum(1 for d in group1 if d.id in missed and p in d.phrases),
                             (ex[1], ex[2][0], ex[2][1])))
    return out


@dataclass
class TagSuggestions:
    tag: int
    name: str
    gold: int
    missed: int
    false_pos: int
    files: list[str]
    keywords: list[Candidate]
    negatives: list[Candidate]


def suggest(tagger, docs: list[Doc], tags: list[int], top: int = 10, min_docs: int = MIN_DOCS) -> list[TagSuggestions]:
    out = []
    for t in tags:
        rules = [r for r in tagger.rules if r.tag == t]
        kw = [norm_term(k.text) for r in rules for k in r.keywords]
        pats = [p.regex for r in rules for p in r.patterns]
        neg = [norm_term(k.text) for r in rules for k in r.negative]
        neg_pats = [p.regex for r in rules for p in r.negative_patterns]
        pos = [d for d in docs if t in d.gold]
        rest = [d for d in docs if t not in d.gold]
        missed = frozenset(d.id for d in pos if t not in d.pred)
        fps = [d for d in rest if t in d.pred]
        keywords = _rank(pos, rest, lambda d: MISSED_WEIGHT if d.id in missed else 1.0, kw, pats, min_docs, top, missed)
        # A negative that is itself a keyword of the tag would cancel the very
        # match it stands for; phrases around a keyword are what negatives are.
        negatives = [c for c in _rank(fps, pos, lambda d: 1.0, neg, neg_pats, min_docs, top + len(kw))
                     if c.phrase not in kw][:top]
        files = sorted({r.loc.file for r in rules if r.pack != "<tag names>"})
        out.append(TagSuggestions(t, tag_name(tagger.tags, t), len(pos), len(missed), len(fps), files, keywords, negatives))
    return out


def weak_tags(docs: list[Doc], limit: int) -> list[int]:
    """Tags of the gold set, worst F1 first (ties: more errors first), as eval --per-tag orders them."""
    figs = figures({d.id: list(d.pred) for d in docs}, {d.id: list(d.gold) for d in docs})
    return [t.tag for t in figs.worst_first() if t.tp + t.fn][:limit]


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())


def yaml_snippet(s: TagSuggestions, gold_name: str, rel=lambda f: f) -> str:
    where = ", ".join(rel(f) for f in s.files) or "no rule file yet"
    lines = [
        f"# {s.name} (id {s.tag}): {s.gold} gold READMEs, {s.missed} missed by the rules, "
        f"{s.false_pos} false positive(s); rules in {where}",
    ]
    if not s.keywords and not s.negatives:
        lines.append(f"# nothing separates {s.name} READMEs from the rest in {gold_name} "
                     f"(at least {MIN_DOCS} READMEs and z >= {MIN_Z:g} needed)")
        return "\n".join(lines) + "\n"
    lines += [
        "# Paste under `rules:` of that file and review every term; counts are READMEs",
        "# (keywords: with the tag / without it; negatives: false positives / with the tag).",
        f"  - id: {s.name.lower().replace(' ', '-')}/suggested",
        f"    description: Mined by `repotag rules suggest` from {gold_name}; review before keeping.",
        "    scopes: [title, lede, heading, prose]",
    ]

    def entry(c: Candidate, counts: str) -> str:
        ex_id, ex_line, ex_text = c.example
        also = f"; also {', '.join(_q(v) for v in c.variants[:3])}" if c.variants else ""
        return (f"      - {_q(c.phrase)}  # {counts}, z {c.z:.1f}{also}; "
                f"{ex_id}:{ex_line} {_q(_comment(ex_text))}")

    if s.keywords:
        lines.append("    keywords:")
        for c in s.keywords:
            lines.append(entry(c, f"{c.with_tag} / {c.without} ({c.missed} missed)"))
    if s.negatives:
        lines.append("    negative:")
        for c in s.negatives:
            lines.append(entry(c, f"{c.with_tag} false positive(s) / {c.without}"))
    return "\n".join(lines) + "\n"


def json_data(items: list[TagSuggestions]) -> list[dict]:
    def cand(c: Candidate) -> dict:
        return {"phrase": c.phrase, "z": round(c.z, 3), "with_tag": c.with_tag, "without": c.without,
                "missed": c.missed, "example": {"id": c.example[0], "line": c.example[1], "text": c.example[2]},
                "variants": c.variants}

    return [{"tag": s.tag, "name": s.name, "gold": s.gold, "missed": s.missed, "false_positives": s.false_pos,
             "files": s.files, "keywords": [cand(c) for c in s.keywords],
             "negatives": [cand(c) for c in s.negatives]} for s in items]
