"""The JSON Schema of rule files: it agrees with the loader and accepts the built-in pack."""
import json

import pytest
import yaml

from conftest import FIXTURES, ROOT, run_cli

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def schema():
    from engine.cli.rules_app import SCHEMA_FILE

    data = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(data)
    return data


def errors(schema, doc):
    return sorted(e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc))


def test_rules_schema_prints_the_shipped_file(schema):
    proc = run_cli("rules", "schema")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == schema


def test_schema_keys_match_the_loader(schema):
    from engine.document.markdown import SCOPES
    from engine.packs.read import EXAMPLE_KEYS, FILE_KEYS, OVERRIDE_KEYS, RULE_KEYS

    defs = schema["definitions"]
    assert set(schema["properties"]) == set(FILE_KEYS)
    assert set(defs["rule"]["properties"]) == set(RULE_KEYS)
    assert set(defs["override"]["properties"]) == set(OVERRIDE_KEYS)
    assert set(defs["example"]["properties"]) == set(EXAMPLE_KEYS)
    assert defs["rule"]["properties"]["scopes"]["items"]["enum"] == list(SCOPES)


@pytest.mark.parametrize("path", sorted((ROOT / "rules" / "tags").glob("*.yml")), ids=lambda p: p.name)
def test_builtin_rule_file_is_valid(schema, path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert errors(schema, doc) == []


@pytest.mark.parametrize("doc,needle", [
    ({"tag": "a", "rules": [{"id": "a/x", "keywrods": ["x"]}]}, "'keywrods' was unexpected"),
    ({"rules": [{"id": "a/x", "keywords": [{"term": "x", "weight": 11}]}]}, "is not valid under any of the given schemas"),
    ({"rules": [{"id": "a/x", "scopes": ["titel"], "keywords": ["x"]}]}, "'titel' is not one of"),
    ({"rules": [{"id": "a/x"}]}, "is not valid under any of the given schemas"),
    ({"override": [{"id": "a/x"}]}, "should be non-empty"),
    ({"examples": [{"text": "x"}]}, "is not valid under any of the given schemas"),
    ({"disable": "a/x"}, "is not of type 'array'"),
])
def test_schema_rejects_what_the_loader_rejects(schema, doc, needle):
    assert any(needle in m or needle.replace("should be non-empty", "does not have enough properties") in m
               for m in errors(schema, doc)), errors(schema, doc)


def test_schema_accepts_a_full_plugin_file(schema):
    doc = yaml.safe_load((FIXTURES / "broken-pack" / "beta.yml").read_text(encoding="utf-8"))
    assert errors(schema, doc) == []
    doc = {"override": [{"id": "ai/x", "weight": 0.5, "scopes": ["title"]}], "disable": ["ai/y"],
           "rules": [{"id": "t/x", "tag": 12, "negative": ["a", {"pattern": "b+", "weight": 2}],
                      "fuzzy": [{"term": "kubernetes", "threshold": 85}]}]}
    assert errors(schema, doc) == []


def test_pre_commit_hooks_run_rules_lint_and_rules_test():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["entry"] for h in hooks] == ["repotag rules lint", "repotag rules test"]
    assert {h["language"] for h in hooks} == {"python"}
    assert all(h["files"] == hooks[0]["files"] for h in hooks)  # both see the same rule files


def test_documented_editor_header_points_at_the_schema():
    from engine.cli.rules_app import SCHEMA_FILE

    doc = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    header = next(l for l in doc.splitlines() if l.startswith("# yaml-language-server: $schema=../"))
    target = (ROOT / "rules" / "tags" / header.split("$schema=", 1)[1]).resolve()
    assert target == SCHEMA_FILE
