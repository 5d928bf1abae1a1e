"""The examples that rule files carry: every tag has a positive and a negative one,
and each holds with the built-in pack."""
import pytest

from engine import Tagger

TAGGER = Tagger.default()
EXAMPLES = TAGGER.ruleset.examples


def test_every_tag_has_a_positive_and_a_negative_example(tags):
    pos = {t for e in EXAMPLES for t in e.tags}
    neg = {t for e in EXAMPLES for t in e.not_tags}
    assert sorted(t.name for t in tags if t.id not in pos) == []
    assert sorted(t.name for t in tags if t.id not in neg) == []


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"{e.loc.file.rsplit('/', 1)[-1]}:{e.loc.line}" for e in EXAMPLES])
def test_example(ex):
    res = TAGGER.tag(ex.text)
    name = TAGGER.tags.by_id
    missing = [name[t].name for t in ex.tags if t not in res.tags]
    unwanted = [name[t].name for t in ex.not_tags if t in res.tags]
    assert not missing and not unwanted, (
        f"{ex.loc}: got {[name[t].name for t in res.tags]}, missing {missing}, unwanted {unwanted}; "
        f"scores {sorted(((round(s, 2), name[t].name) for t, s in res.scores.items()), reverse=True)[:5]}")
