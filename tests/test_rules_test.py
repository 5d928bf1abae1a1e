"""`repotag rules test`: examples carried by rule files, run as a user runs them."""
import json
import re

from conftest import ROOT, run_cli, write_pack

TAGS = json.dumps([{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}])
PACK = {
    "tags.json": TAGS,
    "alpha.yml": """\
tag: alpha
rules:
  - id: alpha/core
    keywords: [{term: alpha engine, weight: 3}]
examples:
  - text: "# Thing\\nAn alpha engine."
    tags: [alpha]
  - text: "# Thing\\nA beta engine."
    not: [alpha]
""",
    "beta.yml": """\
tag: beta
rules:
  - id: beta/core
    keywords: [{term: beta engine, weight: 3}]
    negative: [{term: not a beta engine, weight: 1}]
examples:
  - text: "# Thing\\nA beta engine."
    tags: [beta]
  - text: "# Thing\\nAn alpha engine and a beta engine."
    tags: [alpha]
    not: [beta]
""",
}


def rules_test(pack, *paths):
    return run_cli("rules", "test", "--no-builtin", "--no-plugins", "--tags", pack / "tags.json", "--rules", pack, *paths)


def test_failing_example_names_file_line_tags_and_evidence(tmp_path):
    pack = write_pack(tmp_path / "p", PACK)
    proc = rules_test(pack)
    assert proc.returncode == 1
    assert "4 example(s), 1 failed" in proc.stderr
    out = proc.stdout.replace("\\", "/").splitlines()
    assert out[0].endswith("p/beta.yml:9:5: example failed: expected [alpha], must not [beta], got [alpha, beta]"), out
    assert out[1] == "    unwanted beta: score 9.00, chosen"
    assert re.fullmatch(r"      \+9\.00  beta/core keyword 'beta engine' matched 'beta engine' \(lede line 2\) \[.*beta\.yml:3:5\]", out[2]), out
    assert len(out) == 3


def test_missing_tag_shows_why_it_lost_and_what_won(tmp_path):
    files = dict(PACK)
    files["gamma.yml"] = ("tag: alpha\nexamples:\n  - text: \"# Thing\\nA beta engine with alpha in the name.\"\n"
                          "    tags: [alpha]\n")
    pack = write_pack(tmp_path / "p", files)
    proc = rules_test(pack, pack / "gamma.yml")
    assert proc.returncode == 1
    assert "1 example(s), 1 failed" in proc.stderr  # only the file asked for
    out = proc.stdout.replace("\\", "/").splitlines()
    assert out[0].endswith("gamma.yml:3:5: example failed: expected [alpha], must not [], got [beta]")
    assert out[1] == "    missing alpha: no evidence at all"
    assert out[2] == "    chosen instead beta: score 9.00"
    assert "beta/core keyword 'beta engine'" in out[3]


def test_passing_pack_exits_0(tmp_path):
    files = dict(PACK)
    files["beta.yml"] = files["beta.yml"].replace("An alpha engine and a beta engine.", "An alpha engine.")
    pack = write_pack(tmp_path / "p", files)
    proc = rules_test(pack)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == "" and "4 example(s), 0 failed" in proc.stderr


def test_builtin_pack_examples_pass():
    """Every example of the built-in pack, whatever the rule authors put there."""
    proc = run_cli("rules", "test", "--no-plugins", ROOT / "rules")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_builtin_tag_has_a_positive_and_a_negative_example():
    from engine.packs.model import builtin_dir, builtin_tags
    from engine.packs.load import load_packs
    from engine.packs.taglist import TagList

    rs = load_packs([builtin_dir()], TagList.from_file(builtin_tags()))
    pos = {t for e in rs.examples for t in e.tags}
    neg = {t for e in rs.examples for t in e.not_tags}
    lacking = sorted(t.name.strip() for t in rs.tags if t.id not in pos or t.id not in neg)
    assert lacking == []
