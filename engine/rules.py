"""Rule loading: YAML rule packs into validated, plain-data rules.

YAML is composed with the safe loader and walked node by node, so every value
keeps its file:line:col and no YAML tag can construct an object. Problems are
collected and raised together as RuleLoadError; nothing here prints.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import rulecache
from .document import SCOPES
from .taglist import TagList

DEFAULT_SCOPES = ("title", "lede", "heading", "prose", "list", "table", "badge", "image")
MAX_WEIGHT = 10.0
PACK_FILE = "pack.yml"

_SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}


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


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written
    weight: float
    loc: Loc


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    weight: float
    loc: Loc
    regex: re.Pattern


@dataclass(frozen=True, slots=True)
class Fuzzy:
    text: str
    threshold: float
    weight: float
    loc: Loc


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


def norm_term(s: str) -> str:
    """The matching form of a keyword: lower case, '-'/'_' as spaces, single spaces."""
    return " ".join(s.lower().replace("-", " ").replace("_", " ").split())


# ---------------------------------------------------------------- YAML walking

class YMap(dict):
    """A mapping that remembers where each key and value stood."""

    loc: Loc
    keylocs: dict
    vallocs: dict


class YList(list):
    loc: Loc
    locs: list


def _loc(file: str, mark) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


def _convert(node, file: str, problems: list[Problem]):
    import yaml

    if node.tag not in _SAFE_TAGS:
        problems.append(Problem(_loc(file, node.start_mark), f"YAML tag {node.tag!r} is not allowed in rule files"))
        return None
    if isinstance(node, yaml.MappingNode):
        m = YMap()
        m.loc, m.keylocs, m.vallocs = _loc(file, node.start_mark), {}, {}
        for knode, vnode in node.value:
            key = _convert(knode, file, problems)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                problems.append(Problem(_loc(file, knode.start_mark), "a mapping key must be a plain value"))
                continue
            if key in m:
                problems.append(Problem(_loc(file, knode.start_mark), f"duplicate key {key!r}"))
            m[key] = _convert(vnode, file, problems)
            m.keylocs[key] = _loc(file, knode.start_mark)
            m.vallocs[key] = _loc(file, vnode.start_mark)
        return m
    if isinstance(node, yaml.SequenceNode):
        lst = YList()
        lst.loc, lst.locs = _loc(file, node.start_mark), []
        for item in node.value:
            lst.append(_convert(item, file, problems))
            lst.locs.append(_loc(file, item.start_mark))
        return lst
    return yaml.constructor.SafeConstructor().construct_object(node)


def read_yaml(path: Path, problems: list[Problem]):
    # Imported here: with the rule cache warm, `repotag tag` never needs YAML.
    import yaml

    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(Loc(file, 1), f"not UTF-8: {exc.reason} at byte {exc.start}"))
        return None
    except OSError as exc:
        problems.append(Problem(Loc(file, 1), f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(file, mark) if mark else Loc(file, 1)
        problems.append(Problem(loc, f"invalid YAML: {exc.problem or exc.context}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(Loc(file, 1), f"invalid YAML: {exc}"))
        return None
    if node is None:
        return None
    return _convert(node, file, problems)


# ---------------------------------------------------------------- validation

FILE_KEYS = ("tag", "rules", "examples", "description", "disable", "override")
RULE_KEYS = ("id", "tag", "description", "weight", "scopes", "keywords", "patterns", "fuzzy", "negative")
EXAMPLE_KEYS = ("text", "tags", "not", "description")


def _unknown_keys(m: YMap, allowed, what: str, problems: list[Problem]) -> None:
    for key in m:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            tip = f" (did you mean {hint[0]!r}?)" if hint else f" (allowed: {', '.join(allowed)})"
            problems.append(Problem(m.keylocs[key], f"unknown key {key!r} in {what}{tip}", "unknown-key"))


def _weight(value, loc: Loc, problems: list[Problem], allow_zero=False) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(Problem(loc, f"weight must be a number, not {type(value).__name__} {value!r}", "wrong-type"))
        return None
    if not (0 <= value <= MAX_WEIGHT) or (value == 0 and not allow_zero):
        problems.append(Problem(loc, f"weight {value} is out of range (0, {MAX_WEIGHT:g}]", "weight-range"))
        return None
    return float(value)


def _terms(value, vloc: Loc, what: str, problems: list[Problem], extra=()) -> list[tuple[str, float, Loc, dict]]:
    """A list of `term` or `{term: ..., weight: ...}` items."""
    out = []
    if value is None:
        return out
    if not isinstance(value, YList):
        problems.append(Problem(vloc, f"{what} must be a list", "wrong-type"))
        return out
    key = "pattern" if what == "patterns" else "term"
    for item, loc in zip(value, value.locs):
        if isinstance(item, str):
            text, weight, more = item, 1.0, {}
        elif isinstance(item, YMap):
            _unknown_keys(item, (key, "weight", *extra), f"an item of {what}", problems)
            text = item.get(key)
            w = item.get("weight", 1.0)
            weight = _weight(w, item.vallocs.get("weight", loc), problems)
            more = {k: (item[k], item.vallocs[k]) for k in extra if k in item}
            if weight is None:
                continue
            if not isinstance(text, str):
                problems.append(Problem(loc, f"an item of {what} needs `{key}:` with a string", "wrong-type"))
                continue
        else:
            problems.append(Problem(loc, f"an item of {what} must be a string or a mapping, not {item!r}", "wrong-type"))
            continue
        if not text.strip():
            problems.append(Problem(loc, f"empty {key} in {what}", "empty"))
            continue
        out.append((text, weight, loc, more))
    return out


def _tag_ref(value, loc: Loc, tags: TagList, problems: list[Problem]) -> int | None:
    tag = tags.resolve(value)
    if tag is None:
        hint = difflib.get_close_matches(str(value).strip().lower(), [t.key for t in tags], n=1)
        tip = f" (did you mean {hint[0]!r}?)" if hint else ""
        problems.append(Problem(loc, f"unknown tag {value!r} (not in {tags.source}){tip}", "unknown-tag"))
        return None
    return tag.id


def _rule(m, loc: Loc, file_tag, pack: str, tags: TagList, problems: list[Problem]) -> Rule | None:
    if not isinstance(m, YMap):
        problems.append(Problem(loc, "a rule must be a mapping with at least `id:` and `keywords:`", "wrong-type"))
        return None
    n0 = len(problems)
    _unknown_keys(m, RULE_KEYS, "a rule", problems)
    rid = m.get("id")
    if not isinstance(rid, str) or not rid.strip():
        problems.append(Problem(m.loc, "a rule needs an `id:` string such as ai/deep-learning", "missing-id"))
        return None
    if "tag" in m:
        tag = _tag_ref(m["tag"], m.vallocs["tag"], tags, problems)
    elif file_tag is not None:
        tag = file_tag
    else:
        problems.append(Problem(m.loc, f"rule {rid!r} has no `tag:` and the file sets none", "missing-tag"))
        return None
    rule = Rule(id=rid, tag=tag if tag is not None else -1, loc=m.loc, pack=pack)
    if "weight" in m:
        w = _weight(m["weight"], m.vallocs["weight"], problems)
        rule.weight = w if w is not None else 1.0
    if "description" in m:
        if not isinstance(m["description"], str):
            problems.append(Problem(m.vallocs["description"], "description must be a string", "wrong-type"))
        else:
            rule.description = m["description"]
    if "scopes" in m:
        sc = m["scopes"]
        if not isinstance(sc, YList) or not all(isinstance(s, str) for s in sc):
            problems.append(Problem(m.vallocs["scopes"], f"scopes must be a list of: {', '.join(SCOPES)}", "wrong-type"))
        else:
            for s, sloc in zip(sc, sc.locs):
                if s not in SCOPES:
                    hint = difflib.get_close_matches(s, SCOPES, n=1)
                    tip = f" (did you mean {hint[0]!r}?)" if hint else f" (known: {', '.join(SCOPES)})"
                    problems.append(Problem(sloc, f"unknown scope {s!r}{tip}", "unknown-scope"))
            rule.scopes = frozenset(s for s in sc if s in SCOPES)
    for text, w, tloc, _ in _terms(m.get("keywords"), m.vallocs.get("keywords", m.loc), "keywords", problems):
        rule.keywords.append(Term(text, w, tloc))
    neg = m.get("negative")
    if isinstance(neg, YList):
        # A negative item may be a regex: {pattern: ..., weight: ...}.
        terms, pats = YList(), YList()
        terms.loc = pats.loc = neg.loc
        terms.locs, pats.locs = [], []
        for item, iloc in zip(neg, neg.locs):
            dst = pats if isinstance(item, YMap) and "pattern" in item and "term" not in item else terms
            dst.append(item)
            dst.locs.append(iloc)
        neg_terms = _terms(terms, neg.loc, "negative", problems)
        for text, w, tloc, _ in _terms(pats, neg.loc, "patterns", problems):
            try:
                rule.negative_patterns.append(Pattern(text, w, tloc, re.compile(text, re.IGNORECASE)))
            except re.error as exc:
                problems.append(Problem(tloc, f"invalid regex {text!r}: {exc}", "bad-regex"))
    else:
        neg_terms = _terms(neg, m.vallocs.get("negative", m.loc), "negative", problems)
    for text, w, tloc, _ in neg_terms:
        rule.negative.append(Term(text, w, tloc))
    for text, w, tloc, _ in _terms(m.get("patterns"), m.vallocs.get("patterns", m.loc), "patterns", problems):
        try:
            rx = re.compile(text, re.IGNORECASE)
        except re.error as exc:
            problems.append(Problem(tloc, f"invalid regex {text!r}: {exc}", "bad-regex"))
            continue
        rule.patterns.append(Pattern(text, w, tloc, rx))
    for text, w, tloc, more in _terms(m.get("fuzzy"), m.vallocs.get("fuzzy", m.loc), "fuzzy", problems, ("threshold",)):
        thr, thr_loc = more.get("threshold", (90, tloc))
        if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 50 <= thr <= 100:
            problems.append(Problem(thr_loc, f"fuzzy threshold must be a number in [50, 100], not {thr!r}", "wrong-type"))
            continue
        rule.fuzzy.append(Fuzzy(text, float(thr), w, tloc))
    if not (rule.keywords or rule.patterns or rule.fuzzy or rule.negative or rule.negative_patterns) and len(problems) == n0:
        problems.append(Problem(m.loc, f"rule {rid!r} has no keywords, patterns, fuzzy or negative terms", "empty-rule"))
    if tag is None or len(problems) > n0:
        return None
    return rule


def _examples(value, vloc: Loc, file_tag, tags: TagList, problems: list[Problem]) -> list[Example]:
    out: list[Example] = []
    if not isinstance(value, YList):
        problems.append(Problem(vloc, "examples must be a list of {text:, tags: [...], not: [...]}", "wrong-type"))
        return out
    for item, loc in zip(value, value.locs):
        if not isinstance(item, YMap) or not isinstance(item.get("text"), str):
            problems.append(Problem(loc, "an example needs `text:` (a string) and `tags:` or `not:`", "wrong-type"))
            continue
        _unknown_keys(item, EXAMPLE_KEYS, "an example", problems)
        lists = {}
        for key in ("tags", "not"):
            raw = item.get(key, [])
            if not isinstance(raw, list):
                problems.append(Problem(item.vallocs[key], f"`{key}:` must be a list of tag names", "wrong-type"))
                raw = []
            ids = []
            for ref in raw:
                tid = _tag_ref(ref, item.vallocs[key], tags, problems)
                if tid is not None:
                    ids.append(tid)
            lists[key] = tuple(ids)
        if not lists["tags"] and not lists["not"]:
            problems.append(Problem(loc, "an example needs `tags:` or `not:`", "empty"))
            continue
        out.append(Example(item["text"], lists["tags"], lists["not"], loc))
    return out


def load_rule_file(path: Path, pack: str, tags: TagList, problems: list[Problem]):
    """Rules and examples of one YAML file (problems appended, never raised)."""
    data = read_yaml(path, problems)
    file = str(path)
    if data is None:
        return [], []
    if not isinstance(data, YMap):
        problems.append(Problem(Loc(file, 1), "a rule file is a mapping with `rules:` (and optionally `tag:`, `examples:`)", "wrong-type"))
        return [], []
    _unknown_keys(data, FILE_KEYS, "a rule file", problems)
    file_tag = None
    if "tag" in data:
        file_tag = _tag_ref(data["tag"], data.vallocs["tag"], tags, problems)
    rules: list[Rule] = []
    raw = data.get("rules")
    if raw is not None:
        if not isinstance(raw, YList):
            problems.append(Problem(data.vallocs["rules"], "`rules:` must be a list of rules", "wrong-type"))
        else:
            for item, loc in zip(raw, raw.locs):
                r = _rule(item, loc, file_tag, pack, tags, problems)
                if r is not None:
                    rules.append(r)
    examples = []
    if "examples" in data:
        examples = _examples(data["examples"], data.vallocs["examples"], file_tag, tags, problems)
    return rules, examples


# ---------------------------------------------------------------- settings

DEFAULT_SETTINGS: dict = {
    "scope_factors": {
        "title": 3.0, "lede": 3.0, "heading": 1.5, "prose": 1.0, "list": 0.7, "table": 0.5,
        "badge": 0.5, "image": 0.5, "link": 0.3, "inline_code": 0.3, "code": 0.2, "code_lang": 1.0,
    },
    "intro_factor": 1.5,
    "section_factors": [],
    "repeat_decay": 0.5,
    "min_score": 2.5,
    "relative_min": 0.0,
    "max_tags": 3,
    "overlap_groups": [],
    "overlap_penalty": 1.0,
}

SETTINGS_KEYS = tuple(DEFAULT_SETTINGS)


def load_settings(path: Path, tags: TagList, settings: dict, problems: list[Problem]) -> None:
    """Merge a pack.yml into settings (later packs override earlier keys)."""
    data = read_yaml(path, problems)
    if data is None:
        return
    if not isinstance(data, YMap):
        problems.append(Problem(Loc(str(path), 1), "pack.yml must be a mapping", "wrong-type"))
        return
    _unknown_keys(data, SETTINGS_KEYS + ("name", "description"), "pack.yml", problems)
    for key in ("intro_factor", "repeat_decay", "min_score", "relative_min", "overlap_penalty"):
        if key in data:
            v = data[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                problems.append(Problem(data.vallocs[key], f"{key} must be a number >= 0", "wrong-type"))
            else:
                settings[key] = float(v)
    if "max_tags" in data:
        v = data["max_tags"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            problems.append(Problem(data.vallocs["max_tags"], "max_tags must be an integer >= 0", "wrong-type"))
        else:
            settings["max_tags"] = v
    if "scope_factors" in data:
        sf = data["scope_factors"]
        if not isinstance(sf, YMap):
            problems.append(Problem(data.vallocs["scope_factors"], "scope_factors must map scope to factor", "wrong-type"))
        else:
            merged = dict(settings["scope_factors"])
            for k, v in sf.items():
                if k not in SCOPES:
                    problems.append(Problem(sf.keylocs[k], f"unknown scope {k!r}", "unknown-scope"))
                elif isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                    problems.append(Problem(sf.vallocs[k], "a scope factor must be a number >= 0", "wrong-type"))
                else:
                    merged[k] = float(v)
            settings["scope_factors"] = merged
    if "section_factors" in data:
        sec = data["section_factors"]
        if not isinstance(sec, YList):
            problems.append(Problem(data.vallocs["section_factors"], "section_factors must be a list of {match:, factor:}", "wrong-type"))
        else:
            out = []
            for item, loc in zip(sec, sec.locs):
                if not isinstance(item, YMap) or not isinstance(item.get("match"), str) \
                        or isinstance(item.get("factor"), bool) or not isinstance(item.get("factor"), (int, float)):
                    problems.append(Problem(loc, "a section factor is {match: <regex>, factor: <number>}", "wrong-type"))
                    continue
                _unknown_keys(item, ("match", "factor"), "a section factor", problems)
                try:
                    rx = re.compile(item["match"], re.IGNORECASE)
                except re.error as exc:
                    problems.append(Problem(item.vallocs["match"], f"invalid regex: {exc}", "bad-regex"))
                    continue
                out.append((rx, float(item["factor"])))
            settings["section_factors"] = out
    if "overlap_groups" in data:
        groups = data["overlap_groups"]
        out = []
        if not isinstance(groups, YList):
            problems.append(Problem(data.vallocs["overlap_groups"], "overlap_groups must be a list of lists of tags", "wrong-type"))
        else:
            for g, loc in zip(groups, groups.locs):
                if not isinstance(g, YList):
                    problems.append(Problem(loc, "an overlap group is a list of tags", "wrong-type"))
                    continue
                ids = [_tag_ref(ref, gl, tags, problems) for ref, gl in zip(g, g.locs)]
                out.append(frozenset(i for i in ids if i is not None))
            settings["overlap_groups"] = out


# ---------------------------------------------------------------- packs

def builtin_dir() -> Path:
    """The built-in pack: inside the installed package, or the source tree's rules/."""
    here = Path(__file__).resolve().parent
    for cand in (here / "rules", here.parent / "rules"):
        if cand.is_dir():
            return cand
    return here / "rules"


def builtin_tags() -> Path:
    here = Path(__file__).resolve().parent
    for cand in (here / "tags.json", here.parent / "tags.json"):
        if cand.is_file():
            return cand
    return here / "tags.json"


def rule_files(pack_dir: Path) -> list[Path]:
    """Rule files of a pack, in a stable order independent of the file system."""
    files = [p for p in pack_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file() and p.name != PACK_FILE]
    return sorted(files, key=lambda p: p.relative_to(pack_dir).as_posix())


def _remap(ids, src: TagList, dst: TagList) -> list[int | None]:
    """Tag ids of one tag list → the same-named tags of another (None if absent)."""
    out = []
    for i in ids:
        t = dst.by_key.get(src.by_id[i].key) if i in src.by_id else None
        out.append(t.id if t else None)
    return out


def pack_tags(pack_dir: Path, tags: TagList) -> TagList:
    """The tag list a pack's rules are written against: its own tags.json,
    the built-in one for the built-in pack, otherwise the list in use."""
    own = pack_dir / "tags.json"
    if own.is_file():
        return TagList.from_file(own)
    if pack_dir.resolve() == builtin_dir().resolve():
        return TagList.from_file(builtin_tags())
    return tags


def load_packs(pack_dirs: list[Path], tags: TagList) -> RuleSet:
    """load_packs_uncached through the rule cache (see rulecache.py)."""
    pack_dirs = [Path(d) for d in pack_dirs]
    files = [builtin_tags()]
    for d in pack_dirs:
        if d.is_dir():
            files += [p for p in (d / "tags.json", d / PACK_FILE) if p.is_file()] + rule_files(d)
    extra = repr(([str(d.resolve()) for d in pack_dirs], str(builtin_dir()), tags.source,
                  [(t.id, t.name) for t in tags]))
    digest = rulecache.key(files, extra)
    cached = rulecache.load(digest)
    if isinstance(cached, RuleSet):
        cached.tags = tags
        return cached
    ruleset = load_packs_uncached(pack_dirs, tags)  # problems raise: only good loads are cached
    rulecache.store(digest, ruleset)
    return ruleset


def load_packs_uncached(pack_dirs: list[Path], tags: TagList) -> RuleSet:
    """Load packs in order. Each pack's rules resolve tags against its own
    list, then map by name onto `tags`; rules of tags not in use are dropped
    (the seed prompt's list, or a team's taxonomy, may hold fewer tags)."""
    problems: list[Problem] = []
    settings = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                for k, v in DEFAULT_SETTINGS.items()}
    rules: list[Rule] = []
    examples: list[Example] = []
    files: list[str] = []
    seen: dict[str, Rule] = {}
    for pack_dir in pack_dirs:
        pack_dir = Path(pack_dir)
        if not pack_dir.is_dir():
            problems.append(Problem(Loc(str(pack_dir), 1), "rule pack is not a directory", "missing-pack"))
            continue
        try:
            ptags = pack_tags(pack_dir, tags)
        except ValueError as exc:
            problems.append(Problem(Loc(str(pack_dir / "tags.json"), 1), str(exc), "bad-tags"))
            continue
        same = ptags is tags or [(t.id, t.key) for t in ptags] == [(t.id, t.key) for t in tags]
        if (pack_dir / PACK_FILE).is_file():
            n_groups = len(settings["overlap_groups"])
            load_settings(pack_dir / PACK_FILE, ptags, settings, problems)
            if not same and settings["overlap_groups"] is not None:
                groups = settings["overlap_groups"]
                settings["overlap_groups"] = groups[:n_groups] + [
                    frozenset(i for i in _remap(sorted(g), ptags, tags) if i is not None) for g in groups[n_groups:]]
        for path in rule_files(pack_dir):
            files.append(str(path))
            rs, ex = load_rule_file(path, str(pack_dir), ptags, problems)
            for r in rs:
                if r.id in seen:
                    problems.append(Problem(r.loc, f"duplicate rule id {r.id!r} (first at {seen[r.id].loc})", "duplicate-id"))
                    continue
                seen[r.id] = r
                if not same:
                    (r.tag,) = _remap([r.tag], ptags, tags)
                    if r.tag is None:
                        continue
                rules.append(r)
            for e in ex:
                if not same:
                    want = tuple(i for i in _remap(e.tags, ptags, tags) if i is not None)
                    if len(want) != len(e.tags):
                        continue  # an example about a tag not in use proves nothing here
                    e = Example(e.text, want, tuple(i for i in _remap(e.not_tags, ptags, tags) if i is not None), e.loc)
                examples.append(e)
    if problems:
        raise RuleLoadError(problems)
    return RuleSet(rules, examples, settings, tags, files)
