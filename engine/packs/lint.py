"""`repotag rules lint`: every problem the loader finds, plus checks that
need the whole loaded pack (keywords across tags, risky regexes, coverage).

The loader's problems are errors: a pack with any of them does not load.
The checks added here are warnings, except `backtracking`: a pattern that can
take exponential time on a README hangs a batch, so it is an error too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .discover import Pack, in_paths, packs_for_paths
from .model import Loc, Problem, Rule, RuleSet, norm_term
from .read import YList, YMap, collect_packs, read_yaml
from .taglist import TagList

try:  # Python 3.11+
    from re import _constants as _sc
    from re import _parser as _sre
except ImportError:  # Python 3.10
    import sre_constants as _sc  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

WARNINGS = {
    "keyword-two-tags": "the same keyword counts for two tags",
    "duplicate-keyword": "the same keyword twice for one tag",
    "near-duplicate": "two keywords differ by one mistyped or two swapped letters of a long word (a typo?)",
    "regex-keyword": "a keyword that looks like a regex (keywords are literal)",
    "unbounded-keyword": "a keyword that begins or ends with punctuation, so is not word-bounded there",
    "unbounded-pattern": "a pattern that begins or ends with a letter and no \\b",
    "no-rule": "a tag of the list in use that no rule covers (matched by its name only)",
    "no-example": "a tag with rules but no positive or no negative example",
}
NEAR_RATIO = 90  # rapidfuzz ratio: one edit in ten characters
NEAR_MIN_LEN = 5  # shorter terms are near-duplicates of half the vocabulary
# Edges that are part of the name: .net, @nestjs; c++, c#.
_EDGE_OK = {"begins": ".@", "ends": "+#"}


@dataclass(frozen=True)
class Finding:
    problem: Problem
    severity: str  # error | warning

    def as_dict(self) -> dict:
        loc = self.problem.loc
        return {"file": loc.file, "line": loc.line, "col": loc.col, "code": self.problem.code,
                "severity": self.severity, "message": self.problem.message}


def _q(s: str) -> str:
    """Quoted as written: a regex's backslashes are not doubled as repr() would."""
    return f"'{s}'"


def severity(code: str) -> str:
    return "warning" if code in WARNINGS else "error"


# ---------------------------------------------------------------- regex checks

_REPEATS = {_sc.MAX_REPEAT, _sc.MIN_REPEAT}


def _variable(lo: int, hi: int) -> bool:
    return hi == _sc.MAXREPEAT or hi - lo >= 10


def _unspaced(c: str) -> bool:
    """A letter of a script written without spaces between words (CJK, kana, hangul, Thai)."""
    o = ord(c)
    return 0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF or 0x0E00 <= o <= 0x0EFF


def _letter_edge(items, first: bool) -> bool:
    """Whether the regex's first (last) character is a literal letter with no
    \\b or lookaround before (after) it."""
    items = list(items)
    if not items:
        return False
    op, av = items[0] if first else items[-1]
    if op == _sc.LITERAL:
        # CJK and kana have no word boundaries to miss: '前端框架' is bounded as written.
        return chr(av).isalpha() and not _unspaced(chr(av))
    if op in _REPEATS:
        lo, _, sub = av
        return lo >= 1 and _letter_edge(sub, first)
    if op == _sc.SUBPATTERN:
        return _letter_edge(av[-1], first)
    if op == _sc.BRANCH:
        return any(_letter_edge(b, first) for b in av[1])
    return False


def _pattern_findings(rule: Rule, inside=lambda f: True) -> list[Problem]:
    out = []
    for p in rule.patterns + rule.negative_patterns:
        if not inside(p.loc.file):
            continue
        try:
            tree = list(_sre.parse(p.source))
        except (re.error, RecursionError):
            continue
        ends = [side for side, first in (("starts", True), ("ends", False)) if _letter_edge(tree, first)]
        if ends:
            out.append(Problem(p.loc, f"pattern {_q(p.source)} {' and '.join(ends)} with a letter and no \\b: "
                                      "it also matches inside longer words", "unbounded-pattern"))
    return out


# ---------------------------------------------------------------- keyword checks

_REGEXY = re.compile(r"\\[bBdDwWsS]|\.\*|\.\+|\(\?|\[[^\]]*\]|[|^$]")


def _keyword_shape(t, what: str) -> list[Problem]:
    out = []
    text = t.text.strip()
    if _REGEXY.search(text):
        out.append(Problem(t.loc, f"{what} {_q(t.text)} looks like a regex, but {what}s are matched literally "
                                  "(move it to patterns:)", "regex-keyword"))
        return out
    for side, ch in (("begins", text[:1]), ("ends", text[-1:])):
        if ch and not ch.isalnum() and ch not in _EDGE_OK[side] and ch not in "-_":
            out.append(Problem(t.loc, f"{what} {_q(t.text)} {side} with {ch!r}: it is not word-bounded there "
                                      "and matches inside longer words", "unbounded-keyword"))
    return out


def _typo(a: str, b: str) -> bool:
    """Whether two keywords differ the way a slip of the keyboard makes them:
    in one word of six letters or more, one letter swapped for another
    (not the last, where inflections live: containers/containerd) or
    two neighbours transposed (tensorflwo). Spelling variants (modelling,
    humour), inflections (store/storage) and other words (ntp/ftp server,
    curses/courses) are written on purpose: matching is exact."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    pairs = [(x, y) for x, y in zip(wa, wb) if x != y]
    if len(pairs) != 1:
        return False
    x, y = pairs[0]
    if len(x) != len(y) or len(x) < 6:
        return False
    diff = [i for i, (c, d) in enumerate(zip(x, y)) if c != d]
    if len(diff) == 1:
        return diff[0] < len(x) - 1
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]


def _grouped(groups: list, a: int, b: int) -> bool:
    return any(a in g and b in g for g in groups)


def _keyword_findings(rules: list[Rule], tags: TagList, groups: list, inside: "_Inside | None" = None) -> list[Problem]:
    """Keywords written twice. Intended and silent: the same keyword in rules
    of one tag that count in different scopes (a title/lede rule and a
    heading rule), and a keyword shared by two tags that pack.yml groups
    (overlap_groups: near-synonyms; shared_vocabulary: neighbours). Reported: the rest."""
    out = []
    first: dict[str, tuple[Rule, object]] = {}
    seen: dict[str, list[tuple[Rule, object]]] = {}
    for r in rules:
        for t in r.keywords:
            key = norm_term(t.text)
            earlier = seen.setdefault(key, [])
            first.setdefault(key, (r, t))
            for r0, t0 in earlier:
                if r0.tag == r.tag and r0.scopes & r.scopes:
                    where = ", ".join(sorted(r0.scopes & r.scopes))
                    out.append(Problem(t.loc, f"keyword {_q(t.text)} is already a keyword of tag {_name(tags, r.tag)!r} "
                                              f"at {t0.loc} ({r0.id}), and both count in {where}: it counts twice there",
                                       "duplicate-keyword"))
                    break
                if r0.tag != r.tag and not _grouped(groups, r0.tag, r.tag):
                    out.append(Problem(t.loc, f"keyword {_q(t.text)} counts for tag {_name(tags, r.tag)!r} here and for "
                                              f"{_name(tags, r0.tag)!r} at {t0.loc} ({r0.id}); if both tags truly apply, "
                                              "name the pair in pack.yml's shared_vocabulary", "keyword-two-tags"))
                    break
            earlier.append((r, t))
    out += _near_duplicates(first, tags, inside or _Inside(None))
    return out


def _near_pairs(keys: list[str], first: dict, inside: "_Inside"):
    """(a, b, ratio) with a < b for near keywords; unless every file is reported on, just the pairs
    with a keyword in those files: comparing all pairs is most of a lint, and
    an editor re-linting one file needs only that file's pairs."""
    from rapidfuzz import fuzz, process

    if inside.everything:
        for i, a in enumerate(keys):
            for b, score, _ in process.extract(a, keys[i + 1:], scorer=fuzz.ratio, score_cutoff=NEAR_RATIO, limit=None):
                yield a, b, score
        return
    focus = [k for k in keys if inside(first[k][1].loc.file)]
    pairs = {}
    for a in focus:
        for b, score, _ in process.extract(a, keys, scorer=fuzz.ratio, score_cutoff=NEAR_RATIO, limit=None):
            if b != a:
                pairs[(min(a, b), max(a, b))] = score
    for (a, b), score in sorted(pairs.items()):
        yield a, b, score


def _near_duplicates(first: dict, tags: TagList, inside: "_Inside") -> list[Problem]:
    keys = sorted(k for k in first if len(k) >= NEAR_MIN_LEN)
    out = []
    for a, b, score in _near_pairs(keys, first, inside):
        if not _typo(a, b):
            continue
        (ra, ta), (rb, tb) = first[a], first[b]
        # Reported at the later of the two, so the older keyword is the reference.
        (r1, t1), (r2, t2) = sorted([(ra, ta), (rb, tb)], key=lambda x: (x[1].loc.file, x[1].loc.line, x[1].loc.col))
        out.append(Problem(t2.loc, f"keyword {_q(t2.text)} ({_name(tags, r2.tag)}) is nearly {_q(t1.text)} "
                                   f"({_name(tags, r1.tag)}, {t1.loc}), ratio {score:.0f}: a typo?", "near-duplicate"))
    return out


def _name(tags: TagList, tid) -> str:
    t = tags.by_id.get(tid)
    return t.name.strip() if t else str(tid)


# ---------------------------------------------------------------- coverage

def _tag_locs(tags: TagList) -> dict[int, Loc]:
    """Where each tag stands in its JSON file (JSON is YAML, so the rule
    loader's walker gives the positions)."""
    src = Path(tags.source)
    data = read_yaml(src, []) if src.is_file() else None
    out = {}
    if isinstance(data, YList):
        for item, loc in zip(data, data.locs):
            if isinstance(item, YMap):
                t = tags.resolve(item.get("id"))
                if t is not None:
                    out.setdefault(t.id, item.vallocs.get("name", loc))
    return out


def _coverage_findings(rs: RuleSet) -> list[Problem]:
    locs = _tag_locs(rs.tags)
    covered = {r.tag for r in rs.rules}
    return [Problem(locs.get(t.id, Loc(rs.tags.source, 1)),
                    f"no rule for tag {t.name.strip()!r}: it is matched by its name only", "no-rule")
            for t in rs.tags if t.id not in covered]


def _example_findings(rs: RuleSet, inside: "_Inside") -> list[Problem]:
    pos = {t for e in rs.examples for t in e.tags}
    neg = {t for e in rs.examples for t in e.not_tags}
    out, done = [], set()
    for r in rs.rules:
        if r.tag in done or not inside(r.loc.file):
            continue
        done.add(r.tag)
        lacks = [w for w, s in (("positive (tags:)", pos), ("negative (not:)", neg)) if r.tag not in s]
        if lacks:
            out.append(Problem(r.loc, f"tag {_name(rs.tags, r.tag)!r} has no {' and no '.join(lacks)} example",
                               "no-example"))
    return out


# ---------------------------------------------------------------- entry point

class _Inside:
    """Whether a file is one reported on (in_paths), memoised: in_paths
    resolves the path on disk, and a lint asks for every term."""

    def __init__(self, only: set[str] | None):
        self.only = only
        self.everything = only is None
        self._seen: dict[str, bool] = {}

    def __call__(self, file: str) -> bool:
        v = self._seen.get(file)
        if v is None:
            v = self._seen[file] = in_paths(file, self.only)
        return v


def lint(paths, in_use: list[Pack], tags: TagList) -> list[Finding]:
    """Findings for PATHs (rule files or pack folders; none: the packs in use),
    sorted by file, line and column. The packs in use are loaded too, so the
    overrides of a plugin pack resolve, but only PATHs are reported on."""
    packs, only = packs_for_paths(paths, in_use)
    rs, problems = collect_packs(packs, tags)
    return lint_collected(rs, problems, paths, only)


def lint_collected(rs: RuleSet, problems: list[Problem], paths=(), only: set[str] | None = None) -> list[Finding]:
    """lint() on packs already collected (collect_packs' result and problems),
    so an editor that loads the pack anyway does not load it twice."""
    problems = list(problems)
    inside = _Inside(only)
    rules = rs.rules + rs.dropped
    # Each shape finding stands at its own term's place: terms of files not
    # reported on (an editor re-linting one file) are not checked at all.
    for r in rules:
        for t in r.keywords:
            if inside(t.loc.file):
                problems += _keyword_shape(t, "keyword")
        for t in r.negative:
            if inside(t.loc.file):
                problems += _keyword_shape(t, "negative term")
        problems += _pattern_findings(r, inside)
    problems += _keyword_findings(rs.rules, rs.tags,
                                  [*rs.settings.get("overlap_groups", []), *rs.settings.get("shared_vocabulary", [])], inside)
    problems += _example_findings(rs, inside)
    whole = [p for p in map(Path, paths or ()) if p.is_dir()]
    coverage = _coverage_findings(rs) if not paths or whole else []
    found = [p for p in problems if inside(p.loc.file)] + coverage
    unique = {(p.loc.file, p.loc.line, p.loc.col, p.code, p.message): p for p in found}
    ordered = sorted(unique.values(), key=lambda p: (p.loc.file, p.loc.line, p.loc.col, p.code, p.message))
    return [Finding(p, severity(p.code)) for p in ordered]
