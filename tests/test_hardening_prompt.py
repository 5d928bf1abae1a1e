"""Malformed `repotag prompt` input: exit 2 and a message saying what is wrong."""
import json
import shutil

import pytest

from conftest import ROOT, records, run_cli
from engine.inputs import read as inputs
from hardening import make_pack

TAGS = [{"id": 47, "name": "database"}, {"id": 58, "name": "cache"}, {"id": 90, "name": "message-queue"}]
README = "# Quiver\n\nA database with a caching layer, for people in a hurry.\n"


def prompt(readme=README, assign='Assign "at most 2 tags"', tags=None, raw_list=None):
    lst = raw_list if raw_list is not None else json.dumps(TAGS if tags is None else tags)
    return (f'AI prompts\nbase on {readme}\n{assign} to the expected json: {{"id":"6611","tags":[]}} '
            f'"only from the tags list I provide: {lst}" returns me the "expected json"')


def run(tmp_path, text):
    f = tmp_path / "p.txt"
    f.write_text(text, encoding="utf-8")
    pack = make_pack(tmp_path / "pack")
    # Its own tag list: the pack's rules then map by name onto the prompt's list.
    shutil.copy(ROOT / "tags.json", pack / "tags.json")
    return run_cli("prompt", f, "--no-builtin", "--rules", pack)


def test_valid_prompt(tmp_path):
    proc = run(tmp_path, prompt())
    assert proc.returncode == 0, proc.stderr
    (rec,) = records(proc.stdout)
    assert rec == {"id": "6611", "tags": [47, 58]}


@pytest.mark.parametrize("kwargs, message", [
    ({"raw_list": ""}, "no tag list"),
    ({"raw_list": '[{"id": 47, "name": "database"},'}, "not valid JSON"),
    ({"raw_list": "[]"}, "empty"),
    ({"tags": TAGS + [{"id": 47, "name": "db"}]}, "duplicate tag id 47"),
    ({"tags": TAGS + [{"id": 1, "name": "Database"}]}, "duplicate tag name"),
    ({"tags": [{"id": "x", "name": "database"}]}, "non-numeric id"),
    ({"assign": "Assign tags"}, 'Assign "at most N tags"'),
    ({"assign": 'Assign "at most many tags"'}, "number of tags"),
    ({"assign": 'Assign "at most 4 tags"'}, "out of range for a list of 3"),
    ({"assign": 'Assign "at most 0 tags"'}, "out of range"),
])
def test_malformed_prompt_exits_2_with_reason(tmp_path, kwargs, message):
    proc = run(tmp_path, prompt(**kwargs))
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_long_readme_keeps_the_tag_list(tmp_path):
    """The tag list follows the README: only the README may be cut."""
    long = README + "\n" + "Filler words go here.\n" * (inputs.MAX_CHARS // 20)
    proc = run(tmp_path, prompt(readme=long))
    assert proc.returncode == 0, proc.stderr
    assert "analysed the first" in proc.stderr
    assert records(proc.stdout)[0]["id"] == "6611"


def test_binary_prompt_is_a_usage_error(tmp_path):
    f = tmp_path / "p.txt"
    f.write_bytes(b"\x00\x01\x02" * 100)
    proc = run_cli("prompt", f)
    assert proc.returncode == 2 and "binary" in proc.stderr
