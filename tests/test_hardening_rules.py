"""Broken and hostile rule packs: a clear error naming file:line, never a hang."""
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, write_pack
from hardening import PACK, make_pack
from engine import Tagger
from engine.tagging.guard import tag_guarded
from engine.packs.regexguard import backtracking_risk, finditer_windowed
from engine.packs.model import Loc, Pattern, RuleLoadError, builtin_dir
from engine.packs.load import load_packs
from engine.packs.taglist import TagList

ROOT = Path(__file__).resolve().parent.parent


def problems_of(tmp_path, text, name="tags/x.yml"):
    write_pack(tmp_path, {name: text})
    with pytest.raises(RuleLoadError) as exc:
        Tagger.from_paths([tmp_path], builtin=False)
    return [str(p) for p in exc.value.problems]


def rule(body):
    return "tag: database\nrules:\n  - id: database/x\n" + body


@pytest.mark.parametrize("text, line, what", [
    ("tag: database\nrules: [\n  - id: x\n", 3, "invalid YAML"),
    (rule("    keywords: 5\n"), 4, "keywords must be a list"),
    (rule("    keywords: [db]\n    weight: heavy\n"), 5, "weight must be a number"),
    (rule("    keywords: [db]\n    scopes: [titel]\n"), 5, "did you mean 'title'"),
    ("tag: databse\nrules:\n  - id: x\n    keywords: [db]\n", 1, "unknown tag 'databse'"),
    (rule("    patterns: ['(unclosed']\n"), 4, "invalid regex"),
    (rule("    patterns: ['(a+)+$']\n"), 4, "backtrack catastrophically"),
    (rule("    negative: [{pattern: '(\\w+\\s?)*$'}]\n"), 4, "backtrack catastrophically"),
    (rule("    keywords: [db]\n    patterns: ['(a|ab)+c']\n"), 5, "backtrack catastrophically"),
    (rule("    keywords: !!python/object/apply:os.system ['echo pwned']\n"), 4, "is not allowed"),
    ("tag: database\nrules: &r [*r]\n", 2, "aliases"),
])
def test_bad_rule_file_names_file_and_line(tmp_path, text, line, what):
    probs = problems_of(tmp_path, text)
    assert any(p.startswith(f"{tmp_path / 'tags/x.yml'}:{line}:") and what in p for p in probs), probs


def test_alias_bomb_is_refused_not_expanded(tmp_path):
    lines = ["tag: database", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("rules: [*i]")
    probs = problems_of(tmp_path, "\n".join(lines) + "\n")
    assert any("aliases" in p for p in probs)
    assert len(probs) < 30  # one per anchor, not one per expanded value


def test_deeply_nested_yaml_is_an_error(tmp_path):
    probs = problems_of(tmp_path, "tag: database\nrules: " + "[" * 5000 + "]" * 5000 + "\n")
    assert probs and all(p.startswith(str(tmp_path / "tags/x.yml")) for p in probs)


def test_pack_yml_section_regex_is_checked(tmp_path):
    probs = problems_of(tmp_path, "section_factors:\n  - {match: '(x+)+y', factor: 0.5}\n", "pack.yml")
    assert any(":2:" in p and "backtrack" in p for p in probs)


def test_cli_reports_rule_problems_with_exit_2(tmp_path):
    write_pack(tmp_path, {"tags/x.yml": rule("    patterns: ['(a+)+$']\n")})
    proc = run_cli("tag", "--no-builtin", "--rules", tmp_path, "-", input="# x\n")
    assert proc.returncode == 2
    assert f"{tmp_path / 'tags/x.yml'}:4:" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("pattern", [
    r"(a+)+$", r"(a*)*b", r"(\w+\s?)+$", r"(a|ab)+$", r"(a|a)*", r"((x|xy)z)+", r"(a{1,100}){1,100}",
    r"(?=(a+)+)b", r"(?:foo|\w)+",
])
def test_catastrophic_shapes_are_refused(pattern):
    assert backtracking_risk(pattern)


@pytest.mark.parametrize("pattern", [
    r"\bpub(lish)?[ /-]?sub(scribe)?\b", r"arxiv\.org/(abs|pdf)/\d{4}\.\d{4,5}", r"(x|y)+", r"(foo|bar)+",
    r"\b(build|create) (\w+ ){0,3}agents?\b", r"(beautiful |native |natively compiled )*ui\b", r"[\w.+-]+@\w+",
])
def test_ordinary_patterns_pass(pattern):
    assert backtracking_risk(pattern) is None


def test_builtin_patterns_pass_the_check():
    """Every pattern of the built-in pack is accepted (files that do not
    parse at all are reported by the loader, not here)."""
    found = 0
    for f in sorted(builtin_dir().rglob("*.yml")):
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        for r in (data or {}).get("rules") or [] if isinstance(data, dict) else []:
            if not isinstance(r, dict):
                continue
            items = list(r.get("patterns") or []) + [n for n in r.get("negative") or [] if isinstance(n, dict)]
            for p in items:
                src = p if isinstance(p, str) else p.get("pattern") if isinstance(p, dict) else None
                if isinstance(src, str):
                    found += 1
                    assert backtracking_risk(src) is None, (f, src)
    assert found


def test_windowed_matching_equals_plain_matching_on_short_matches():
    text = ("pub/sub and publish-subscribe, key value store\x00" * 400) + "tail pubsub"
    for src in (r"\bpub(lish)?[ /-]?sub(scribe)?\b", r"key[- ]value stores?", r"\w+"):
        rx = re.compile(src, re.I)
        assert [m.span() for m in finditer_windowed(rx, text)] == [m.span() for m in rx.finditer(text)]


def test_polynomial_pattern_on_a_huge_line_finishes():
    """`\\w*x\\w*y` is quadratic in the length of a word; windows bound it."""
    rx = re.compile(r"\w*x\w*y")
    assert list(finditer_windowed(rx, "a" * 500_000)) == []


def test_time_limit_turns_a_runaway_regex_into_an_error(tmp_path):
    """A catastrophic regex that got past the load-time check (built here by
    hand) costs one error record, not a hung batch."""
    pack = make_pack(tmp_path / "pack")
    rs = load_packs([pack], TagList.from_file(ROOT / "tags.json"))
    src = r"(a+)+$"
    rs.rules[0].patterns.append(Pattern(src, 1.0, Loc("hand", 1)))  # no literals: always runs
    tagger = Tagger(rs)
    res, err = tag_guarded(tagger, "a" * 4000 + "!", None, "README.md", 1.0)
    assert res is None and "README.md: analysis stopped after 1 s" in err
    res, err = tag_guarded(tagger, "# Quiver\n\nA database for people in a hurry.", None, "ok.md", 1.0)
    assert err is None and res.tags == [47]


def test_rule_file_order_on_disk_does_not_change_results(tmp_path):
    a = make_pack(tmp_path / "a")
    renamed = {("zz/" if i % 2 else "aa/") + f"{9 - i}-" + Path(k).name if k != "pack.yml" else k: v
               for i, (k, v) in enumerate(PACK.items())}
    b = make_pack(tmp_path / "b", renamed)
    texts = [
        "# Quiver\n\nA database and a caching layer with pub/sub, not a database for you.\n",
        "# Postbox\n\nA message broker. A compiler for code generation in a terminal emulator.\n\n"
        "## Usage\n\nkey-value store, cache, message queue, postgresql, postgresq\n",
    ]
    ta, tb = (Tagger.from_paths([p], builtin=False) for p in (a, b))
    assert [r.id for r in ta.rules] != [r.id for r in tb.rules]  # really loaded in another order
    for t in texts:
        ra, rb = ta.tag(t), tb.tag(t)
        assert ra.tags == rb.tags and ra.tags
        assert ra.scores == rb.scores
        key = lambda e: (e.segment, e.start, e.rule_id, e.kind, e.contribution, e.cancelled_by)
        assert sorted(map(key, ra.evidence)) == sorted(map(key, rb.evidence))


def test_negative_cancels_only_what_it_covers(tmp_path):
    tagger = Tagger.from_paths([make_pack(tmp_path / "pack")], builtin=False)
    text = "# Quiver\n\nThis is not a database, it is a cache.\n\nA database\nis what the\ndatabase backend is."
    ev = [e for e in tagger.tag(text).evidence if e.term == "database"]
    assert [(e.line, e.cancelled_by) for e in ev] == [(3, "database/kind"), (5, None), (7, None)]
