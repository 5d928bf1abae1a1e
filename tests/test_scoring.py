"""Scoring: weights, scopes, sections, decay, negatives, threshold and the cut."""
import pytest

from conftest import write_pack
from engine.tagging.tagger import Tagger
from engine.packs.taglist import TagList

TAGS = TagList.from_data([{"id": i, "name": n} for i, n in
                          [(10, "alpha"), (20, "beta"), (30, "gamma"), (40, "delta"), (50, "omega")]])
PACK = """
scope_factors: {title: 3, lede: 3, heading: 1.5, prose: 1, code: 0.2}
intro_factor: 1.0
section_factors: [{match: 'install', factor: 0.5}, {match: 'license', factor: 0.1}]
repeat_decay: 0.5
min_score: 2.5
relative_min: 0
max_tags: 3
overlap_groups: [[alpha, beta]]
overlap_penalty: 0.5
"""
RULES = """
rules:
  - {id: a/k, tag: alpha, keywords: [apple]}
  - {id: b/k, tag: beta, keywords: [banana]}
  - {id: g/k, tag: gamma, keywords: [grape], scopes: [title, lede, heading, prose, code]}
  - {id: d/k, tag: delta, keywords: [date], negative: [{term: not a date, weight: 1}]}
  - {id: o/k, tag: omega, keywords: [olive]}
"""


@pytest.fixture(scope="module")
def tagger(tmp_path_factory):
    pack = write_pack(tmp_path_factory.mktemp("p"), {"pack.yml": PACK, "r.yml": RULES})
    return Tagger.from_paths([pack], TAGS, builtin=False)


def ev(res, tag):
    return [e for e in res.evidence if e.tag == tag]


def test_title_counts_more_than_prose(tagger):
    res = tagger.tag("# Apple\n\n## Notes\n\nbanana\n")
    assert res.scores[10] == pytest.approx(3.0)
    assert res.scores[20] == pytest.approx(1.0)
    assert res.tags == [10]  # beta below min_score


def test_repeats_decay_strongest_first(tagger):
    res = tagger.tag("# T\n\n## Notes\n\n" + "apple " * 5 + "\n")
    assert [round(e.decay, 4) for e in ev(res, 10)] == [1, 0.5, 0.25, 0.125, 0.0625]
    assert res.scores[10] == pytest.approx(1.9375)
    assert res.tags == []  # 5 prose mentions never reach one title mention


def test_section_factors(tagger):
    res = tagger.tag("## Intro\n\ngrape grape grape\n\n## Installation\n\ngrape\n\n## License\n\napple")
    assert [e.section_factor for e in ev(res, 30)] == [1, 1, 1, 0.5]
    assert ev(res, 10)[0].section_factor == 0.1


def test_code_scope_only_where_allowed(tagger):
    res = tagger.tag("## Use\n\n```\napple grape\n```\n")
    assert 10 not in res.scores  # a/k has default scopes, which exclude code
    assert ev(res, 30)[0].scope == "code" and res.scores[30] == pytest.approx(0.2)


def test_negative_cancels_inside_span_and_subtracts(tagger):
    res = tagger.tag("# Date\n\n## Notes\n\nThis is not a date picker.\n")
    d = ev(res, 40)
    cancelled = [e for e in d if e.cancelled_by]
    assert len(cancelled) == 1 and cancelled[0].line == 5
    assert res.scores[40] == pytest.approx(3.0 - 1.0)
    assert 40 not in res.tags


def test_cut_to_max_and_deterministic_ties(tagger):
    text = "# Grape Olive Date Apple\n"
    res = tagger.tag(text)
    assert res.tags == [10, 30, 40]  # all score 3: ties by tag id; omega cut by limit
    status = {r.tag: r.status for r in res.ranking}
    assert status[50] == "cut-by-limit"
    assert tagger.tag(text, max_tags=1).tags == [10]
    assert tagger.tag(text).tags == res.tags


def test_overlap_group_discount(tagger):
    res = tagger.tag("# Apple Banana\n")
    assert res.tags == [10]  # banana × 0.5 = 1.5 < 2.5 once alpha is chosen
    assert {r.tag: r.status for r in res.ranking}[20] == "overlap"


def test_abstain_when_weak(tagger):
    assert tagger.tag("# Tool\n\nNothing about fruit here.\n").tags == []


def test_word_boundaries_and_separators(tmp_path):
    pack = write_pack(tmp_path, {"r.yml": "rules:\n  - {id: a/k, tag: alpha, keywords: [machine learning, 机器学习]}\n"})
    t = Tagger.from_paths([pack], TAGS, builtin=False)
    assert t.tag("# Machine-Learning kit").tags == [10]
    assert t.tag("# Machine_learning kit").tags == [10]
    assert t.tag("# Machinelearning kit").tags == []
    assert t.tag("# Supermachine learningful").tags == []
    assert t.tag("# 一个机器学习框架").tags == [10]


def test_tags_without_rules_match_their_name(tmp_path):
    pack = write_pack(tmp_path, {"r.yml": "rules:\n  - {id: a/k, tag: alpha, keywords: [apple]}\n"})
    t = Tagger.from_paths([pack], TAGS, builtin=False)
    res = t.tag("# Omega\n")
    assert res.tags == [50]
    assert res.evidence[0].rule_id == "name/omega"


# ---------------------------------------------------------------- rule-level factors and the first tag

FACTOR_RULES = """
rules:
  - id: a/usage
    tag: alpha
    scopes: [code]
    scope_factors: {code: 1.0}
    section_factors: false
    keywords: [apple]
  - id: b/usage
    tag: beta
    scopes: [code]
    keywords: [apple]
"""


@pytest.fixture(scope="module")
def factor_tagger(tmp_path_factory):
    pack = write_pack(tmp_path_factory.mktemp("f"), {"pack.yml": PACK, "r.yml": FACTOR_RULES})
    return Tagger.from_paths([pack], TAGS, builtin=False)


def test_a_rule_names_its_own_scope_and_section_factors(factor_tagger):
    res = factor_tagger.tag("# T\n\n## Installation\n\n```\n$ apple --now\n```\n")
    a, b = ev(res, 10), ev(res, 20)
    assert (a[0].scope_factor, a[0].section_factor) == (1.0, 1.0)  # the rule's own
    assert (b[0].scope_factor, b[0].section_factor) == (0.2, 0.5)  # the pack's
    assert res.scores[10] == pytest.approx(10 * res.scores[20])  # 1.0 × 1.0 against 0.2 × 0.5


def test_rule_factor_keys_are_checked(tmp_path):
    from engine.packs.model import RuleLoadError

    bad = "rules:\n  - id: a/x\n    tag: alpha\n    scope_factors: {kode: 1, code: 11}\n    section_factors: 'no'\n    keywords: [apple]\n"
    pack = write_pack(tmp_path / "p", {"pack.yml": PACK, "r.yml": bad})
    with pytest.raises(RuleLoadError) as exc:
        Tagger.from_paths([pack], TAGS, builtin=False)
    codes = sorted((p.loc.line, p.code) for p in exc.value.problems)
    assert codes == [(4, "unknown-scope"), (4, "wrong-type"), (5, "wrong-type")]


def test_first_tag_needs_only_first_min_score(tmp_path):
    pack = write_pack(tmp_path / "p", {"pack.yml": PACK + "first_min_score: 0.5\n", "r.yml": RULES})
    t = Tagger.from_paths([pack], TAGS, builtin=False)
    res = t.tag("# T\n\n## Notes\n\nbanana and apple, apple\n")  # alpha 1.5, beta 1.0: both < min_score
    assert res.tags == [10]  # the best one is answered; the second still needs min_score
    first = next(r for r in res.ranking if r.tag == 10)
    assert first.status == "chosen" and "first_min_score" in first.reason
    assert next(r for r in res.ranking if r.tag == 20).status == "below-threshold"
    assert t.tag("# T\n\n## Notes\n\nnothing here\n").tags == []  # no evidence: no answer
    assert t.tag("# T\n\n## Notes\n\n```\ngrape\n```\n").tags == []  # code: 0.2 < first_min_score


def test_without_first_min_score_the_first_tag_needs_min_score(tagger):
    assert tagger.tag("# T\n\n## Notes\n\nbanana and apple, apple\n").tags == []
