"""Rule loading from YAML: rule packs into validated, plain-data rules.

YAML is composed with the safe loader and walked node by node, so every value
keeps its file:line:col and no YAML tag can construct an object. Problems are
collected and raised together as RuleLoadError; nothing here prints.

Kept apart from model.py (the rule classes) and load.py (the cached
load_packs) so that `repotag tag` with the rule cache warm never compiles or
imports any of this.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..document.markdown import SCOPES
from .model import (_COMPILED, MAX_WEIGHT, PACK_FILE, PATTERN_FLAGS, Change, Example, Fuzzy, Loc, Pattern, Problem,
                    Rule, RuleLoadError, RuleSet, Term, builtin_dir, builtin_tags, rule_files)
from .prefilter import required_literals
from .regexguard import compile_rule_regex
from .taglist import TagList

_SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}

# ---------------------------------------------------------------- YAML walking

class YMap(dict):
    """A mapping that remembers where each key and value stood."""

    loc: Loc
    keylocs: dict
    vallocs: dict


class YList(list):
    loc: Loc
    locs: list


def _close_matches(word: str, choices, n: int = 1) -> list[str]:
    """difflib's suggestions, imported only when there is a problem to explain."""
    import difflib

    return difflib.get_close_matches(word, choices, n=n)


def _loc(file: str, mark) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1)


# Rule files are a few levels deep; a deeper one is broken or hostile.
MAX_YAML_DEPTH = 50


def _convert(node, file: str, problems: list[Problem], seen: dict | None = None, depth: int = 0):
    import yaml

    if node.tag not in _SAFE_TAGS:
        problems.append(Problem(_loc(file, node.start_mark), f"YAML tag {node.tag!r} is not allowed in rule files", "yaml-tag"))
        return None
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        # An alias is the same node object met again: expanding it would let
        # a few lines grow into billions of values (or loop, if it refers to
        # itself), so rule files may not repeat lists or mappings by alias.
        seen = {} if seen is None else seen
        if id(node) in seen:
            if not seen[id(node)]:
                seen[id(node)] = True  # one problem per anchor, not per alias
                problems.append(Problem(_loc(file, node.start_mark),
                                        "YAML aliases (*name) of lists or mappings are not allowed in rule files", "yaml-alias"))
            return None
        seen[id(node)] = False
        if depth > MAX_YAML_DEPTH:
            problems.append(Problem(_loc(file, node.start_mark), f"nested more than {MAX_YAML_DEPTH} levels deep", "too-deep"))
            return None
    if isinstance(node, yaml.MappingNode):
        m = YMap()
        m.loc, m.keylocs, m.vallocs = _loc(file, node.start_mark), {}, {}
        for knode, vnode in node.value:
            key = _convert(knode, file, problems, seen, depth + 1)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                problems.append(Problem(_loc(file, knode.start_mark), "a mapping key must be a plain value", "bad-yaml"))
                continue
            if key in m:
                problems.append(Problem(_loc(file, knode.start_mark), f"duplicate key {key!r}", "duplicate-key"))
            m[key] = _convert(vnode, file, problems, seen, depth + 1)
            m.keylocs[key] = _loc(file, knode.start_mark)
            m.vallocs[key] = _loc(file, vnode.start_mark)
        return m
    if isinstance(node, yaml.SequenceNode):
        lst = YList()
        lst.loc, lst.locs = _loc(file, node.start_mark), []
        for item in node.value:
            lst.append(_convert(item, file, problems, seen, depth + 1))
            lst.locs.append(_loc(file, item.start_mark))
        return lst
    return yaml.constructor.SafeConstructor().construct_object(node)


# An editor (`repotag serve`) loads packs while a file is being edited: the
# texts given here (by the path the loader uses) are read instead of the disk.
_SOURCES: ContextVar[dict | None] = ContextVar("repotag_rule_sources", default=None)


@contextmanager
def unsaved_sources(texts: dict[str, str]):
    """Within the block, read_yaml reads texts[str(path)] instead of the file."""
    token = _SOURCES.set(dict(texts))
    try:
        yield
    finally:
        _SOURCES.reset(token)


def _read_source(path: Path) -> str:
    texts = _SOURCES.get()
    if texts is not None and str(path) in texts:
        return texts[str(path)]
    return path.read_text(encoding="utf-8")


# Within unsaved_sources (an editor reloading the packs on every change),
# each file's last YAML tree is kept with its text: composing and walking
# ~90 unchanged files is most of a reload. The trees are only read, never
# changed, by what uses them. file → (text, tree, problems).
_TREES: dict[str, tuple] = {}


def read_yaml(path: Path, problems: list[Problem]):
    if _SOURCES.get() is None:
        return _read_yaml(path, problems)
    file = str(path)
    try:
        text = _read_source(path)
    except (OSError, UnicodeDecodeError):
        return _read_yaml(path, problems)
    hit = _TREES.get(file)
    if hit is not None and hit[0] == text:
        problems.extend(hit[2])
        return hit[1]
    n0 = len(problems)
    data = _read_yaml(path, problems)
    _TREES[file] = (text, data, problems[n0:])
    return data


def _read_yaml(path: Path, problems: list[Problem]):
    # Imported here: with the rule cache warm, `repotag tag` never needs YAML.
    import yaml

    file = str(path)
    try:
        text = _read_source(path)
    except UnicodeDecodeError as exc:
        problems.append(Problem(Loc(file, 1), f"not UTF-8: {exc.reason} at byte {exc.start}", "bad-yaml"))
        return None
    except OSError as exc:
        problems.append(Problem(Loc(file, 1), f"cannot read: {exc.strerror or exc}", "unreadable"))
        return None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(file, mark) if mark else Loc(file, 1)
        problems.append(Problem(loc, f"invalid YAML: {exc.problem or exc.context}", "bad-yaml"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(Loc(file, 1), f"invalid YAML: {exc}", "bad-yaml"))
        return None
    except RecursionError:
        problems.append(Problem(Loc(file, 1), "invalid YAML: nested too deeply", "too-deep"))
        return None
    if node is None:
        return None
    n0 = len(problems)
    data = _convert(node, file, problems)
    if any(p.code == "yaml-tag" for p in problems[n0:]):
        return None  # a file that asks for objects is refused whole, not read around the hole
    return data


# ---------------------------------------------------------------- validation

FILE_KEYS = ("tag", "rules", "examples", "description", "disable", "override", "settings")
RULE_KEYS = ("id", "tag", "description", "weight", "scopes", "scope_factors", "section_factors", "keywords", "patterns",
             "fuzzy", "negative")
# `tuned:` multiplies a rule's weight; `repotag rules tune` writes it so the
# hand-written weight stays visible beside the fitted factor.
OVERRIDE_KEYS = RULE_KEYS + ("tuned",)
# The scoring settings a rule file may change (`settings:`, as a tuned
# overlay does); the rest (groups, sections, max_tags) belong in pack.yml.
FILE_SETTINGS_KEYS = ("scope_factors", "intro_factor", "repeat_decay", "min_score", "first_min_score", "relative_min",
                      "overlap_penalty")
EXAMPLE_KEYS = ("text", "tags", "not", "description")


def _unknown_keys(m: YMap, allowed, what: str, problems: list[Problem]) -> None:
    for key in m:
        if key not in allowed:
            hint = _close_matches(str(key), allowed, n=1)
            tip = f" (did you mean {hint[0]!r}?)" if hint else f" (allowed: {', '.join(allowed)})"
            problems.append(Problem(m.keylocs[key], f"unknown key {key!r} in {what}{tip}", "unknown-key"))


def _weight(value, loc: Loc, problems: list[Problem], allow_zero=False, what: str = "weight") -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(Problem(loc, f"{what} must be a number, not {type(value).__name__} {value!r}", "wrong-type"))
        return None
    if not (0 <= value <= MAX_WEIGHT) or (value == 0 and not allow_zero):
        problems.append(Problem(loc, f"{what} {value} is out of range (0, {MAX_WEIGHT:g}]", "weight-range"))
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
            stray = [k for k in item if k not in (key, "weight", *extra) and item[k] is None]
            if stray and key in item:
                # `{term: a, b, weight: 1}`: YAML read `b` as a key of its own.
                problems.append(Problem(item.keylocs[stray[0]], f"unquoted comma or colon splits this {key}: "
                                        f"write {{{key}: \"{item[key]}, {stray[0]}\"}}", "unquoted"))
                continue
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


def _rule_regex(source: str, loc: Loc, problems: list[Problem]) -> re.Pattern | None:
    rx, why = compile_rule_regex(source)
    if why:
        problems.append(Problem(loc, why, "backtracking" if "backtrack" in why else "bad-regex"))
    return rx


def _tag_ref(value, loc: Loc, tags: TagList, problems: list[Problem]) -> int | None:
    tag = tags.resolve(value)
    if tag is None:
        hint = _close_matches(str(value).strip().lower(), [t.key for t in tags], n=1)
        tip = f" (did you mean {hint[0]!r}?)" if hint else ""
        problems.append(Problem(loc, f"unknown tag {value!r} (not in {tags.source}){tip}", "unknown-tag"))
        return None
    return tag.id


def _rule_fields(m: YMap, tags: TagList, problems: list[Problem]) -> dict:
    """The rule fields a mapping gives (tag, weight, scopes, terms...), checked;
    keys it does not give are absent, so an override replaces only those."""
    out: dict = {}
    if "tag" in m:
        out["tag"] = _tag_ref(m["tag"], m.vallocs["tag"], tags, problems)
    if "weight" in m:
        w = _weight(m["weight"], m.vallocs["weight"], problems)
        out["weight"] = w if w is not None else 1.0
    if "description" in m:
        if not isinstance(m["description"], str):
            problems.append(Problem(m.vallocs["description"], "description must be a string", "wrong-type"))
        else:
            out["description"] = m["description"]
    if "scopes" in m:
        sc = m["scopes"]
        if not isinstance(sc, YList) or not all(isinstance(s, str) for s in sc):
            problems.append(Problem(m.vallocs["scopes"], f"scopes must be a list of: {', '.join(SCOPES)}", "wrong-type"))
        else:
            for s, sloc in zip(sc, sc.locs):
                if s not in SCOPES:
                    hint = _close_matches(s, SCOPES, n=1)
                    tip = f" (did you mean {hint[0]!r}?)" if hint else f" (known: {', '.join(SCOPES)})"
                    problems.append(Problem(sloc, f"unknown scope {s!r}{tip}", "unknown-scope"))
            out["scopes"] = frozenset(s for s in sc if s in SCOPES)
    if "scope_factors" in m:
        # Structural evidence (an install line, a usage block) is the kind
        # itself where the pack discounts code and install sections: such a
        # rule names its own factors instead of inflating its weights.
        sf = m["scope_factors"]
        if not isinstance(sf, YMap):
            problems.append(Problem(m.vallocs["scope_factors"], "scope_factors must map scope to factor", "wrong-type"))
        else:
            own = {}
            for k, v in sf.items():
                if k not in SCOPES:
                    problems.append(Problem(sf.keylocs[k], f"unknown scope {k!r}", "unknown-scope"))
                elif isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= MAX_WEIGHT:
                    problems.append(Problem(sf.vallocs[k], f"a scope factor must be a number in [0, {MAX_WEIGHT:g}]",
                                            "wrong-type"))
                else:
                    own[k] = float(v)
            out["scope_factors"] = tuple(sorted(own.items()))
    if "section_factors" in m:
        v = m["section_factors"]
        if not isinstance(v, bool):
            problems.append(Problem(m.vallocs["section_factors"], "section_factors of a rule must be true or false",
                                    "wrong-type"))
        else:
            out["section_factors"] = v
    if "keywords" in m:
        out["keywords"] = [Term(text, w, tloc) for text, w, tloc, _ in
                           _terms(m["keywords"], m.vallocs["keywords"], "keywords", problems)]
    if "negative" in m:
        neg = m["negative"]
        negative, negative_patterns = [], []
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
            negative_patterns = _patterns(pats, neg.loc, problems)
        else:
            neg_terms = _terms(neg, m.vallocs["negative"], "negative", problems)
        negative = [Term(text, w, tloc) for text, w, tloc, _ in neg_terms]
        out["negative"], out["negative_patterns"] = negative, negative_patterns
    if "patterns" in m:
        out["patterns"] = _patterns(m["patterns"], m.vallocs["patterns"], problems)
    if "fuzzy" in m:
        out["fuzzy"] = []
        for text, w, tloc, more in _terms(m["fuzzy"], m.vallocs["fuzzy"], "fuzzy", problems, ("threshold",)):
            thr, thr_loc = more.get("threshold", (90, tloc))
            if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 50 <= thr <= 100:
                problems.append(Problem(thr_loc, f"fuzzy threshold must be a number in [50, 100], not {thr!r}", "wrong-type"))
                continue
            out["fuzzy"].append(Fuzzy(text, float(thr), w, tloc))
    return out


def _patterns(value, vloc: Loc, problems: list[Problem]) -> list[Pattern]:
    out = []
    for text, w, tloc, _ in _terms(value, vloc, "patterns", problems):
        rx = _rule_regex(text, tloc, problems)
        if rx is not None:
            _COMPILED[text] = rx
            out.append(Pattern(text, w, tloc, required_literals(text, PATTERN_FLAGS)))
    return out


def _rule_id(m, loc: Loc, what: str, problems: list[Problem]) -> str | None:
    if not isinstance(m, YMap):
        problems.append(Problem(loc, f"{what} must be a mapping with at least `id:`", "wrong-type"))
        return None
    rid = m.get("id")
    if not isinstance(rid, str) or not rid.strip():
        problems.append(Problem(m.loc, f"{what} needs an `id:` string such as ai/deep-learning", "missing-id"))
        return None
    return rid


def _rule(m, loc: Loc, file_tag, pack: str, tags: TagList, problems: list[Problem]) -> Rule | None:
    n0 = len(problems)
    rid = _rule_id(m, loc, "a rule", problems)
    if rid is None:
        return None
    _unknown_keys(m, RULE_KEYS, "a rule", problems)
    if "tag" not in m and file_tag is None:
        problems.append(Problem(m.loc, f"rule {rid!r} has no `tag:` and the file sets none", "missing-tag"))
        return None
    fields = _rule_fields(m, tags, problems)
    tag = fields.pop("tag", file_tag)
    rule = Rule(id=rid, tag=tag if tag is not None else -1, loc=m.loc, pack=pack, **fields)
    if not (rule.keywords or rule.patterns or rule.fuzzy or rule.negative or rule.negative_patterns) and len(problems) == n0:
        problems.append(Problem(m.loc, f"rule {rid!r} has no keywords, patterns, fuzzy or negative terms", "empty-rule"))
    # A rule with problems still comes back (its bad parts left out): the
    # load fails on the problems anyway, and lint goes on checking the rest.
    return None if tag is None else rule


def _items(data: YMap, key: str, shape: str, problems: list[Problem]) -> list[tuple]:
    """(item, loc) pairs of a list-valued key (absent or null: none)."""
    raw = data.get(key)
    if raw is None:
        return []
    if not isinstance(raw, YList):
        problems.append(Problem(data.vallocs[key], f"`{key}:` must be a list of {shape}", "wrong-type"))
        return []
    return list(zip(raw, raw.locs))


def _changes(data: YMap, pack: str, tags: TagList, problems: list[Problem]) -> list[Change]:
    """The file's `override:` entries and `disable:` ids, in file order."""
    out: list[Change] = []
    for item, loc in _items(data, "override", "{id: ..., <keys to replace>}", problems):
        n0 = len(problems)
        rid = _rule_id(item, loc, "an override", problems)
        if rid is None:
            continue
        _unknown_keys(item, OVERRIDE_KEYS, "an override", problems)
        fields = _rule_fields(item, tags, problems)
        if "tuned" in item:
            t = _weight(item["tuned"], item.vallocs["tuned"], problems, what="tuned")
            if t is not None:
                fields["tuned"] = t
        if not fields and len(problems) == n0:
            problems.append(Problem(item.loc, f"override of {rid!r} changes nothing (give weight, scopes, keywords, ...)", "empty-override"))
        if len(problems) == n0:
            out.append(Change("override", rid, item.loc, pack, fields))
    for item, loc in _items(data, "disable", "rule ids", problems):
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(loc, f"a disabled rule is given by its id (a string), not {item!r}", "wrong-type"))
            continue
        out.append(Change("disable", item, loc, pack))
    return sorted(out, key=lambda c: (c.loc.line, c.loc.col))


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


def load_rule_file(path: Path, pack: str, tags: TagList, problems: list[Problem],
                   changes: list[Change] | None = None, settings: dict | None = None):
    """Rules and examples of one YAML file (problems appended, never raised);
    its overrides and disables are appended to `changes` when given, its
    `settings:` merged into `settings` when given."""
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
    for item, loc in _items(data, "rules", "rules", problems):
        r = _rule(item, loc, file_tag, pack, tags, problems)
        if r is not None:
            rules.append(r)
    examples = []
    if "examples" in data:
        examples = _examples(data["examples"], data.vallocs["examples"], file_tag, tags, problems)
    if changes is not None:
        changes.extend(_changes(data, pack, tags, problems))
    if "settings" in data:
        sdata = data["settings"]
        if not isinstance(sdata, YMap):
            problems.append(Problem(data.vallocs["settings"], f"settings must map {', '.join(FILE_SETTINGS_KEYS)} to values", "wrong-type"))
        else:
            _unknown_keys(sdata, FILE_SETTINGS_KEYS, "settings of a rule file", problems)
            merge_settings(sdata, tags, settings if settings is not None else _default_settings(), problems)
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
    "first_min_score": None,  # None: the first tag needs min_score like the others
    "relative_min": 0.0,
    "max_tags": 3,
    "overlap_groups": [],
    # Tags that share vocabulary without being near-synonyms (cicd and
    # deploy-tool): lint accepts a keyword counting for both; scoring ignores it.
    "shared_vocabulary": [],
    "overlap_penalty": 1.0,
    "overlap_free": 0,
}

SETTINGS_KEYS = tuple(DEFAULT_SETTINGS)
TAG_GROUP_KEYS = ("overlap_groups", "shared_vocabulary")  # settings that are lists of lists of tags


def load_settings(path: Path, tags: TagList, settings: dict, problems: list[Problem]) -> None:
    """Merge a pack.yml into settings (later packs override earlier keys)."""
    data = read_yaml(path, problems)
    if data is None:
        return
    if not isinstance(data, YMap):
        problems.append(Problem(Loc(str(path), 1), "pack.yml must be a mapping", "wrong-type"))
        return
    _unknown_keys(data, SETTINGS_KEYS + ("name", "description"), "pack.yml", problems)
    merge_settings(data, tags, settings, problems)


def _default_settings() -> dict:
    return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
            for k, v in DEFAULT_SETTINGS.items()}


def merge_settings(data: YMap, tags: TagList, settings: dict, problems: list[Problem]) -> None:
    """Checked settings of a mapping (pack.yml, or a rule file's `settings:`) into `settings`."""
    for key in ("intro_factor", "repeat_decay", "min_score", "first_min_score", "relative_min", "overlap_penalty"):
        if key in data:
            v = data[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                problems.append(Problem(data.vallocs[key], f"{key} must be a number >= 0", "wrong-type"))
            else:
                settings[key] = float(v)
    for key in ("max_tags", "overlap_free"):
        if key in data:
            v = data[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                problems.append(Problem(data.vallocs[key], f"{key} must be an integer >= 0", "wrong-type"))
            else:
                settings[key] = v
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
                rx = _rule_regex(item["match"], item.vallocs["match"], problems)
                if rx is None:
                    continue
                out.append((rx, float(item["factor"])))
            settings["section_factors"] = out
    for key in TAG_GROUP_KEYS:
        if key not in data:
            continue
        groups = data[key]
        out = []
        if not isinstance(groups, YList):
            problems.append(Problem(data.vallocs[key], f"{key} must be a list of lists of tags", "wrong-type"))
        else:
            for g, loc in zip(groups, groups.locs):
                if not isinstance(g, YList):
                    problems.append(Problem(loc, f"an item of {key} is a list of tags", "wrong-type"))
                    continue
                ids = [_tag_ref(ref, gl, tags, problems) for ref, gl in zip(g, g.locs)]
                out.append(frozenset(i for i in ids if i is not None))
            settings[key] = out


# ---------------------------------------------------------------- packs

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


def _apply(c: Change, seen: dict[str, Rule], rs: RuleSet, remap, problems: list[Problem]) -> None:
    """Apply one override or disable to the rule it names (loaded earlier)."""
    r = seen.get(c.rule_id)
    if r is None:
        hint = _close_matches(c.rule_id, list(seen), n=1)
        tip = f" (did you mean {hint[0]!r}?)" if hint else ""
        problems.append(Problem(c.loc, f"cannot {c.kind} unknown rule id {c.rule_id!r}{tip}", "unknown-rule"))
        return
    if r in rs.disabled:
        first = next(x for x in r.changes if x.kind == "disable")
        problems.append(Problem(c.loc, f"cannot {c.kind} rule {c.rule_id!r}: disabled at {first.loc}", "unknown-rule"))
        return
    r.changes.append(c)
    home = rs.rules if r in rs.rules else rs.dropped
    if c.kind == "disable":
        home.remove(r)
        rs.disabled.append(r)
        return
    for key, value in c.fields.items():
        setattr(r, key, remap(value) if key == "tag" else value)
    if (r.tag is None) != (home is rs.dropped):
        # The override moved the rule onto, or off, the tag list in use.
        home.remove(r)
        (rs.dropped if r.tag is None else rs.rules).append(r)


def collect_packs(pack_dirs, tags: TagList, skip=frozenset()) -> tuple[RuleSet, list[Problem]]:
    """Load packs in order, keeping what loads and every problem (for lint).

    Each pack's rules resolve tags against its own list, then map by name onto
    `tags`; rules of tags not in use are dropped (the seed prompt's list, or a
    team's taxonomy, may hold fewer tags). A pack's overrides and disables
    apply, once the whole pack is read, to any rule loaded so far.
    Rule files whose resolved path is in `skip` are left out (`rules tune`
    fits against the packs without the overlay it is about to replace)."""
    problems: list[Problem] = []
    settings = _default_settings()
    rs = RuleSet([], [], settings, tags, [])
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

        def remap(tid, ptags=ptags, same=same):
            return tid if same else _remap([tid], ptags, tags)[0]

        if (pack_dir / PACK_FILE).is_file():
            n_groups = {key: len(settings[key]) for key in TAG_GROUP_KEYS}
            load_settings(pack_dir / PACK_FILE, ptags, settings, problems)
            for key in TAG_GROUP_KEYS:
                if not same and settings[key] is not None:
                    groups, n = settings[key], n_groups[key]
                    settings[key] = groups[:n] + [
                        frozenset(i for i in _remap(sorted(g), ptags, tags) if i is not None) for g in groups[n:]]
        changes: list[Change] = []
        for path in rule_files(pack_dir):
            if skip and path.resolve() in skip:
                continue
            rs.files.append(str(path))
            rules, ex = load_rule_file(path, str(pack_dir), ptags, problems, changes, settings)
            for r in rules:
                if r.id in seen:
                    problems.append(Problem(r.loc, f"duplicate rule id {r.id!r} (first at {seen[r.id].loc}); "
                                                   "a later pack changes a rule with `override:`", "duplicate-id"))
                    continue
                seen[r.id] = r
                r.tag = remap(r.tag)
                (rs.rules if r.tag is not None else rs.dropped).append(r)
            for e in ex:
                if not same:
                    want = tuple(i for i in _remap(e.tags, ptags, tags) if i is not None)
                    if len(want) != len(e.tags):
                        continue  # an example about a tag not in use proves nothing here
                    e = Example(e.text, want, tuple(i for i in _remap(e.not_tags, ptags, tags) if i is not None), e.loc)
                rs.examples.append(e)
        for c in changes:
            _apply(c, seen, rs, remap, problems)
    return rs, problems


def load_packs_uncached(pack_dirs, tags: TagList, skip=frozenset()) -> RuleSet:
    """Load packs in order (see collect_packs); any problem raises RuleLoadError."""
    rs, problems = collect_packs(pack_dirs, tags, skip)
    if problems:
        raise RuleLoadError(problems)
    return rs
