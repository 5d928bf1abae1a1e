"""The Tagger: rules loaded once, then text → document → evidence → scores → tags."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..document import markdown as document
from ..document import parsers
from .matching import Matcher
from ..packs.discover import discover
from ..packs.model import Loc, Rule, RuleSet, Term, builtin_tags
from ..packs.load import load_packs
from .scoring import Evidence, Scores, TagScore, score
from ..packs.taglist import TagList


@dataclass
class TagResult:
    tags: list[int]
    names: list[str]
    scores: dict[int, float]
    evidence: list[Evidence]
    ranking: list[TagScore]
    document: document.Document


def _name_rules(tags: TagList, rules: list[Rule]) -> list[Rule]:
    """Tags that no rule knows are matched by their own name."""
    covered = {r.tag for r in rules}
    out = []
    for t in tags:
        if t.id not in covered:
            out.append(Rule(id=f"name/{t.key}", tag=t.id, loc=Loc(tags.source, 1), pack="<tag names>",
                            keywords=[Term(t.name.strip(), 1.0, Loc(tags.source, 1))]))
    return out


def load_taglist(tags: str | Path | TagList | None) -> TagList:
    """The tag list in use: a TagList, a tags.json path, or the built-in list."""
    return tags if isinstance(tags, TagList) else TagList.from_file(tags or builtin_tags())


class Tagger:
    _default: "Tagger | None" = None

    def __init__(self, ruleset: RuleSet, max_tags: int | None = None, parser: str | None = "auto"):
        self.ruleset = ruleset
        # "python" or "rust": which parser reads Markdown (same results; raises
        # ParserUnavailable for "rust" without markdown-it-pyrs).
        self.parser = parsers.resolve(parser)
        self.tags = ruleset.tags
        self.rules = ruleset.rules + _name_rules(ruleset.tags, ruleset.rules)
        self.settings = ruleset.settings
        self.max_tags = ruleset.settings["max_tags"] if max_tags is None else max_tags
        self.matcher = Matcher(RuleSet(self.rules, [], self.settings, self.tags))

    @classmethod
    def default(cls) -> "Tagger":
        if cls._default is None:
            cls._default = cls.from_paths()
        return cls._default

    @classmethod
    def from_paths(cls, rule_dirs=(), tags: str | Path | TagList | None = None, builtin: bool = True,
                   max_tags: int | None = None, plugins: bool = True, parser: str | None = "auto") -> "Tagger":
        """The packs in use (engine.packs.discover: built-in, installed plugins,
        REPOTAG_RULES unless plugins=False), then each of rule_dirs;
        tags: a tags.json path or TagList; parser: auto, python or rust."""
        return cls(load_packs(discover(rule_dirs, builtin, plugins), load_taglist(tags)), max_tags, parser)

    def tag(self, text: str, max_tags: int | None = None) -> TagResult:
        return self.tag_document(parsers.parse(text, self.parser), max_tags)

    def tag_document(self, doc: document.Document, max_tags: int | None = None) -> TagResult:
        """tag() of an already parsed README: a corpus tagged again after a
        rule edit (`repotag serve`) is parsed once, not once per edit."""
        hits = self.matcher.match(doc)
        n = self.max_tags if max_tags is None else max_tags
        s: Scores = score(hits, self.rules, doc, self.settings, n)
        names = [self.tags.by_id[t].name for t in s.chosen]
        return TagResult(s.chosen, names, s.totals, s.evidence, s.ranking, doc)
