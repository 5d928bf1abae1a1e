"""The CLI contract of `repotag tag` and `repotag prompt`."""
import json

from conftest import ROOT, records, run_cli, write_pack

PACK = {"r.yml": """
rules:
  - {id: q/k, tag: message-queue, keywords: [message queue]}
  - {id: c/k, tag: cli, keywords: [command line tool]}
"""}


def test_tag_file_compact_json_keys_in_order(tmp_path):
    (tmp_path / "Foo.md").write_text("# Foo\n\nA message queue.\n")
    r = run_cli("tag", "--no-builtin", "--rules", write_pack(tmp_path / "p", PACK), tmp_path / "Foo.md")
    assert r.returncode == 0, r.stderr
    assert r.stdout == '{"id":"Foo","tags":[90]}\n'


def test_directory_sorted_stdin_and_one_bad_input(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "b.md").write_text("# B\n\nA command line tool.\n")
    (d / "a.md").write_text("# A\n\nA message queue.\n")
    (d / "proj").mkdir()
    (d / "proj" / "README").write_text("plain text readme")
    (d / "notes.txt").write_text("ignored: not a README")
    (d / "c.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    pack = write_pack(tmp_path / "p", PACK)
    r = run_cli("tag", "--no-builtin", "--rules", pack, d, "-", input="# S\n\nA message queue\n")
    recs = records(r.stdout)
    assert [x["id"] for x in recs] == ["a", "b", "c", "proj", "stdin"]
    assert recs[0]["tags"] == [90] and recs[1]["tags"] == [4] and recs[4]["tags"] == [90]
    assert "binary" in recs[2]["error"] and list(recs[2]) == ["id", "error"]
    assert "c.md" in r.stderr and r.returncode == 1


def test_id_option_and_max_tags(tmp_path):
    pack = write_pack(tmp_path / "p", PACK)
    r = run_cli("tag", "--no-builtin", "--rules", pack, "--id", "6611", "--max-tags", "1", "-",
                input="# X\n\nA message queue and command line tool.\n")
    (rec,) = records(r.stdout)
    assert rec["id"] == "6611" and len(rec["tags"]) == 1


def test_jsonl_input_with_bad_lines(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "text": "# A\\n\\nA message queue."}\nnot json\n{"id": "c"}\n{"id": 7, "text": ""}\n')
    r = run_cli("tag", "--no-builtin", "--rules", write_pack(tmp_path / "p", PACK), "--input-format", "jsonl", f)
    recs = records(r.stdout)
    assert recs[0] == {"id": "a", "tags": [90]}
    assert recs[1]["id"] == f"{f}:2" and "invalid JSON" in recs[1]["error"]
    assert recs[2]["id"] == "c" and ":3:" in recs[2]["error"]
    assert recs[3]["id"] == "7" and recs[3]["tags"] == [] and "empty" in recs[3]["warnings"][0]
    assert r.returncode == 1


def test_invalid_utf8_is_tagged_with_a_warning(tmp_path):
    f = tmp_path / "w.md"
    f.write_bytes(b"# W\n\nA message queue \xff\xfe here.\n")
    r = run_cli("tag", "--no-builtin", "--rules", write_pack(tmp_path / "p", PACK), f)
    (rec,) = records(r.stdout)
    assert list(rec) == ["id", "tags", "warnings"] and rec["tags"] == [90]
    assert "invalid UTF-8 at byte" in rec["warnings"][0] and r.returncode == 0


def test_usage_errors_exit_2():
    assert run_cli("tag", "--max-tags", "x", "-", input="").returncode == 2
    assert run_cli("tag", "--input-format", "xml", "-", input="").returncode == 2
    r = run_cli("tag", "--tags", "/nonexistent/tags.json", "-", input="")
    assert r.returncode == 2 and "/nonexistent/tags.json" in r.stderr and "Traceback" not in r.stderr


def test_missing_file_is_an_error_record(tmp_path):
    r = run_cli("tag", tmp_path / "nope.md")
    assert records(r.stdout)[0]["id"] == "nope" and r.returncode == 1


def test_example_readme_and_python_api(tagger):
    text = (ROOT / "examples" / "quiver.md").read_text()
    res = tagger.tag(text)
    assert 90 in res.tags  # message-queue: the README's own description line says so
    assert all(res.scores[a] >= res.scores[b] for a, b in zip(res.tags, res.tags[1:]))
    mq = [e for e in res.evidence if e.tag == 90 and e.contribution > 0]
    assert any(e.scope == "lede" and e.line == 6 for e in mq)
    assert all(e.rule_loc.file.endswith(".yml") for e in mq)


def test_custom_tag_list_end_to_end(tmp_path):
    tags = tmp_path / "team.json"
    tags.write_text(json.dumps([{"id": 1, "name": "queueing"}, {"id": 2, "name": "message-queue"}]))
    pack = write_pack(tmp_path / "p", {"r.yml": "rules:\n  - {id: t/q, tag: queueing, keywords: [broker]}\n"})
    r = run_cli("tag", "--tags", tags, "--rules", pack, "-", input="# Q\n\nA message broker and message queue.\n")
    # built-in rules keep working for the names the team list shares (message-queue → id 2)
    assert records(r.stdout)[0]["tags"] == [2, 1] or records(r.stdout)[0]["tags"] == [1, 2]
