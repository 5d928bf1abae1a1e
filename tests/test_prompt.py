"""`repotag prompt`: README, id, N and the tag list come from the prompt."""
import json

import pytest

from conftest import ROOT, records, run_cli
from engine.cli.prompt import PromptError, parse_prompt

TAGS = [{"id": 5, "name": "queue"}, {"id": 9, "name": "game-engine "}, {"id": 17, "name": "ai"}]


def make_prompt(readme, n=2, id_="42", tags=TAGS):
    return (f"AI prompts\nbase on {readme}\", Assign \"at most {n} tags\" to the expected json: "
            f"{{\"id\":\"{id_}\",\"tags\":[]}} \"only from the tags list I provide: {json.dumps(tags)}\" "
            "returns me the \"expected json\"")


def test_parse_prompt_fields():
    p = parse_prompt(make_prompt("# Quux\nA deep learning thing.", n=2, id_="6611"))
    assert (p.id, p.max_tags) == ("6611", 2)
    assert p.readme == "# Quux\nA deep learning thing."
    assert [(t.id, t.name) for t in p.tags] == [(5, "queue"), (9, "game-engine "), (17, "ai")]


@pytest.mark.parametrize("text, fragment", [
    ("just a readme", "Assign"),
    (make_prompt("x").split("only from")[0], "tag list"),
    (make_prompt("x").replace('"ai"}]', '"ai"'), "not valid JSON"),
    (make_prompt("x", n=5), "out of range"),
    (make_prompt("x", tags=[{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]), "duplicate tag id"),
])
def test_malformed_prompts(text, fragment):
    with pytest.raises(PromptError, match=fragment):
        parse_prompt(text)


def test_prompt_cli_uses_prompt_list_and_names(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text(make_prompt("# Quux\n\nA deep learning game engine for a job queue.", n=3))
    r = run_cli("prompt", f)
    assert r.returncode == 0, r.stderr
    (rec,) = records(r.stdout)
    assert rec["id"] == "42" and set(rec["tags"]) <= {5, 9, 17} and 17 in rec["tags"] and 9 in rec["tags"]


def test_prompt_cli_bad_prompt_exits_2():
    r = run_cli("prompt", "-", input="no instruction here")
    assert r.returncode == 2 and "Assign" in r.stderr


def test_seed_prompt_and_tag_agree():
    seed = ROOT.parent / "shared" / "seed" / "000_0504325cdac549cc.txt"
    if not seed.exists():
        pytest.skip("seed prompt not beside the checkout")
    r = run_cli("prompt", seed)
    (rec,) = records(r.stdout)
    assert rec["id"] == "6611" and rec["tags"][0] == 17
    readme = parse_prompt(seed.read_text()).readme
    t = records(run_cli("tag", "--id", "6611", "-", input=readme).stdout)
    assert t == [rec]
