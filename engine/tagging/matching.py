"""Matching: every keyword, pattern and fuzzy term of every rule against a
document, in one pass per kind, giving raw evidence (no scores yet)."""
from __future__ import annotations

import bisect
from typing import NamedTuple

from ..document.markdown import SCOPES, Document
from ..document.fold import fold_special
from ..packs.regexguard import WINDOW, finditer_windowed
from ..packs.model import Rule, RuleSet, norm_term

# Characters with no spaces between words (CJK, kana, hangul) are not
# word-bounded: a keyword like 数据库 matches inside a longer run.
_CJK_START = 0x2E80
_CJK = chr(_CJK_START)
_SEP = "\x00"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# Characters the text's normal form turns into spaces, or that separate
# segments: a literal holding one could be missed there, so its pattern
# always runs instead.
_UNSEEN = "\n\r\t\x00"


def _literal_key(lit: str) -> str:
    """A pattern literal (lower case already) in the text's normal form."""
    return lit.replace("-", " ").replace("_", " ")


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def normalize_text(text: str) -> str:
    """Same length as the input, so offsets map back without a table.
    Letters that re.IGNORECASE equates with ASCII ones (dotless ı, long ſ)
    become them, so pattern literals are found where their patterns match."""
    # Chained replace: several times faster than str.translate with a table.
    low = _lower_same_length(fold_special(text))
    return low.replace("-", " ").replace("_", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")


def _word_char(c: str) -> bool:
    """What the keyword loop counts as a word character (CJK does not)."""
    return c in _ASCII_ALNUM or ("\x7f" < c < _CJK and c.isalnum())


def _by_segment(hit: "Hit") -> int:
    return hit.segment


class Hit(NamedTuple):
    """One raw match: which rule/term, where in which segment. A named
    tuple: hundreds are made per README, and a frozen dataclass costs
    several times more to build."""

    rule: int  # index into Matcher.rules
    kind: str  # keyword | pattern | fuzzy | negative
    term: str  # the rule's term as written (pattern source for patterns)
    weight: float  # the term's own weight
    segment: int  # index into doc.segments
    start: int  # offset in the segment's text
    end: int
    matched: str  # the text that matched, as in the README


class Matcher:
    def __init__(self, ruleset: RuleSet):
        self.rules: list[Rule] = ruleset.rules
        self._automaton = None
        self._entries: dict[str, list[tuple[int, str, str, float]]] = {}
        for i, rule in enumerate(self.rules):
            for t in rule.keywords:
                self._entries.setdefault(norm_term(t.text), []).append((i, "keyword", t.text, t.weight))
            for t in rule.negative:
                self._entries.setdefault(norm_term(t.text), []).append((i, "negative", t.text, t.weight))
        self._entries.pop("", None)
        self._patterns = [(i, "pattern", p) for i, r in enumerate(self.rules) for p in r.patterns]
        self._patterns += [(i, "negative", p) for i, r in enumerate(self.rules) for p in r.negative_patterns]
        # A pattern runs only on the segments holding a literal of each of
        # its literal sets (prefilter.py); the first set alone decides which
        # patterns wake at all. The literals go into the keyword automaton,
        # so one pass over the text finds keywords and literals alike. Per
        # pattern: its sets as literal ids (None: it always runs).
        lit_ids: dict[str, int] = {}
        self._filters: list[tuple[tuple[int, ...], ...] | None] = []
        for _, _, p in self._patterns:
            sets = p.literals
            if sets is None or any(c in lit for lits in sets for lit in lits for c in _UNSEEN):
                self._filters.append(None)
                continue
            self._filters.append(tuple(
                tuple(sorted({lit_ids.setdefault(_literal_key(lit), len(lit_ids)) for lit in lits})) for lits in sets))
        self._literals = lit_ids
        self._always = [i for i, sets in enumerate(self._filters) if sets is None]
        self._by_literal: list[list[int]] = [[] for _ in lit_ids]
        for i, sets in enumerate(self._filters):
            for lit in sets[0] if sets else ():
                self._by_literal[lit].append(i)
        self._fuzzy = [(i, f) for i, r in enumerate(self.rules) for f in r.fuzzy]

    @property
    def automaton(self):
        """Keys: keywords and pattern literals in matching form; values:
        (length, keyword entries, literal id or -1, whether the key starts
        with a word character, whether it ends with one). A keyword is
        word-bounded only on a side where it has a word character, so the
        key's own side is settled once here, not at every occurrence."""
        if self._automaton is None:
            self._build_automata()
        return self._automaton

    def _build_automata(self) -> None:
        """The automaton of every key, and a small one for the scopes few
        rules look at (URLs of links, code: a third of a README's text,
        where the full automaton mostly finds words like "http" or "git"
        that no rule for those scopes asks for)."""
        import ahocorasick

        rules = self.rules
        values = {}
        for key in sorted(set(self._entries) | set(self._literals)):
            entries = tuple((ri, kind, term, w, rules[ri].scopes) for ri, kind, term, w in self._entries.get(key, ()))
            values[key] = (len(key), entries, self._literals.get(key, -1), _word_char(key[0]), _word_char(key[-1]))
        # The scopes each key can produce evidence in: its keywords' rules'
        # scopes, and those of the patterns its literal may wake.
        lit_scopes: dict[int, set] = {}
        for (ri, _, _), sets in zip(self._patterns, self._filters):
            for lit in {lit for lits in sets or () for lit in lits}:
                lit_scopes.setdefault(lit, set()).update(rules[ri].scopes)
        key_scopes = {key: set().union(*(e[4] for e in v[1]), lit_scopes.get(v[2], ()))
                      for key, v in values.items()}
        per_scope: dict[str, int] = {}
        for scopes in key_scopes.values():
            for sc in scopes:
                per_scope[sc] = per_scope.get(sc, 0) + 1
        # A scope is rare when at most 1 key in 20 is asked for in it.
        rare = frozenset(sc for sc in SCOPES if per_scope.get(sc, 0) * 20 <= len(values))
        main = ahocorasick.Automaton()
        for key, v in values.items():
            main.add_word(key, v)
        main.make_automaton()
        small = ahocorasick.Automaton()
        for key, v in values.items():
            if key_scopes[key] & rare:
                small.add_word(key, v)
        if len(small):
            small.make_automaton()
        self._rare = rare
        self._small = small if len(small) else None
        self._automaton = main

    def match(self, doc: Document) -> list[Hit]:
        segs = doc.segments
        if not segs:
            return []
        starts: list[int] = []
        pos = 0
        for s in segs:
            starts.append(pos)
            pos += len(s.text) + 1
        hay = _SEP.join(s.text for s in segs)
        hits: list[Hit] = []
        found: dict[int, list[int]] = {}  # literal id → segments holding it, ascending
        if self._entries or self._literals:
            automaton = self.automaton
            rare = self._rare
            few = [i for i, s in enumerate(segs) if s.scope in rare] if rare else ()
            if not few:
                self._keywords(segs, starts, hay, None, automaton, hits, found)
            else:
                # Segments of rare scopes go through the small automaton; the
                # evidence is put back in document order (a segment's hits stay
                # in the order found), and the literals' segments in ascending order.
                ids = [i for i, s in enumerate(segs) if s.scope not in rare]
                self._keywords(segs, None, None, ids, automaton, hits, found)
                if self._small is not None:
                    more: list[Hit] = []
                    found_more: dict[int, list[int]] = {}
                    self._keywords(segs, None, None, few, self._small, more, found_more)
                    if more:
                        hits += more
                        hits.sort(key=_by_segment)
                    for lit, seg_ids in found_more.items():
                        have = found.get(lit)
                        found[lit] = seg_ids if have is None else sorted({*have, *seg_ids})
        if self._patterns:
            self._pattern_hits(hay, starts, segs, hits, found)
        if self._fuzzy:
            hits.extend(self._fuzzy_hits(doc))
        return hits

    @staticmethod
    def _keywords(segs, starts, hay, ids, automaton, hits: list[Hit], found: dict[int, list[int]]) -> None:
        """One automaton pass over the segments ids (None: all, with their
        starts and joined text given): keyword hits in text order, and for
        each pattern literal the segments that hold it."""
        if ids is not None:
            starts = []
            pos = 0
            for i in ids:
                starts.append(pos)
                pos += len(segs[i].text) + 1
            hay = _SEP.join([segs[i].text for i in ids])
        low = normalize_text(hay)
        n = len(low)
        alnum = _ASCII_ALNUM
        bisect_right = bisect.bisect_right
        # Occurrences come by end offset, and none spans a separator: the
        # segment of `end` is found by one comparison until it changes.
        last = len(starts) - 1
        li, si, seg_end, scope = -1, -1, -1, ""
        for end, (length, entries, lit, left, right) in automaton.iter(low):
            if end >= seg_end:
                li = bisect_right(starts, end) - 1
                si = li if ids is None else ids[li]
                seg_end = starts[li + 1] if li < last else n
                scope = segs[si].scope
            if lit >= 0:
                seen = found.get(lit)
                if seen is None:
                    found[lit] = [si]
                elif seen[-1] != si:
                    seen.append(si)
                if not entries:
                    continue
            start = end - length + 1
            # Word-bounded unless CJK; inline tests, as this runs for
            # every occurrence (a set lookup settles ASCII, most text).
            if left and start > 0:
                c = low[start - 1]
                if c in alnum or ("\x7f" < c < _CJK and c.isalnum()):
                    continue
            if right and end + 1 < n:
                c = low[end + 1]
                if c in alnum or ("\x7f" < c < _CJK and c.isalnum()):
                    continue
            off = -1
            for ri, kind, term, w, scopes in entries:
                if scope in scopes:
                    if off < 0:
                        off = start - starts[li]
                        matched = hay[start:end + 1]
                    hits.append(Hit(ri, kind, term, w, si, off, off + length, matched))

    @staticmethod
    def _pattern_text(segs) -> str:
        """What patterns run over (compiled with re.MULTILINE): segments one
        per line, so ^ and $ mark a segment's start and end; a paragraph's
        line breaks become spaces, so a wrapped phrase still matches; code
        keeps its lines, so ^ is also the start of a line of code. Same
        length as the joined text, so offsets hold."""
        return "\n".join(s.text if s.scope in ("code", "code_lang") else s.text.replace("\n", " ") for s in segs)

    @staticmethod
    def _scope_runs(segs, starts: list[int], scopes) -> list[tuple[int, int]]:
        """Spans of consecutive segments in `scopes` (each to just past its
        last segment's end): a pattern never scans text it may not match in,
        such as the long code blocks of a README."""
        out: list[tuple[int, int]] = []
        open_at = -1
        for si, seg in enumerate(segs):
            if seg.scope in scopes:
                if open_at < 0:
                    open_at = starts[si]
                end = starts[si] + len(seg.text) + 1
            elif open_at >= 0:
                out.append((open_at, end))
                open_at = -1
        if open_at >= 0:
            out.append((open_at, end))
        return out

    def _pattern_hits(self, hay: str, starts: list[int], segs, hits: list[Hit], found: dict[int, list[int]]) -> None:
        """Every pattern, in rule order, over the segments where it can match:
        those holding one of its literals (found), or every segment in its
        scopes when it has none."""
        rules = self.rules
        text = self._pattern_text(segs)
        runs: dict[frozenset, list[tuple[int, int]]] = {}
        awake = set(self._always)
        by_literal = self._by_literal
        for lit in found:
            awake.update(by_literal[lit])
        patterns, filters = self._patterns, self._filters
        for i in sorted(awake):  # rule order, as if every pattern ran
            ri, kind, p = patterns[i]
            sets = filters[i]
            scopes = rules[ri].scopes
            if sets is not None:
                if len(sets) > 1:
                    # A segment must also hold a literal of every other set:
                    # most woken patterns miss a whole set, settled without
                    # building a set of segments.
                    for lits in sets[1:]:
                        for lit in lits:
                            if lit in found:
                                break
                        else:
                            break
                    else:
                        lits = None
                    if lits is not None:
                        continue
                seen = [found[lit] for lit in sets[0] if lit in found]
                if len(sets) == 1:
                    seg_ids = seen[0] if len(seen) == 1 else sorted(set().union(*seen))
                else:
                    both = set().union(*seen)
                    for lits in sets[1:]:
                        both &= set().union(*[found[lit] for lit in lits if lit in found])
                        if not both:
                            break
                    if not both:
                        continue
                    seg_ids = sorted(both)
                # Each span runs to just past its segment's end, so $ and
                # lookaheads there see what they see in the whole text.
                spans = [(starts[si], starts[si] + len(segs[si].text) + 1)
                         for si in seg_ids if segs[si].scope in scopes]
            else:
                spans = runs.get(scopes)
                if spans is None:
                    spans = runs[scopes] = self._scope_runs(segs, starts, scopes)
            for a, b in spans:
                b = min(b, len(text))
                # Windows bound the work of a slow pattern on a long span;
                # a short span (most segments) needs no windowing.
                found_iter = p.regex.finditer(text, a, b) if b - a <= WINDOW else finditer_windowed(p.regex, text, a, b)
                for m in found_iter:
                    x, y = m.start(), m.end()
                    if x == y:
                        continue
                    si = bisect.bisect_right(starts, x) - 1
                    if segs[si].scope not in scopes or y > starts[si] + len(segs[si].text):
                        continue  # a match never spans two segments
                    off = x - starts[si]
                    hits.append(Hit(ri, kind, p.source, p.weight, si, off, off + y - x, hay[x:y]))

    def _fuzzy_hits(self, doc: Document) -> list[Hit]:
        """Fuzzy terms against the words and word pairs of short, telling
        scopes only: a typo in a title matters, one in a code block does not."""
        import re

        from rapidfuzz import fuzz, process

        cands: list[tuple[str, int, int, int]] = []
        for si, seg in enumerate(doc.segments):
            if seg.scope not in ("title", "lede", "heading", "badge"):
                continue
            words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w.+#-]+", seg.text)]
            for j, (w, a, b) in enumerate(words):
                cands.append((w.lower(), si, a, b))
                if j + 1 < len(words):
                    cands.append((seg.text[a:words[j + 1][2]].lower(), si, a, words[j + 1][2]))
        if not cands:
            return []
        choices = [c[0] for c in cands]
        hits = []
        for ri, f in self._fuzzy:
            scopes = self.rules[ri].scopes
            for _, score, idx in process.extract(f.text.lower(), choices, scorer=fuzz.ratio,
                                                 score_cutoff=f.threshold, limit=None):
                _, si, a, b = cands[idx]
                seg = doc.segments[si]
                if seg.scope in scopes:
                    hits.append(Hit(ri, "fuzzy", f.text, f.weight, si, a, b, seg.text[a:b]))
        hits.sort(key=lambda h: (h.segment, h.start, h.rule, h.term))
        return hits
