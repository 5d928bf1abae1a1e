"""Literal prefilters for rule regexes.

Most rule patterns cannot match a given README: '\\b(my|personal) (\\w+ ){0,2}blog\\b'
needs "blog" somewhere. Python's re scans every position of the text for such
a pattern (no literal prefix to skip to), so running a hundred of them costs
more than parsing the Markdown. `required_literals` reads a pattern's syntax
tree and returns sets of strings such that every match contains one of each
set; a segment without one of every set is skipped for that pattern. The test is a
necessary condition only, so the matches found are exactly those of running
every pattern everywhere.
"""
from __future__ import annotations

import functools

try:  # Python >= 3.11
    import re._constants as _c
    import re._parser as _p
except ImportError:  # Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

def _caseless(c: str) -> bool:
    """A character re.IGNORECASE cannot match in another form (CJK, kana,
    digits, punctuation): safe as part of a literal."""
    return c.lower() == c == c.upper() and c.casefold() == c


_MAX_SET = 64  # cross products of alternatives beyond this are not worth spelling out


def _seq(items) -> tuple[list[frozenset], frozenset | None]:
    """(candidates, exact) of a sequence. Each candidate is a set of strings
    one of which appears in every match; exact is the finite set of strings
    the sequence matches, when it is nothing but literals and alternatives
    of literals (else None)."""
    cands: list[frozenset] = []
    run: frozenset | None = frozenset(("",))  # strings the literals since the last break spell
    exact = True

    def close_run():
        nonlocal run
        if run and all(run):
            cands.append(run)
        run = frozenset(("",))

    def extend(strings):
        nonlocal run
        prod = frozenset(a + b for a in run for b in strings)
        if len(prod) > _MAX_SET:
            close_run()
            cands.append(frozenset(strings))
        else:
            run = prod

    for op, av in items:
        if op is _c.LITERAL and (av < 128 or _caseless(chr(av))):
            extend((chr(av).lower(),))
            continue
        if op is _c.AT:  # zero-width: the literals either side stay adjacent
            continue
        if op is _c.SUBPATTERN:
            sub, sub_exact = _seq(av[-1])
            if sub_exact is not None:
                extend(sub_exact)
                continue
            exact = False
            close_run()
            best = _best(sub)
            if best:
                cands.append(best)
            continue
        if op is _c.BRANCH:
            alts = [_seq(alt) for alt in av[1]]
            if all(e is not None for _, e in alts):
                extend(frozenset().union(*(e for _, e in alts)))
                continue
            exact = False
            close_run()
            bests = [_best(c + ([e] if e is not None else [])) for c, e in alts]
            if all(bests):
                cands.append(frozenset().union(*bests))
            continue
        exact = False
        close_run()
        if op in _REPEATS and av[0] >= 1:
            sub, sub_exact = _seq(av[2])
            best = _best(sub + ([sub_exact] if sub_exact is not None else []))
            if best:
                cands.append(best)
    if exact:
        return cands, run
    close_run()
    return cands, None


_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op is not None)


# Words in nearly every paragraph: a literal made of nothing else (" for ",
# "is a") wakes its pattern almost everywhere, so another set is preferred.
_COMMON = frozenset(
    "a an and are as at be by can for from has have in is it its of on or that the this to use using "
    "with you your".split())


def _strength(lit: str) -> int:
    """How rare a literal is, roughly: its length, a CJK character (a word
    of its own) counting as three letters."""
    return sum(1 if c < "\x80" else 3 for c in lit)


def _weak(c: frozenset) -> bool:
    return any(_strength(lit.strip()) < 3 or all(w in _COMMON for w in lit.split()) for lit in c)


def _selectivity(c: frozenset) -> tuple:
    return (not _weak(c), min(map(_strength, c)), -len(c), sorted(c))


def _best(cands: list[frozenset]) -> frozenset | None:
    """The most selective set: no common words, longest shortest literal,
    then fewest literals."""
    cands = [c for c in cands if c and all(c)]
    if not cands:
        return None
    return max(cands, key=_selectivity)


# Further sets narrow where a pattern runs (a segment must hold a literal of
# each); only fairly long literals are worth the extra automaton hits.
MAX_SETS = 3
MIN_EXTRA_STRENGTH = 3


# Pure in the source: an editor reloading a pack on every change (`repotag
# serve`) re-checks only the patterns it has not seen.
@functools.lru_cache(maxsize=8192)
def required_literals(source: str, flags: int = 0) -> tuple[frozenset, ...] | None:
    """Sets of lower-case strings such that every match of the pattern
    contains one string of each set (the most selective set first), or None
    when no such set is known (the pattern always runs).

    "\\b(is|as) an? ([\\w-]+ ){0,3}(os|kernel)\\b" gives ({"is a", "as a"},):
    both sets are necessary, but "os" is too short to be worth looking for."""
    try:
        tree = _p.parse(source, flags)
    except Exception:  # the rule loader has validated it; never fail here
        return None
    cands, exact = _seq(list(tree))
    cands = [c for c in cands + ([exact] if exact is not None else []) if c and all(c)]
    best = _best(cands)
    # Single letters are in every README: no use as a filter (and each
    # occurrence costs a step of the literal scan).
    if best is None or min(map(_strength, best)) < 2:
        return None
    extra = sorted({c for c in cands if c != best and min(map(_strength, c)) >= MIN_EXTRA_STRENGTH and not _weak(c)},
                   key=_selectivity, reverse=True)
    return (best, *extra[:MAX_SETS - 1])
