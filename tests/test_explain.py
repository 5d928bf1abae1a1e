"""`repotag explain`: evidence positions, near misses, --tag, escaping."""
import json
import re

import pytest

from conftest import run_cli, write_pack

TAGS = '[{"id": 1, "name": "ai"}, {"id": 2, "name": "database"}, {"id": 3, "name": "cli"}, {"id": 4, "name": "game"}]'
PACK = {
    "tags.json": TAGS,
    "pack.yml": "min_score: 2.5\nrelative_min: 0\nmax_tags: 3\nrepeat_decay: 0.5\nintro_factor: 1.0\n",
    "tags/ai.yml": """tag: ai
rules:
  - id: ai/core
    scopes: [title, lede, heading, prose, list, code]
    keywords:
      - deep learning
      - {term: neural network, weight: 2}
  - id: ai/silent
    keywords: [reinforcement learning]
""",
    "tags/database.yml": """tag: database
rules:
  - id: database/core
    keywords: [database]
    negative:
      - {term: not a database, weight: 1}
""",
    "tags/cli.yml": """tag: cli
rules:
  - id: cli/core
    keywords: [command line]
""",
}

README = """\
# Brainy: deep learning for everyone

A toolkit that trains a neural network on your laptop.

## Features

- runs on the [command line](https://example.org/command-line)
- works with any **deep learning** model

```bash
brainy train --deep-learning
```
"""


@pytest.fixture()
def pack(tmp_path):
    d = write_pack(tmp_path / "pack", PACK)
    return ["--no-builtin", "--rules", d, "--tags", d / "tags.json"]


def explain_json(path, pack, *extra):
    r = run_cli("explain", path, "--format", "json", *pack, *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def entry(data, name):
    return next(e for e in data["entries"] if e["name"] == name)


def test_evidence_carries_readme_line_and_column(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text(README, encoding="utf-8")
    data = explain_json(f, pack)
    lines = README.split("\n")
    ai = entry(data, "ai")
    assert ai["status"] == "chosen"
    spots = {(r["line"], r["column"]) for r in ai["evidence"]}
    assert (1, 11) in spots  # "deep learning" in the title
    assert (3, 25) in spots  # "neural network" in the lede
    assert (8, 20) in spots  # "**deep** learning" inside bold in a list item
    for r in ai["evidence"]:
        if r["column"]:
            # the column points at the matched text in the original line
            got = lines[r["line"] - 1][r["column"] - 1:r["end_column"]]
            assert got.lower().replace("-", " ") == r["matched"].lower().replace("-", " ")
    code = [r for r in ai["evidence"] if r["scope"] == "code"]
    assert code and code[0]["line"] == 11
    title = next(r for r in ai["evidence"] if r["scope"] == "title")
    assert title["rule"] == "ai/core" and title["rule_loc"].endswith("tags/ai.yml:3:5")
    assert title["term_loc"].endswith("tags/ai.yml:6:9")
    assert title["contribution"] == pytest.approx(title["weight"] * title["scope_factor"]
                                                  * title["section_factor"] * title["decay"])
    # later repeats of a term decay
    decays = sorted(r["decay"] for r in ai["evidence"] if r["term"] == "deep learning")
    assert decays[-1] == 1.0 and decays[0] < 1.0


def test_link_text_is_placed_on_the_text_not_inside_the_url(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text(README, encoding="utf-8")
    cli = entry(explain_json(f, pack, "--tag", "cli"), "cli")
    ev = [r for r in cli["evidence"] if r["scope"] == "list"]
    assert [(r["line"], r["column"]) for r in ev] == [(7, 16)]


def test_near_misses_say_why_they_lost(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text("# Tool\n\nA thing with a database inside.\n\n## Notes\n\n- a command line\n", encoding="utf-8")
    data = explain_json(f, pack)
    assert data["tags"] == [2]
    cli = entry(data, "cli")
    assert cli["role"] == "near-miss" and cli["status"] == "below-threshold"
    assert cli["lacked"]["gap"] == pytest.approx(2.5 - cli["adjusted"])
    assert any("needs" in n for n in cli["lacked"]["notes"])

    # with room for one tag only, the second is cut by the limit
    (tmp_path / "pack" / "pack.yml").write_text("min_score: 0.5\nrelative_min: 0\nmax_tags: 1\n", encoding="utf-8")
    data = explain_json(f, pack)
    miss = [e for e in data["entries"] if e["role"] == "near-miss"]
    assert miss and miss[0]["status"] == "cut-by-limit"
    assert len(data["tags"]) == 1


def test_negative_evidence_is_shown_as_such(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text("# Kv\n\nThis is not a database, just a cache.\n", encoding="utf-8")
    db = entry(explain_json(f, pack, "--tag", "database"), "database")
    assert db["role"] == "requested" and db["status"] == "cancelled"
    neg = [r for r in db["evidence"] if r["kind"] == "negative"]
    assert neg and neg[0]["contribution"] < 0
    assert any(r["cancelled_by"] == "database/core" for r in db["evidence"])
    assert db["lacked"]["cancelled"] == 1
    text = run_cli("explain", f, "--tag", "database", *pack).stdout
    assert "NOT not a database" in text and "cancelled by database/core" in text


def test_tag_that_did_not_fire_lists_what_it_lacked(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text(README, encoding="utf-8")
    game = entry(explain_json(f, pack, "--tag", "game", "--tag", "4"), "game")
    assert game["status"] == "no-evidence" and game["evidence"] == []
    assert game["lacked"]["gap"] == 2.5
    ai_silent = entry(explain_json(f, pack, "--tag", "ai"), "ai")["lacked"]
    assert ai_silent is None  # chosen: nothing lacked
    r = run_cli("explain", f, "--tag", "nosuchtag", *pack)
    assert r.returncode == 2 and "unknown tag 'nosuchtag'" in r.stderr


def test_silent_rules_of_a_requested_tag_are_named(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text("# Termy\n\nA command line tool.\n", encoding="utf-8")
    ai = entry(explain_json(f, pack, "--tag", "ai"), "ai")
    silent = {s["rule"]: s for s in ai["lacked"]["silent_rules"]}
    assert set(silent) == {"ai/core", "ai/silent"}
    assert silent["ai/silent"]["terms"] == ["reinforcement learning"]


def test_text_output_is_plain_when_piped(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text(README, encoding="utf-8")
    r = run_cli("explain", f, *pack)
    assert r.returncode == 0
    assert "\x1b[" not in r.stdout
    assert "ai (id 1): chosen" in r.stdout
    assert re.search(r"ai/core\s+\S+tags/ai\.yml:6:9\s+deep learning\s+1:11\s+title", r.stdout)


HOSTILE = """\
# Evil <script>alert("title")</script> deep learning

A neural network <img src=x onerror=alert(1)> that says "</span><script>alert(2)</script>".

<script>alert(3)</script>
"""


def test_html_escapes_readme_content(tmp_path, pack):
    f = tmp_path / "README.md"
    f.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "report.html"
    r = run_cli("explain", f, "--format", "html", "--out", out, *pack)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "onerror=alert(1)" in html  # shown as text, inside an escaped tag
    # the matched terms are highlighted with their rule in a tooltip
    assert re.search(r'<span class="hl e0[^"]*" data-tip="ai: ai/core \(neural network\) \+', html)
    assert "Content-Security-Policy" in html and "http://" not in html and "https://" not in html


def test_unreadable_input_is_an_error_without_traceback(tmp_path, pack):
    r = run_cli("explain", tmp_path / "missing.md", *pack)
    assert r.returncode == 1 and "missing.md" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("explain", tmp_path / "x.md", "--format", "pdf", *pack)
    assert r.returncode == 2 and "--format" in r.stderr


def test_term_inside_a_bare_url_of_prose_is_still_placed(tmp_path, pack):
    f = tmp_path / "README.md"
    text = "# X\n\nDocs live at https://deep-learning.example.org for everyone.\n"
    f.write_text(text, encoding="utf-8")
    r = entry(explain_json(f, pack, "--tag", "ai"), "ai")["evidence"][0]
    assert (r["line"], r["column"]) == (3, text.split("\n")[2].index("deep-learning") + 1)
