"""`repotag rules tune`, `rules suggest` and `eval --against` on a small
corpus written here: planted weights, a planted phrase, known changes."""
import hashlib
import json
from pathlib import Path

import pytest

from conftest import run_cli, write_pack

TAGS = [{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}, {"id": 3, "name": "gamma"}, {"id": 4, "name": "delta"}]

# alpha/hint is planted too strong: "widget" in a description line scores
# 3.0, as much as a real alpha title, so no threshold can tell them apart
# and only a lower multiplier removes the false positives. beta/kind is
# planted too weak: 0.5 x lede 3.0 = 1.5 < min_score 2.5, and lowering
# min_score would let gamma/weak (1.5 on 30 delta READMEs) through, so only
# a higher multiplier (x2) wins the beta READMEs.
RULES = {
    "tags.json": json.dumps(TAGS),
    "pack.yml": "min_score: 2.5\nrelative_min: 0.0\n",
    "tags/alpha.yml": """tag: alpha
rules:
  - id: alpha/kind
    scopes: [title]
    keywords: [alpha tool]
  - id: alpha/hint
    scopes: [lede]
    keywords: [widget]
""",
    "tags/beta.yml": """tag: beta
rules:
  - id: beta/kind
    scopes: [lede]
    weight: 0.5
    keywords: [beta store]
""",
    "tags/gamma.yml": """tag: gamma
rules:
  - id: gamma/kind
    scopes: [lede]
    keywords: [dashboards]
  - id: gamma/weak
    scopes: [lede]
    weight: 0.5
    keywords: [gizmo]
""",
    "tags/delta.yml": """tag: delta
rules:
  - id: delta/kind
    scopes: [title]
    keywords: [delta engine]
""",
}

WORDS = ["river", "copper", "maple", "orbit", "lantern", "quartz", "meadow", "falcon", "harbor", "cinder",
         "willow", "summit", "ember", "pebble", "canyon", "tundra"]


def _name(kind: str, i: int) -> str:
    return f"{kind}{i:02d}{WORDS[i % len(WORDS)]}"


def make_corpus(root: Path, planted_phrase: str | None = None) -> Path:
    """READMEs and a gold file: 12 alpha, 12 gamma (with the planted widget),
    10 beta, 30 delta (with gizmo noise)."""
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    rows = []

    def add(name: str, text: str, tags: list[int]) -> None:
        (docs / f"{name}.md").write_text(text, encoding="utf-8")
        rows.append({"id": name, "file": f"docs/{name}.md", "tags": tags})

    for i in range(12):
        n = _name("a", i)
        lede = f"Made by the {WORDS[i % 16]} team."
        if planted_phrase and i % 2 == 0:
            lede = f"A {planted_phrase} for {WORDS[i % 16]} files."
        add(n, f"# {n} alpha tool\n\n{lede}\n\n## Notes\n\nSee the {WORDS[(i + 3) % 16]} page.\n", [1])
    if planted_phrase:
        # alpha READMEs the rules miss (no "alpha tool" title), saying the phrase.
        for i in range(4):
            n = _name("m", i)
            add(n, f"# {n}\n\nThe {planted_phrase} for {WORDS[(i + 5) % 16]} folks.\n", [1])
    for i in range(12):
        n = _name("g", i)
        add(n, f"# {n}\n\nA widget for dashboards of {WORDS[i % 16]} data.\n", [3])
    for i in range(10):
        n = _name("b", i)
        add(n, f"# {n}\n\nA beta store for {WORDS[i % 16]} records.\n", [2])
    for i in range(30):
        n = _name("d", i)
        add(n, f"# {n} delta engine\n\nRuns with a gizmo on {WORDS[i % 16]}.\n", [4])
    gold = root / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return gold


@pytest.fixture
def setup(tmp_path):
    pack = write_pack(tmp_path / "pack", RULES)
    gold = make_corpus(tmp_path)
    return pack, gold


def pack_args(pack: Path) -> list:
    return ["--no-builtin", "--no-plugins", "--rules", pack, "--tags", pack / "tags.json"]


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tagger_for(pack: Path):
    from engine.tagging.tagger import Tagger

    return Tagger.from_paths([pack], tags=pack / "tags.json", builtin=False, plugins=False)


def test_rescoring_matches_the_tagger(setup):
    from engine.reports.rescore import Corpus

    pack, gold = setup
    corpus = Corpus.from_gold(tagger_for(pack), gold)
    assert len(corpus.cases) == 64
    assert corpus.mismatches() == []
    # and the hand-written predictions carry the planted mistakes
    pred = corpus.predict(corpus.hand())
    assert set(pred[_name("g", 0)]) == {1, 3}
    assert pred[_name("b", 0)] == []


def test_a_scope_trial_leaves_a_rule_with_its_own_factor(setup, tmp_path):
    """A rule that names its own lede factor is not moved by a trial of the
    pack's lede factor, in the Tagger as in the re-scoring."""
    from engine.reports.rescore import Corpus, Params

    pack, gold = setup
    own = write_pack(tmp_path / "own", {**RULES, "tags/beta.yml": RULES["tags/beta.yml"].replace(
        "    weight: 0.5\n", "    weight: 0.5\n    scope_factors: {lede: 6.0}\n")})
    corpus = Corpus.from_gold(tagger_for(own), gold)
    hand = corpus.hand()
    trial = Params({}, {"lede": 1.0}, dict(hand.settings, scope_factors=dict(hand.settings["scope_factors"], lede=1.0)))
    (own / "pack.yml").write_text("min_score: 2.5\nrelative_min: 0.0\nscope_factors: {lede: 1.0}\n", encoding="utf-8")
    from engine.reports.evaluate import gold_items, load_gold

    tagger = tagger_for(own)
    docs = load_gold(gold, tagger.tags)
    truth = {d.id: tagger.tag(it.text).tags for d, it in zip(docs, gold_items(gold, docs))}
    pred = corpus.predict(trial)
    assert pred == truth
    assert any(pred[c.id] for c in corpus.cases if 2 in c.gold)  # beta still reaches its threshold


def test_tune_recovers_planted_weights_and_writes_an_overlay(setup):
    pack, gold = setup
    before = digest(pack)
    out = pack / "tuned.yml"
    proc = run_cli("rules", "tune", gold, "--folds", "3", "--json", "--out", out, *pack_args(pack))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    changes = {c["parameter"]: c for c in data["changes"]}
    assert changes["rule:alpha/hint"]["tuned"] < 1.0 and changes["rule:alpha/hint"]["kept"]
    assert changes["rule:beta/kind"]["tuned"] == 2.0 and changes["rule:beta/kind"]["kept"]
    assert "setting:min_score" not in changes  # lowering it costs more than it wins
    assert data["improves"]
    assert data["pooled_held_back"]["tuned"]["f1"] > data["pooled_held_back"]["untuned"]["f1"]
    assert len(data["cv"]) == 3 and sum(f["test_docs"] for f in data["cv"]) == 64
    assert data["written"]
    # hand-written files untouched; the overlay is new and says what it replaces
    after = digest(pack)
    assert after.pop("tuned.yml") and after == before
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Generated by `repotag rules tune`")
    assert "gold.jsonl (64 READMEs" in text and "folds: 3, seed: 0" in text
    assert "id: \"beta/kind\", tuned: 2}  # hand-written weight 0.5 (tags/beta.yml:" in text
    # the overlay loads as part of the pack and fixes the planted mistakes
    t = tagger_for(pack)
    assert t.tag((gold.parent / "docs" / f"{_name('b', 3)}.md").read_text()).tags == [2]
    assert t.tag((gold.parent / "docs" / f"{_name('g', 3)}.md").read_text()).tags == [3]
    # explain shows the hand-written weight beside the fitted factor
    ex = run_cli("explain", gold.parent / "docs" / f"{_name('b', 3)}.md", *pack_args(pack)[:1], "--rules", pack,
                 "--tags", pack / "tags.json")
    assert ex.returncode == 0, ex.stderr
    assert "0.50 × tuned 2" in ex.stdout
    # re-tuning starts from the hand-written values (the overlay is not loaded) and rewrites it identically
    again = run_cli("rules", "tune", gold, "--folds", "3", "--json", "--out", out, *pack_args(pack))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["changes"] == data["changes"]
    assert out.read_text(encoding="utf-8") == text


def test_tune_respects_bounds(setup):
    from engine.reports.rescore import Corpus
    from engine.reports.tune import tune

    pack, gold = setup
    corpus = Corpus.from_gold(tagger_for(pack), gold)
    result = tune(corpus, k=3, seed=0, max_factor=1.5)
    assert result.changes
    for c in result.changes:
        if c.param.kind != "setting":
            assert 1 / 1.5 - 1e-9 <= c.value / c.param.hand <= 1.5 + 1e-9, c
    # x1.5 cannot lift beta/kind over min_score, so it does not pay to move it
    assert all(c.param.key != "rule:beta/kind" or c.value <= 1.5 for c in result.changes)
    for f in result.folds:
        assert f.train_docs + f.test_docs == 64


def test_tune_is_deterministic_and_seeded(setup):
    from engine.reports.rescore import Corpus
    from engine.reports.tune import folds_of, tune

    pack, gold = setup
    corpus = Corpus.from_gold(tagger_for(pack), gold)
    a = tune(corpus, k=3, seed=7)
    b = tune(Corpus.from_gold(tagger_for(pack), gold), k=3, seed=7)
    assert [(c.param.key, c.value, c.gain) for c in a.changes] == [(c.param.key, c.value, c.gain) for c in b.changes]
    assert [f.test_tuned.micro.f1 for f in a.folds] == [f.test_tuned.micro.f1 for f in b.folds]
    ids = [c.id for c in corpus.cases]
    assert folds_of(ids, 3, 7) == folds_of(ids, 3, 7)
    assert folds_of(ids, 3, 7) != folds_of(ids, 3, 8)
    # balanced, and a README's fold does not depend on the order of the gold lines
    sizes = [folds_of(ids, 3, 7).count(f) for f in range(3)]
    assert max(sizes) - min(sizes) <= 1
    by_id = dict(zip(ids, folds_of(ids, 3, 7)))
    rev = ids[::-1]
    assert dict(zip(rev, folds_of(rev, 3, 7))) == by_id


def test_tune_never_replaces_a_hand_written_file(setup):
    pack, gold = setup
    before = digest(pack)
    for target in (pack / "tags" / "beta.yml", pack / "pack.yml"):
        proc = run_cli("rules", "tune", gold, "--folds", "3", "--out", target, *pack_args(pack))
        assert proc.returncode == 2
        assert "not written by `repotag rules tune`" in proc.stderr
    dry = run_cli("rules", "tune", gold, "--folds", "3", "--dry-run", "--out", pack / "new.yml", *pack_args(pack))
    assert dry.returncode == 0, dry.stderr
    assert "rule:beta/kind" in dry.stdout and "dry run: nothing written" in dry.stdout
    assert digest(pack) == before


def test_tune_bad_gold_names_file_and_line(setup, tmp_path):
    pack, _ = setup
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "file": "x.md", "tags": [1]}\n{"id": "y", "tags": [1]\n', encoding="utf-8")
    proc = run_cli("rules", "tune", bad, "--folds", "2", "--dry-run", *pack_args(pack))
    assert proc.returncode == 2
    assert f"{bad}:2: invalid JSON" in proc.stderr


def test_tune_counts_unreadable_readmes_and_goes_on(setup):
    pack, gold = setup
    with open(gold, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "gone", "file": "docs/gone.md", "tags": [1]}) + "\n")
    proc = run_cli("rules", "tune", gold, "--folds", "3", "--json", "--dry-run", *pack_args(pack))
    assert proc.returncode == 1
    assert "gone.md" in proc.stderr
    data = json.loads(proc.stdout)
    assert data["failed"] == ["gone"] and data["docs"] == 65


def test_overlay_keys_are_checked(tmp_path):
    from engine.packs.model import RuleLoadError

    files = dict(RULES)
    files["tuned.yml"] = "settings:\n  min_score: -1\n  max_tags: 2\noverride:\n  - {id: beta/kind, tuned: 20}\n"
    pack = write_pack(tmp_path / "pack", files)
    with pytest.raises(RuleLoadError) as err:
        tagger_for(pack)
    text = str(err.value)
    assert "tuned.yml:2:14: wrong-type: min_score must be a number >= 0" in text
    assert "tuned.yml:3:3: unknown-key: unknown key 'max_tags' in settings of a rule file" in text
    assert "tuned.yml:5:28: weight-range: tuned 20 is out of range (0, 10]" in text


def test_overlay_settings_and_tuned_apply(tmp_path):
    files = dict(RULES)
    files["tuned.yml"] = "settings:\n  min_score: 1.4\n  scope_factors: {title: 2}\noverride:\n  - {id: beta/kind, tuned: 1.2}\n"
    t = tagger_for(write_pack(tmp_path / "pack", files))
    assert t.settings["min_score"] == 1.4 and t.settings["scope_factors"]["title"] == 2.0
    assert t.settings["scope_factors"]["lede"] == 3.0  # merged, not replaced
    res = t.tag("# x\n\nA beta store.\n")
    ev = [e for e in res.evidence if e.rule_id == "beta/kind"]
    assert ev and ev[0].tuned == 1.2 and ev[0].weight == pytest.approx(0.6)
    assert res.tags == [2]  # 0.6 x 3 = 1.8 >= 1.4


# ---------------------------------------------------------------- suggest

def test_suggest_finds_a_planted_phrase_and_drops_covered_ones(tmp_path):
    pack = write_pack(tmp_path / "pack", RULES)
    gold = make_corpus(tmp_path, planted_phrase="quantum lattice toolkit")
    proc = run_cli("rules", "suggest", gold, "--tag", "alpha", "--format", "json", *pack_args(pack))
    assert proc.returncode == 0, proc.stderr
    (alpha,) = json.loads(proc.stdout)
    assert alpha["name"] == "alpha" and alpha["missed"] == 4
    phrases = [c["phrase"] for c in alpha["keywords"]]
    assert phrases and phrases[0] == "quantum lattice toolkit"
    top = alpha["keywords"][0]
    assert top["with_tag"] == 10 and top["without"] == 0 and top["missed"] == 4
    assert top["example"]["id"].startswith("m") and "quantum lattice toolkit" in top["example"]["text"]
    # its shorter forms are grouped under it, not listed again
    assert "quantum lattice" in top["variants"]
    assert not any(p in phrases for p in ("quantum lattice", "lattice toolkit", "quantum"))
    # "alpha tool" is a keyword of alpha: covered, never suggested (nor any phrase holding it)
    assert not any("alpha tool" in p for p in phrases + [v for c in alpha["keywords"] for v in c["variants"]])
    # YAML: pasteable, with counts and a README line
    yml = run_cli("rules", "suggest", gold, "--tag", "alpha", "--top", "3", *pack_args(pack))
    assert yml.returncode == 0, yml.stderr
    assert '- "quantum lattice toolkit"  # 10 / 0 (4 missed)' in yml.stdout
    import yaml

    snippet = yaml.safe_load("rules:\n" + "\n".join(l for l in yml.stdout.splitlines() if not l.startswith("#")))
    assert snippet["rules"][0]["id"] == "alpha/suggested"
    assert snippet["rules"][0]["keywords"][0] == "quantum lattice toolkit"


def test_suggest_negatives_come_from_false_positives(tmp_path):
    pack = write_pack(tmp_path / "pack", RULES)
    gold = make_corpus(tmp_path)
    proc = run_cli("rules", "suggest", gold, "--tag", "alpha", "--format", "json", *pack_args(pack))
    assert proc.returncode == 0, proc.stderr
    (alpha,) = json.loads(proc.stdout)
    assert alpha["false_positives"] == 12
    negs = [c["phrase"] for c in alpha["negatives"]]
    assert "dashboards" in negs or any("dashboards" in c["variants"] for c in alpha["negatives"])
    assert "widget" not in negs  # the positive keyword itself is no negative


def test_log_odds_sign_and_prior():
    from engine.reports.suggest import log_odds

    assert log_odds(8, 10, 1, 100, 0.5, 10) > 3
    assert log_odds(1, 10, 30, 100, 2.0, 10) < 0
    # a phrase as common in both groups scores near zero
    assert abs(log_odds(5, 10, 50, 100, 5.0, 10)) < 1e-9


# ---------------------------------------------------------------- eval --against

def test_classify_fixed_broken_changed():
    from engine.reports.compare import classify, compare

    gold = {"a": [1, 2], "b": [1], "c": [3], "d": [1], "e": [1, 2], "f": [1, 2]}
    old = {"a": [1], "b": [1], "c": [2], "d": [1, 2], "e": [2, 1], "f": [1, 4]}
    new = {"a": [1, 2], "b": [2], "c": [4], "d": [1, 2], "e": [1, 2], "f": [2]}
    got = {d.id: d.kind for d in compare(old, new, gold)}
    assert got == {"a": "fixed", "b": "broken", "c": "changed", "e": "changed", "f": "changed"}
    assert classify([1], [3, 1], [1, 3])[0] == "fixed"  # first tag became right
    assert classify([1], [1, 3], [3, 1])[0] == "broken"
    assert classify([1], [1, 3], [1]) == ("fixed", "-wrong 3")
    assert classify([1], [1], [1]) is None


def test_eval_against_lists_changes_and_deltas(setup, tmp_path):
    pack, gold = setup
    old = tmp_path / "old.jsonl"
    first = run_cli("eval", gold, "--predictions", old, *pack_args(pack)[:1], "--rules", pack, "--tags", pack / "tags.json")
    assert first.returncode == 0, first.stderr
    # the rule edit under review: beta/kind strong enough, alpha/hint weaker
    fix = write_pack(tmp_path / "fix", {"fix.yml": "override:\n  - {id: beta/kind, weight: 1}\n  - {id: alpha/hint, weight: 0.1}\n"})
    proc = run_cli("eval", gold, "--against", old, "--json", "--no-builtin", "--rules", pack, "--rules", fix,
                   "--tags", pack / "tags.json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)["against"]
    assert data["counts"] == {"fixed": 22, "broken": 0, "changed": 0}
    kinds = {d["id"]: d for d in data["changed"]}
    assert kinds[_name("b", 0)]["old"] == [] and kinds[_name("b", 0)]["new"] == [2] and kinds[_name("b", 0)]["gold"] == [2]
    assert kinds[_name("g", 0)]["kind"] == "fixed" and kinds[_name("g", 0)]["new"] == [3]
    assert data["figures"]["micro_f1"]["after"] == 1.0 and data["figures"]["micro_f1"]["delta"] > 0
    text = run_cli("eval", gold, "--against", old, "--no-builtin", "--rules", pack, "--rules", fix,
                   "--tags", pack / "tags.json")
    assert "22 README(s) changed: 22 fixed, 0 broken" in text.stdout
    assert "+right beta" in text.stdout


def test_eval_against_bad_file_names_line(setup, tmp_path):
    pack, gold = setup
    old = tmp_path / "old.jsonl"
    old.write_text('{"id": "x", "tags": [1]}\n{"id": "y", "tags": "no"}\n', encoding="utf-8")
    proc = run_cli("eval", gold, "--against", old, *pack_args(pack)[:1], "--rules", pack, "--tags", pack / "tags.json")
    assert proc.returncode == 2
    assert f"{old}:2: \"tags\" must be a list of tag ids" in proc.stderr


def test_suggest_goes_on_past_an_unreadable_readme(tmp_path):
    pack = write_pack(tmp_path / "pack", RULES)
    gold = make_corpus(tmp_path, planted_phrase="quantum lattice toolkit")
    with open(gold, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "gone", "file": "docs/gone.md", "tags": [1]}) + "\n")
    proc = run_cli("rules", "suggest", gold, "--tag", "alpha", "--format", "json", *pack_args(pack))
    assert proc.returncode == 1
    assert "gone.md" in proc.stderr and "1 gold README(s) could not be read" in proc.stderr
    assert json.loads(proc.stdout)[0]["keywords"][0]["phrase"] == "quantum lattice toolkit"
