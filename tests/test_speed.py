"""The speed work must not change results: prefilters, rule cache, the
typer-free `tag` path and --jobs give exactly what the plain code gives."""
import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from conftest import records, run_cli, write_pack
from engine.document.markdown import parse
from engine.tagging.matching import Hit, Matcher
from engine.document.fold import fold
from engine.packs.prefilter import required_literals

PATTERNS = [
    r"\b(build|create)\w* (\w+ ){0,2}(rest(ful)?|graphql|http) apis?\b",
    r"\b(for|on|with) (amazon web services|aws)\b",
    r"\bhttp (client ?/ ?server|client and server)\b",
    r"<script[^>]{0,20}src=",
    r"\bfoo.{0,5}bar\b",
    r"\bkit(?! ?chen)",
    r"(^|\n)\s*\$ [a-z]+",
    r"\b(describe|it|test)\(['\"]",
    r"(?<=x)yz\b",
    r"\bmy\b",
]
WORDS = ["build", "create", "rest", "restful", "graphql", "http", "api", "apis", "for", "aws", "amazon",
         "web", "services", "client", "server", "and", "/", "<script", "src=", ">", "foo", "bar", "kit",
         "chen", "$", "\n", "describe(", "it('", "xyz", "my", "MY", "Kıt", "İt(", "ſrc", " ", "\x00", "-"]


@pytest.mark.parametrize("source", PATTERNS)
@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), max_size=25))
def test_required_literals_are_necessary(source, words):
    text = " ".join(words)
    rx = re.compile(source, re.IGNORECASE)
    sets = required_literals(source, rx.flags)
    if sets is not None and rx.search(text):
        for lits in sets:
            assert any(lit in fold(text) for lit in lits)


def test_literal_extraction_finds_selective_literals():
    assert required_literals(r"\b(my|personal) (\w+ ){0,2}blog\b", re.I) == ({"blog"},)  # "my" is too short to help
    assert required_literals(r"\b(for|on) (amazon web services|aws)\b", re.I) == ({
        "for amazon web services", "for aws", "on amazon web services", "on aws"},)
    # Every necessary set counts: a segment needs "engine" and one of the languages.
    assert required_literals(r"\b(python|golang) (\w+ ){0,2}engine\b", re.I) == (
        {"python ", "golang "}, {"engine"})
    assert required_literals(r"\b(is|as) an? ([\w-]+ ){0,3}(os|kernel)\b", re.I) == ({"is a", "as a"},)
    assert required_literals(r"\w+\s*\d", re.I) is None  # nothing to look for: always runs


def test_fold_equates_what_ignorecase_equates():
    # Every character re.IGNORECASE takes for an ASCII letter folds to that letter.
    letters = re.compile("[a-z]", re.IGNORECASE)
    for cp in range(0x80, 0x110000):
        c = chr(cp)
        if letters.fullmatch(c):
            f = fold(c)
            assert len(f) == 1 and re.fullmatch(re.escape(f), c, re.IGNORECASE), hex(cp)


def reference_pattern_hits(matcher, doc):
    """Every pattern over every segment of the pattern text, no prefilter:
    the meaning of a pattern match (within one segment, lookarounds and
    anchors seeing the text around it)."""
    segs = doc.segments
    starts, pos = [], 0
    for s in segs:
        starts.append(pos)
        pos += len(s.text) + 1
    hay = "\x00".join(s.text for s in segs)
    text = matcher._pattern_text(segs)
    hits = []
    for ri, kind, p in matcher._patterns:
        for si, seg in enumerate(segs):
            if seg.scope not in matcher.rules[ri].scopes:
                continue
            a, b = starts[si], starts[si] + len(seg.text)
            for m in p.regex.finditer(text, a, min(b + 1, len(text))):
                if m.end() == m.start() or m.end() > b:
                    continue
                off = m.start() - a
                hits.append(Hit(ri, kind, p.source, p.weight, si, off, off + m.end() - m.start(), hay[m.start():m.end()]))
    return hits


@pytest.fixture(scope="module")
def pattern_tagger(tmp_path_factory):
    from engine.tagging.tagger import Tagger

    pats = "\n".join(f"      - {json.dumps(p)}" for p in PATTERNS)
    pack = write_pack(tmp_path_factory.mktemp("pack"), {"p.yml": f"""
tag: api
rules:
  - id: api/patterns
    scopes: [title, lede, heading, prose, list, table, code, link]
    patterns:
{pats}
"""})
    return Tagger.from_paths([pack], builtin=False)


LINES = ["# Foo bar", "Build fast REST APIs for AWS.", "- http client / server", "```", "$ kit --x",
         "describe('x')", "```", "<script src=x>", "| my | kit chen |", "|--|--|", "| a | b |",
         "## It", "xyz [link](http://foo/bar)", "", "Kıt and İt('ſ", "foo\tbar", "> on amazon web services"]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from(LINES), max_size=30))
def test_pattern_hits_equal_full_scan(pattern_tagger, lines):
    doc = parse("\n".join(lines))
    m: Matcher = pattern_tagger.matcher
    got = [h for h in m.match(doc) if h.kind == "pattern"]
    assert got == reference_pattern_hits(m, doc)


def test_literals_wake_patterns_only_in_segments_holding_them(pattern_tagger):
    m: Matcher = pattern_tagger.matcher
    blog = next(i for i, (_, _, p) in enumerate(m._patterns) if p.source == r"\bfoo.{0,5}bar\b")
    assert m._filters[blog] is not None  # the pattern has literals to wait for
    doc = parse("# Title\n\nNothing here.\n\nA FOO-bar and foo_x bar.\n")
    hits = [h for h in m.match(doc) if h.kind == "pattern"]
    assert [(doc.segments[h.segment].text, h.matched) for h in hits] == [("A FOO-bar and foo_x bar.", "FOO-bar"),
                                                                 ("A FOO-bar and foo_x bar.", "foo_x bar")]


PACK = {"t.yml": """
tag: database
rules:
  - id: database/kind
    keywords: [database engine, key-value store]
    patterns: ['\\bsql (database|engine)\\b']
"""}


def test_rule_cache_hits_misses_and_survives_an_unwritable_dir(tmp_path, monkeypatch):
    from engine.tagging.tagger import Tagger

    pack = write_pack(tmp_path / "pack", PACK)
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPOTAG_CACHE_DIR", str(cache))
    monkeypatch.delenv("REPOTAG_NO_CACHE", raising=False)
    text = "# Kv\nA key-value store and SQL engine.\n"
    first = Tagger.from_paths([pack], builtin=False).tag(text)
    assert len(list(cache.glob("rules-*.pickle"))) == 1
    again = Tagger.from_paths([pack], builtin=False).tag(text)
    assert [(e.rule_id, e.term, e.line) for e in again.evidence] == [(e.rule_id, e.term, e.line) for e in first.evidence]
    # An edit must miss the cache and be seen at once.
    (pack / "t.yml").write_text(PACK["t.yml"].replace("key-value store", "column store"), encoding="utf-8")
    edited = Tagger.from_paths([pack], builtin=False).tag(text)
    assert "key-value store" not in [e.term for e in edited.evidence]
    assert len(list(cache.glob("rules-*.pickle"))) == 2
    # A corrupt entry or an unwritable directory only means loading from YAML.
    for f in cache.glob("rules-*.pickle"):
        f.write_bytes(b"not a pickle")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert Tagger.from_paths([pack], builtin=False).tag(text).scores == edited.scores
    monkeypatch.setenv("REPOTAG_CACHE_DIR", str(blocker / "sub"))
    assert Tagger.from_paths([pack], builtin=False).tag(text).scores == edited.scores


def test_jobs_keeps_order_and_error_records(tmp_path):
    pack = write_pack(tmp_path / "pack", PACK)
    lines = []
    for i in range(150):
        if i % 37 == 5:
            lines.append("{broken")
        else:
            body = "A key-value store." if i % 2 else "A SQL database for apps."
            lines.append(json.dumps({"id": f"d{i}", "text": f"# Doc {i}\n{body}\n"}))
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["tag", "--no-builtin", "--rules", pack, src]
    one = run_cli(*args)
    two = run_cli(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    recs = records(two.stdout)
    assert len(recs) == 150 and sum("error" in r for r in recs) == 4
    assert [r["id"] for r in recs if "error" not in r][:3] == ["d0", "d1", "d2"]
    assert {tuple(r["tags"]) for r in recs if "tags" in r} != {()}


def test_fast_path_matches_typer_path(tmp_path):
    pack = write_pack(tmp_path / "pack", PACK)
    readme = tmp_path / "kv.md"
    readme.write_text("# Kv\nA key-value store.\n", encoding="utf-8")
    other = tmp_path / "kv2.md"
    other.write_text("# Kv\nA key-value store.\n", encoding="utf-8")
    fast = run_cli("tag", "--no-builtin", "--rules", pack, readme, other)
    # A path after an option is beyond the fast parser: typer handles it.
    slow = run_cli("tag", "--no-builtin", readme, "--rules", pack, other)
    assert fast.returncode == 0 and records(fast.stdout)[0]["tags"]
    assert records(slow.stdout) == records(fast.stdout) and len(records(fast.stdout)) == 2
    bad = run_cli("tag", "--jobs", "0", readme)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert run_cli("tag", "--help").returncode == 0


def test_rule_cache_keeps_only_the_newest(tmp_path, monkeypatch):
    from engine.packs import cache as rulecache

    monkeypatch.setenv("REPOTAG_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("REPOTAG_NO_CACHE", raising=False)
    for i in range(rulecache.KEEP + 5):
        rulecache.store(f"{i:040x}", {"n": i})
    kept = sorted(tmp_path.glob("rules-*.pickle"))
    assert len(kept) == rulecache.KEEP
    assert rulecache.load(f"{rulecache.KEEP + 4:040x}") == {"n": rulecache.KEEP + 4}
