"""Rule files: loading, and errors that name file, line and column."""
import pytest

from conftest import ROOT, records, run_cli, write_pack
from engine.packs.model import RuleLoadError, norm_term
from engine.packs.load import load_packs
from engine.packs.taglist import TagList

TAGS = TagList.from_data([{"id": 1, "name": "ai"}, {"id": 2, "name": "cli"}, {"id": 3, "name": "game-engine "}])


def load(tmp_path, text, name="r.yml"):
    return load_packs([write_pack(tmp_path / "pack", {name: text})], TAGS)


def problems(tmp_path, text):
    with pytest.raises(RuleLoadError) as exc:
        load(tmp_path, text)
    return [(p.loc.line, p.loc.col, p.code, p.message) for p in exc.value.problems]


def test_full_rule_loads(tmp_path):
    rs = load(tmp_path, """
tag: ai
rules:
  - id: ai/dl
    weight: 2
    scopes: [title, lede]
    keywords:
      - deep learning
      - {term: neural net, weight: 0.5}
    patterns: ['arxiv\\.org']
    fuzzy: [{term: tensorflow, threshold: 85}]
    negative: [{term: not deep learning, weight: 3}, {pattern: 'ai[- ]free'}]
  - id: engine/kind
    tag: game-engine
    keywords: [game engine]
examples:
  - {text: "# X\\nA deep learning kit.", tags: [ai], not: [cli]}
""")
    a, g = rs.rules
    assert (a.id, a.tag, a.weight, sorted(a.scopes)) == ("ai/dl", 1, 2.0, ["lede", "title"])
    assert [(k.text, k.weight) for k in a.keywords] == [("deep learning", 1.0), ("neural net", 0.5)]
    assert a.patterns[0].regex.search("see ARXIV.org")
    assert a.fuzzy[0].threshold == 85
    assert [n.text for n in a.negative] == ["not deep learning"]
    assert a.negative_patterns[0].source == "ai[- ]free"
    assert (a.loc.line, a.keywords[1].loc.line) == (4, 9)
    assert g.tag == 3  # name given with its trailing space stripped
    (ex,) = rs.examples
    assert (ex.tags, ex.not_tags, ex.loc.line) == ((1,), (2,), 17)


@pytest.mark.parametrize("text, line, col, code, fragment", [
    ("rules:\n  - id: a/x\n    tag: ai\n    keywrods: [x]\n", 4, 5, "unknown-key", "did you mean 'keywords'"),
    ("rules:\n  - id: a/x\n    tag: robots\n    keywords: [x]\n", 3, 10, "unknown-tag", "unknown tag 'robots'"),
    ("rules:\n  - id: a/x\n    tag: ai\n    patterns: ['(unclosed']\n", 4, 16, "bad-regex", "invalid regex"),
    ("rules:\n  - id: a/x\n    tag: ai\n    weight: heavy\n    keywords: [x]\n", 4, 13, "wrong-type", "weight must be a number"),
    ("rules:\n  - id: a/x\n    tag: ai\n    weight: 99\n    keywords: [x]\n", 4, 13, "weight-range", "out of range"),
    ("rules:\n  - id: a/x\n    tag: ai\n", 2, 5, "empty-rule", "no keywords"),
    ("rules:\n  - id: a/x\n    tag: ai\n    keywords: [x]\n  - id: a/x\n    tag: ai\n    keywords: [y]\n",
     5, 5, "duplicate-id", "duplicate rule id"),
    ("rules:\n  - id: a/x\n    tag: ai\n    scopes: [titel]\n    keywords: [x]\n", 4, 14, "unknown-scope", "did you mean 'title'"),
    ("rules:\n  - id: a/x\n    tag: ai\n    keywords: [x\n", 5, 1, "bad-yaml", "invalid YAML"),
    ("rules:\n  - !!python/object:os.system {id: a}\n", 2, 5, "yaml-tag", "not allowed"),
])
def test_load_errors_name_line_and_column(tmp_path, text, line, col, code, fragment):
    found = problems(tmp_path, text)
    assert any((l, c, k) == (line, col, code) and fragment in m for l, c, k, m in found), found


def test_cli_rule_error_exits_2_with_file_line(tmp_path):
    pack = write_pack(tmp_path / "pack", {"bad.yml": "rules:\n  - id: x/y\n    tag: nope\n    keywords: [z]\n"})
    r = run_cli("tag", "--rules", pack, ROOT / "examples" / "quiver.md")
    assert r.returncode == 2
    assert f"{pack / 'bad.yml'}:3:10: unknown-tag" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_norm_term():
    assert norm_term("Machine_Learning-Ops  tool") == "machine learning ops tool"


def test_builtin_pack_covers_every_tag(tags):
    from engine.packs.model import builtin_dir

    rs = load_packs([builtin_dir()], tags)
    assert {r.tag for r in rs.rules} == {t.id for t in tags}


def test_builtin_tags_json_is_the_seed_list(tags):
    assert len(tags) == 90
    assert tags.resolve("game-engine").name == "game-engine "
    assert tags.resolve("declarative-gui").id == 8
    assert records(run_cli("tag", "-", input="# Empty\n").stdout) == [{"id": "stdin", "tags": []}]
