"""`repotag rules lint`: each check fires on the broken fixture pack at the
line and column of the mistake; errors exit 1, warnings alone do not."""
import json

import pytest

from conftest import FIXTURES, run_cli, write_pack

BROKEN = FIXTURES / "broken-pack"
TAGS = BROKEN / "tags.json"
ISOLATED = ("--no-builtin", "--no-plugins", "--tags", TAGS)

# (code, file, line, col, severity): where tests/fixtures/broken-pack puts each mistake.
EXPECTED = [
    ("no-example", "broken.yml", 4, 5, "warning"),
    ("near-duplicate", "broken.yml", 8, 9, "warning"),
    ("keyword-two-tags", "broken.yml", 9, 9, "warning"),
    ("unbounded-keyword", "broken.yml", 10, 9, "warning"),
    ("regex-keyword", "broken.yml", 11, 9, "warning"),
    ("duplicate-keyword", "broken.yml", 12, 9, "warning"),
    ("backtracking", "broken.yml", 14, 9, "error"),
    ("unbounded-pattern", "broken.yml", 15, 9, "warning"),
    ("duplicate-id", "broken.yml", 16, 5, "error"),
    ("weight-range", "broken.yml", 20, 31, "error"),
    ("bad-regex", "broken.yml", 22, 16, "error"),
    ("unknown-key", "broken.yml", 24, 5, "error"),
    ("empty-rule", "broken.yml", 25, 5, "error"),
    ("unknown-tag", "broken.yml", 27, 10, "error"),
    ("unknown-rule", "broken.yml", 30, 5, "error"),
    ("yaml-tag", "evil.yml", 6, 9, "error"),
    ("no-rule", "tags.json", 4, 21, "warning"),
]


@pytest.fixture(scope="module")
def lint_json():
    proc = run_cli("rules", "lint", *ISOLATED, "--format", "json", BROKEN)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("code,file,line,col,severity", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_check_fires_at_its_place(lint_json, code, file, line, col, severity):
    got = [(p["file"].replace("\\", "/").rsplit("/", 1)[-1], p["line"], p["col"], p["severity"])
           for p in lint_json["problems"] if p["code"] == code]
    assert (file, line, col, severity) in got, lint_json["problems"]


def test_nothing_else_is_reported(lint_json):
    assert sorted(p["code"] for p in lint_json["problems"]) == sorted(e[0] for e in EXPECTED)
    assert lint_json["errors"] == sum(e[4] == "error" for e in EXPECTED)
    assert lint_json["warnings"] == sum(e[4] == "warning" for e in EXPECTED)


def test_text_format_is_file_line_col_code_message():
    proc = run_cli("rules", "lint", *ISOLATED, BROKEN)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == len(EXPECTED)
    unknown = next(l for l in lines if ": unknown-key: " in l)
    assert unknown.replace("\\", "/").endswith("broken.yml:24:5: unknown-key: unknown key 'keywrods' in a rule (did you mean 'keywords'?)")
    assert any(l.endswith("[warning]") and ": near-duplicate: " in l for l in lines)
    assert "Traceback" not in proc.stderr
    assert f"{sum(e[4] == 'error' for e in EXPECTED)} error(s)" in proc.stderr


def test_a_file_path_reports_only_that_file_but_sees_its_pack():
    # beta.yml alone is clean; its keyword also in broken.yml is reported in broken.yml only.
    proc = run_cli("rules", "lint", *ISOLATED, BROKEN / "beta.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    proc = run_cli("rules", "lint", *ISOLATED, "--format", "json", BROKEN / "broken.yml")
    files = {p["file"].replace("\\", "/").rsplit("/", 1)[-1] for p in json.loads(proc.stdout)["problems"]}
    assert files == {"broken.yml"}


def test_warnings_alone_exit_0_and_strict_exit_1(tmp_path):
    pack = write_pack(tmp_path / "p", {
        "tags.json": '[{"id": 1, "name": "alpha"}]',
        "a.yml": "tag: alpha\nrules:\n  - id: alpha/a\n    keywords: [alpha tool, alpha tool]\n"
                 "examples:\n  - {text: \"# A\\nAn alpha tool.\", tags: [alpha]}\n"
                 "  - {text: \"# B\\nA beta tool.\", not: [alpha]}\n",
    })
    args = ("rules", "lint", "--no-builtin", "--no-plugins", "--tags", pack / "tags.json", pack)
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "a.yml:4:28: duplicate-keyword:" in proc.stdout
    assert run_cli(*args, "--strict").returncode == 1


def test_override_in_a_plugin_file_resolves_against_earlier_packs(tmp_path):
    base = write_pack(tmp_path / "base", {"a.yml": "tag: alpha\nrules:\n  - id: alpha/a\n    keywords: [alpha tool]\n"})
    plug = write_pack(tmp_path / "plug", {"o.yml": "override:\n  - {id: alpha/a, weight: 2}\ndisable: [alpha/b]\n"})
    proc = run_cli("rules", "lint", "--no-builtin", "--no-plugins", "--tags", TAGS, "--rules", base, plug / "o.yml")
    assert proc.returncode == 1
    assert proc.stdout.replace("\\", "/").strip().endswith("o.yml:3:11: unknown-rule: cannot disable unknown rule id 'alpha/b' (did you mean 'alpha/a'?)")
    assert proc.stdout.count("\n") == 1


def test_missing_path_is_a_clean_usage_error(tmp_path):
    proc = run_cli("rules", "lint", *ISOLATED, tmp_path / "nope.yml")
    assert proc.returncode == 2
    assert "nope.yml:1:1: missing-pack: no such file or directory" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("source,risky", [
    (r"(a+)+b", True),
    (r"(\w+\s?)+$", True),
    (r"(x*)*", True),
    (r"(?:ab|c\d{1,40})+", True),
    (r"\bpub(lish)?[ /-]?sub(scribe)?\b", False),
    (r"arxiv\.org/(abs|pdf)/\d{4}\.\d{4,5}", False),
    (r"(ab)+c", False),
    (r"\w+\s+\w+", False),
    (r"(\d{2}-)+", False),
])
def test_nested_quantifier_detection(source, risky):
    from engine.packs.regexguard import backtracking_risk

    assert bool(backtracking_risk(source)) is risky


INTENDED_PACK = {
    "tags.json": '[{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}, {"id": 3, "name": "gamma"}, {"id": 4, "name": "delta"}]',
    "pack.yml": "overlap_groups: [[alpha, beta]]\nshared_vocabulary: [[alpha, gamma]]\n",
    "r.yml": """
rules:
  - {id: a/lede, tag: alpha, scopes: [title, lede], keywords: [kilo, mega]}
  - {id: a/heading, tag: alpha, scopes: [heading], keywords: [kilo]}
  - {id: a/body, tag: alpha, scopes: [heading, prose], keywords: [kilo]}
  - {id: b/k, tag: beta, keywords: [kilo]}
  - {id: g/k, tag: gamma, keywords: [mega]}
  - {id: d/k, tag: delta, keywords: [kilo]}
  - {id: a/cjk, tag: alpha, patterns: ['(前端|后端)框架', '\\bweb ?框架', 'webkit']}
""",
}


def test_intended_duplicates_are_silent_and_the_rest_reported(tmp_path):
    pack = write_pack(tmp_path / "p", INTENDED_PACK)
    proc = run_cli("rules", "lint", "--no-builtin", "--no-plugins", "--tags", pack / "tags.json",
                   "--format", "json", pack)
    codes = ("duplicate-keyword", "keyword-two-tags", "unbounded-pattern")
    probs = [(p["code"], p["line"]) for p in json.loads(proc.stdout)["problems"] if p["code"] in codes]
    # a/heading repeats a/lede's keyword in another scope: intended. a/body repeats
    # a/heading's in `heading`: it counts twice there. beta (overlap group) and gamma
    # (shared vocabulary) may share alpha's keywords; delta may not. CJK pattern
    # edges need no \b; a Latin one does.
    assert sorted(probs) == [("duplicate-keyword", 5), ("keyword-two-tags", 8), ("unbounded-pattern", 9)], probs
