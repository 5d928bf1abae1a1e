"""`repotag audit` on a small fixture corpus: its sums agree with `tag` and `eval`."""
import json
from collections import Counter

import pytest

from conftest import FIXTURES, records, run_cli

FIX = FIXTURES / "audit"
PACK = ["--no-builtin", "--rules", FIX / "pack", "--tags", FIX / "pack" / "tags.json"]


@pytest.fixture(scope="module")
def audit_json():
    r = run_cli("audit", FIX / "docs", "--gold", FIX / "gold.jsonl", "--format", "json", *PACK)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def tagged():
    return {r["id"]: r["tags"] for r in records(run_cli("tag", FIX / "docs", *PACK).stdout)}


@pytest.fixture(scope="module")
def gold():
    return {r["id"]: r["tags"] for r in records((FIX / "gold.jsonl").read_text())}


def test_distribution_and_untagged_sum_to_the_tag_output(audit_json, tagged):
    a = audit_json
    want = Counter(t for tags in tagged.values() for t in tags)
    assert {d["tag"]: d["docs"] for d in a["distribution"]} == dict(want)
    assert a["assignments"] == sum(want.values()) == sum(d["docs"] for d in a["distribution"])
    assert a["docs"] == len(tagged)
    assert a["untagged"] == sum(1 for t in tagged.values() if not t)
    assert a["untagged_share"] == pytest.approx(a["untagged"] / a["docs"], abs=1e-4)
    assert a["tagged"] + a["untagged"] + a["failed"] == a["docs"]
    counts = [d["docs"] for d in a["distribution"]]
    assert counts == sorted(counts, reverse=True)
    assert a["timing"]["docs_per_second"] > 0


def test_gold_figures_agree_with_eval(audit_json):
    r = run_cli("eval", FIX / "gold.jsonl", "--json", "--per-tag", *PACK)
    ev = json.loads(r.stdout)
    ev.pop("failed")
    assert audit_json["gold"]["figures"] == ev


def test_blame_totals_the_evidence_of_false_positives(audit_json, tagged, gold):
    from engine.tagging.tagger import Tagger
    from engine.packs.taglist import TagList

    tagger = Tagger.from_paths([FIX / "pack"], TagList.from_file(FIX / "pack" / "tags.json"), builtin=False)
    want: dict = {}
    fps = 0
    for iid, pred in tagged.items():
        res = tagger.tag((FIX / "docs" / f"{iid}.md").read_text(encoding="utf-8"))
        for x in set(pred) - set(gold[iid]):
            fps += 1
            for e in res.evidence:
                if e.tag == x and e.contribution > 0:
                    want.setdefault(e.rule_id, Counter())["c"] += e.contribution
    blame = {b["rule"]: b for b in audit_json["blame"]}
    assert set(blame) == set(want)
    for rid, c in want.items():
        assert blame[rid]["contribution"] == pytest.approx(c["c"], abs=1e-4)
    assert sum(b["false_positives"] for b in audit_json["blame"]) >= fps > 0
    contribs = [b["contribution"] for b in audit_json["blame"]]
    assert contribs == sorted(contribs, reverse=True)
    fig = audit_json["gold"]["figures"]
    assert fps == fig["fp"]


def test_false_negatives_say_whether_a_rule_of_the_gold_tag_fired(audit_json, tagged, gold):
    fn = audit_json["gold"]["false_negatives"]
    missed = [(i, y) for i, g in gold.items() for y in g if y not in tagged[i]]
    assert fn["total"] == len(missed) == audit_json["gold"]["figures"]["fn"]
    assert {(d["id"], d["tag"]) for d in fn["docs"]} == set(missed)
    assert sum(t["fn"] for t in fn["by_tag"]) == fn["total"]
    assert fn["no_rule_fired"] == sum(1 for d in fn["docs"] if not d["fired"])
    # "d" is about cooking: no database rule can have fired there
    d = next(x for x in fn["docs"] if x["id"] == "d")
    assert d["fired"] is False and d["status"] == "no-evidence"


def test_rule_findings(audit_json):
    rules = audit_json["rules"]
    assert [r["rule"] for r in rules["never_fired"]] == ["database/never"]
    assert rules["never_fired"][0]["loc"].endswith("tags/database.yml:7:5")
    clash = {c["keyword"]: c for c in audit_json["keyword_clashes"]}
    assert set(clash) == {"database"}
    assert {x["rule"] for x in clash["database"]["claims"]} == {"ai/core", "database/core"}
    pairs = {(d["a"]["term"], d["b"]["term"]) for d in audit_json["near_duplicates"]}
    assert ("neural network", "neural networks") in pairs
    # noisy: every listed rule fires on at least the share asked for
    for r in rules["noisy"]:
        assert r["share"] >= rules["noisy_share"]


def test_noisy_share_option_and_confusions(tmp_path):
    r = run_cli("audit", FIX / "docs", "--format", "json", "--noisy-share", "0.01", *PACK)
    a = json.loads(r.stdout)
    fired = {x["rule"] for x in a["rules"]["noisy"]}
    never = {x["rule"] for x in a["rules"]["never_fired"]}
    assert "gold" not in a and "blame" not in a
    assert fired and not fired & never
    # a wrong tag where a gold tag was missed is a confusion
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "b", "tags": [4]}\n', encoding="utf-8")
    a = json.loads(run_cli("audit", FIX / "docs" / "b.md", "--gold", gold, "--format", "json", *PACK).stdout)
    assert a["gold"]["confusions"] == [{"predicted": 3, "predicted_name": "cli", "gold": 4,
                                        "gold_name": "game", "count": 1}]


def test_jsonl_corpus_is_audited_like_the_directory(tmp_path, audit_json):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) + "\n"
                              for p in sorted((FIX / "docs").glob("*.md"))), encoding="utf-8")
    a = json.loads(run_cli("audit", corpus, "--gold", FIX / "gold.jsonl", "--format", "json", *PACK).stdout)
    assert a["distribution"] == audit_json["distribution"]
    assert a["blame"] == audit_json["blame"]


def test_html_and_table_reports(tmp_path):
    out = tmp_path / "audit.html"
    r = run_cli("audit", FIX / "docs", "--gold", FIX / "gold.jsonl", "--format", "html", "--out", out, *PACK)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and html.count("<rect") == 4  # one bar per assigned tag
    assert "<script" not in html.lower() and "database/never" in html
    assert "ai/core" in html and "micro F1" in html
    text = run_cli("audit", FIX / "docs", "--gold", FIX / "gold.jsonl", *PACK).stdout
    assert "\x1b[" not in text  # no progress bar or colours when piped
    assert "blame" in text and "database/never" in text


def test_bad_gold_and_unreadable_inputs(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": "a", "tags": ["nope"]}\n', encoding="utf-8")
    r = run_cli("audit", FIX / "docs", "--gold", gold, *PACK)
    assert r.returncode == 2 and f"{gold}:1: unknown tag 'nope'" in r.stderr
    r = run_cli("audit", FIX / "docs", tmp_path / "missing.md", "--format", "json", *PACK)
    assert r.returncode == 1 and "missing.md" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["failed"] == 1


def test_a_gold_file_given_as_path_audits_its_own_readmes(tmp_path, audit_json):
    """`audit GOLD --gold GOLD`: the gold lines name the READMEs (as for eval),
    so a labelled corpus spread over folders is audited without copying it."""
    rows = [json.loads(l) for l in (FIX / "gold.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    gold = tmp_path / "g.jsonl"
    gold.write_text("".join(json.dumps({**r, "file": str(FIX / "docs" / f"{r['id']}.md")}) + "\n" for r in rows),
                    encoding="utf-8")
    r = run_cli("audit", gold, "--gold", gold, "--format", "json", *PACK)
    assert r.returncode == 0, r.stderr
    a = json.loads(r.stdout)
    assert a["docs"] == len(rows) == audit_json["docs"]
    assert a["gold"]["figures"] == audit_json["gold"]["figures"]
    assert a["blame"] == audit_json["blame"]
