"""Rules as plain data: what a loaded rule pack is made of.

Reading and checking YAML lives in read.py, which a run with the rule cache
warm never imports; load.py chooses between the two.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from .taglist import TagList

DEFAULT_SCOPES = ("title", "lede", "heading", "prose", "list", "table", "badge", "image")
MAX_WEIGHT = 10.0
PACK_FILE = "pack.yml"


def _pickled_by_constructor(cls):
    """Pickle as `cls(*fields)`. The rule cache holds ~18,000 of these objects
    and unpickling them is most of a warm `repotag tag README.md`: a frozen
    slots dataclass's own __setstate__ calls dataclasses.fields() per object
    and takes about twice as long as calling the constructor."""
    get = attrgetter(*cls.__match_args__)

    def __reduce__(self):
        return cls, get(self)

    cls.__reduce__ = __reduce__
    return cls


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Loc:
    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    loc: Loc
    message: str
    code: str = "error"

    def __str__(self) -> str:
        return f"{self.loc}: {self.code}: {self.message}"


class RuleLoadError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written
    weight: float
    loc: Loc


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    weight: float
    loc: Loc
    # Sets of literals such that every match contains one of each
    # (prefilter.py), or None: a segment without one of every set never
    # runs the pattern.
    literals: tuple[frozenset, ...] | None = None

    @property
    def regex(self) -> re.Pattern:
        """Compiled on first use: a cached rule pack then loads without
        compiling hundreds of patterns a one-README run never wakes."""
        rx = _COMPILED.get(self.source)
        if rx is None:
            rx = _COMPILED[self.source] = re.compile(self.source, PATTERN_FLAGS)
        return rx


PATTERN_FLAGS = re.IGNORECASE | re.MULTILINE
_COMPILED: dict[str, re.Pattern] = {}


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Fuzzy:
    text: str
    threshold: float
    weight: float
    loc: Loc


@_pickled_by_constructor
@dataclass(slots=True)
class Rule:
    id: str
    tag: int
    loc: Loc
    pack: str
    weight: float = 1.0
    scopes: frozenset = frozenset(DEFAULT_SCOPES)
    description: str = ""
    keywords: list[Term] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)
    fuzzy: list[Fuzzy] = field(default_factory=list)
    negative: list[Term] = field(default_factory=list)
    negative_patterns: list[Pattern] = field(default_factory=list)
    # The rule's own (scope, factor) pairs, replacing the pack's for its hits.
    scope_factors: tuple = ()
    # False: the pack's section_factors (install, licence, ... sections) do not apply.
    section_factors: bool = True
    # Overrides and the disable applied by later files, in order (for `rules list`).
    changes: list["Change"] = field(default_factory=list)
    # A multiplier fitted by `repotag rules tune` (an override's `tuned:`),
    # kept apart from the hand-written weight so explain can show both.
    tuned: float = 1.0


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Change:
    """An `override:` entry or a `disable:` item of a rule file."""

    kind: str  # override | disable
    rule_id: str
    loc: Loc
    pack: str
    fields: dict = field(default_factory=dict)  # override: the rule fields it replaces

    def __str__(self) -> str:
        what = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.kind}{what} at {self.loc}"


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Example:
    text: str
    tags: tuple  # tag ids that must be assigned
    not_tags: tuple  # tag ids that must not be assigned
    loc: Loc


@dataclass
class RuleSet:
    rules: list[Rule]
    examples: list[Example]
    settings: dict
    tags: TagList
    files: list[str] = field(default_factory=list)
    disabled: list[Rule] = field(default_factory=list)  # rules some `disable:` removed
    dropped: list[Rule] = field(default_factory=list)  # rules of tags not in the list in use


def norm_term(s: str) -> str:
    """The matching form of a keyword: lower case, '-'/'_' as spaces, single spaces."""
    return " ".join(s.lower().replace("-", " ").replace("_", " ").split())


# The `engine` package folder: the wheel puts the rule data and tag list
# there, a source checkout keeps them beside it.
_PACKAGE = Path(__file__).resolve().parent.parent


def builtin_dir() -> Path:
    """The built-in pack: inside the installed package, or the source tree's rules/."""
    for cand in (_PACKAGE / "rules", _PACKAGE.parent / "rules"):
        if cand.is_dir():
            return cand
    return _PACKAGE / "rules"


def builtin_tags() -> Path:
    for cand in (_PACKAGE / "tags.json", _PACKAGE.parent / "tags.json"):
        if cand.is_file():
            return cand
    return _PACKAGE / "tags.json"


def rule_files(pack_dir: Path) -> list[Path]:
    """Rule files of a pack, in a stable order independent of the file system."""
    files = [p for p in pack_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file() and p.name != PACK_FILE]
    return sorted(files, key=lambda p: p.relative_to(pack_dir).as_posix())
