"""Hostile inputs: every input gets one record (tags or a clear error),
bounded in time and memory, and the batch goes on."""
import codecs
import json
import os
import sys

import pytest

from conftest import records
from hardening import pack, tag_cli, tagger  # noqa: F401 (fixtures)
from engine.inputs import read as inputs
from engine.inputs.read import MAX_CHARS, decode, iter_jsonl, read_path

DB = 47
CACHE = 58
MQ = 90
README = "# Quiver\n\nA database with a caching layer, for people in a hurry.\n"


def _hostile(d):
    """{file name: what the record must show} for a directory of every hard case."""
    expect = {}

    def put(name, data, want):
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        expect[name] = want

    put("empty.md", b"", ("tags", []))
    put("blank.md", " \n\t\n   \n", ("tags", []))
    put("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 40, ("error", "binary"))
    put("latin1.md", "# Quiver\n\nA database for caf\xe9 owners and friends.\n".encode("latin-1"), ("tags", [DB]))
    put("utf16.md", codecs.BOM_UTF16_LE + README.encode("utf-16-le"), ("tags", [DB, CACHE]))
    put("crlf.md", README.replace("\n", "\r\n"), ("tags", [DB, CACHE]))
    put("cr.md", README.replace("\n", "\r"), ("tags", [DB, CACHE]))
    # 50 MB: the title and lede are in the analysed part, the rest is cut.
    filler = "Nothing to see in this line of filler text.\n" * (50 * 1024 * 1024 // 44)
    put("huge.md", README + "\n" + filler, ("tags", [DB, CACHE]))
    put("longline.md", "x" * (10 * 1024 * 1024), ("tags", []))
    # 10,000 levels of two-space indentation are 100 MB: the cap cuts it.
    put("nested-list.md", README + "\n" + "\n".join("  " * i + "- message queue" for i in range(10_000))
        + "\n\nA message broker too.\n", ("tags", [DB, CACHE]))
    put("nested-quote.md", README + "\n" + ">" * 10_000 + " message queue\n\nA message broker too.\n",
        ("tags", [DB, CACHE, MQ]))
    put("html-only.md", "<h1 align=\"center\">Quiver</h1>\n<p align=\"center\">A database with a caching layer, "
        "for people in a hurry.</p>\n<div><img src=\"logo.png\" alt=\"logo\"></div>\n", ("tags", [DB, CACHE]))
    # Table cells count little and repeats decay: one giant table of "database" is no evidence.
    put("table.md", "| name | what |\n|---|---|\n" + "| quiver | a database |\n" * 200_000, ("tags", []))
    # READMEs name their folders: one project each, found by the walk.
    (d / "rst").mkdir()
    (d / "plain").mkdir()
    put("rst/README.rst", "Quiver\n======\n\nA database with a caching layer, for people in a hurry.\n\n"
        ".. code-block:: bash\n\n   pip install quiver\n", ("tags", [DB, CACHE]))
    put("plain/README", "QUIVER\n\nA database with a caching layer, for people in a hurry.\n", ("tags", [DB, CACHE]))
    os.mkfifo(d / "fifo.md")
    expect["fifo.md"] = ("error", "fifo")
    os.symlink(os.devnull, d / "devnull.md")
    expect["devnull.md"] = ("error", "device")
    os.symlink("loop.md", d / "loop.md")
    expect["loop.md"] = ("error", "symbolic links")
    os.symlink("missing-target.md", d / "dangling.md")
    expect["dangling.md"] = ("error", "cannot read")
    os.symlink(".", d / "self.md")  # a directory loop: never descended into
    expect["self.md"] = ("error", "directory")
    (d / "subdir.md").mkdir()
    expect["subdir.md"] = ("error", "directory")
    return expect


def test_mixed_directory_gives_one_record_per_input(tmp_path, pack):
    d = tmp_path / "batch"
    d.mkdir()
    expect = _hostile(d)
    (d / "notes.txt").write_text("not a README by name: not an input")
    proc = tag_cli(pack, d)
    recs = records(proc.stdout)
    assert proc.returncode == 1  # some inputs failed, and the batch finished
    assert "Traceback" not in proc.stderr
    ids = sorted(name.split("/")[0] if "/" in name else name.split(".")[0] for name in expect)
    assert sorted(r["id"] for r in recs) == ids
    by_id = {}
    for r in recs:
        by_id.setdefault(r["id"], []).append(r)
    for name, (kind, want) in expect.items():
        stem = name.split("/")[0] if "/" in name else name.split(".")[0]
        cands = by_id[stem]
        if kind == "error":
            assert any(want in r.get("error", "") and name in r["error"] for r in cands), (name, cands)
        else:
            assert any(sorted(r.get("tags", ["error"])) == sorted(want) for r in cands), (name, cands)
    assert any("invalid UTF-8" in w for w in by_id["latin1"][0]["warnings"])
    assert any("UTF-16" in w for w in by_id["utf16"][0]["warnings"])
    assert any(f"first {MAX_CHARS} characters" in w for w in by_id["huge"][0]["warnings"])
    assert any(f"first {MAX_CHARS} characters" in w for w in by_id["longline"][0]["warnings"])
    assert any("empty" in w for w in by_id["blank"][0]["warnings"])


def test_unreadable_file_is_an_error_record(tmp_path, pack):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading")
    f = tmp_path / "secret.md"
    f.write_text(README)
    f.chmod(0)
    proc = tag_cli(pack, f, tmp_path / "ok.md")
    recs = records(proc.stdout)
    assert recs[0]["id"] == "secret" and "cannot read" in recs[0]["error"]
    assert len(recs) == 2


@pytest.mark.parametrize("nl", ["\r\n", "\r"])
def test_line_numbers_survive_crlf_and_cr(tagger, nl):
    text = nl.join(["# Quiver", "", "Fast.", "", "## More", "", "It is a database."])
    ev = [e for e in tagger.tag(text).evidence if e.term == "database"]
    assert [e.line for e in ev] == [7]


def test_deep_nesting_keeps_what_follows(tagger):
    """markdown-it-py drops the rest of a document once nesting passes
    maxNesting; flattening first keeps the paragraph after the deep part."""
    for deep in ("\n".join("  " * i + "- x" for i in range(5000)),
                 "\n".join("   " * i + "1. x" for i in range(5000)),
                 ">" * 10_000 + " x",
                 "> - " * 3000 + "x",
                 "[" * 10_000 + "x" + "]" * 10_000,
                 "<div>" * 10_000 + "x" + "</div>" * 10_000):
        res = tagger.tag("# Quiver\n\nA tool.\n\n" + deep + "\n\nIt is a message broker.\n")
        assert res.tags == [MQ]
        assert res.document.segments[-1].text == "It is a message broker."


def test_deep_nesting_does_not_need_much_stack(tagger):
    """Parsing a hostile README must work however deep the caller already is."""
    text = "[" * 5000 + "database" + "]" * 5000 + "\n\n" + "\n".join("  " * i + "- x" for i in range(2000))

    def at_depth(n):
        return tagger.tag(text).tags if n == 0 else at_depth(n - 1)

    assert at_depth(sys.getrecursionlimit() - 300) == []


def test_decode_policy():
    assert decode("é".encode("utf-8") + b"\xff") == ("é\ufffd", None, ["invalid UTF-8 at byte 2: undecodable bytes replaced with U+FFFD"])
    # A multi-byte character cut by the read limit is not an encoding error.
    assert decode("aé".encode("utf-8")[:-1], truncated=True) == ("a", None, [])
    assert decode(codecs.BOM_UTF8 + b"# x") == ("# x", None, [])
    text, err, w = decode(codecs.BOM_UTF32_LE + "# x\n".encode("utf-32-le"))
    assert (text, err) == ("# x\n", None) and "UTF-32" in w[0]
    assert "binary" in decode(bytes(range(1, 32)) * 100)[1]
    assert "UTF-16" in decode("# x".encode("utf-16-le"))[1]


def test_big_file_is_read_only_up_to_the_cap(tmp_path, monkeypatch):
    f = tmp_path / "big.md"
    f.write_bytes(b"word " * 100_000)
    monkeypatch.setattr(inputs, "MAX_CHARS", 1000)
    monkeypatch.setattr(inputs, "READ_BYTES", 4004)
    item = read_path(f)
    assert len(item.text) == 1000
    assert item.warnings == ["analysed the first 1000 characters of a 500000-byte file"]


def test_stdin_is_not_drained_past_the_limit(pack):
    proc = tag_cli(pack, "-", input=README + "filler line\n" * 300_000)
    (rec,) = records(proc.stdout)
    assert rec["tags"] == [DB, CACHE]
    assert "the rest was not read" in rec["warnings"][0]


def test_malformed_jsonl_lines(tmp_path, pack):
    lines = [
        json.dumps({"id": "good", "text": README}).encode(),
        b'{"id": "x", "text": ',
        json.dumps({"id": "no-text"}).encode(),
        json.dumps({"text": README}).encode(),
        json.dumps({"id": "num", "text": 5}).encode(),
        json.dumps({"id": ["a"], "text": "x"}).encode(),
        b"[1, 2]",
        b"null",
        b'{"id": "bad", "text": "caf\xe9"}',
        b"",
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"id": 7, "text": README}).encode(),
        json.dumps({"id": "\ud800", "text": README}).encode(),
    ]
    f = tmp_path / "batch.jsonl"
    f.write_bytes(codecs.BOM_UTF8 + b"\n".join(lines) + b"\n")
    proc = tag_cli(pack, f)
    recs = records(proc.stdout)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(recs) == len(lines) - 1  # the blank line is not an input
    good = [r for r in recs if "tags" in r]
    assert [r["id"] for r in good] == ["good", "7", "\ud800"]
    assert all(r["tags"] == [DB, CACHE] for r in good)
    errors = {r["error"].split(": ", 1)[0]: r["error"] for r in recs if "error" in r}
    assert set(errors) == {f"{f}:{n}" for n in (2, 3, 4, 5, 6, 7, 8, 9, 11)}
    assert "invalid JSON" in errors[f"{f}:2"]
    assert 'missing "text"' in errors[f"{f}:3"]
    assert 'missing "id"' in errors[f"{f}:4"]
    assert '"text" must be a string, not int' in errors[f"{f}:5"]
    assert '"id" must be a string or an integer, not list' in errors[f"{f}:6"]
    assert "not list" in errors[f"{f}:7"] and "not NoneType" in errors[f"{f}:8"]
    assert "invalid UTF-8" in errors[f"{f}:9"]
    assert "nested too deeply" in errors[f"{f}:11"]


def test_overlong_jsonl_line_is_skipped_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_BYTES", 100)
    f = tmp_path / "x.jsonl"
    f.write_text(json.dumps({"id": "long", "text": "y" * 500}) + "\n" + json.dumps({"id": "ok", "text": "z"}) + "\n")
    items = list(iter_jsonl(str(f)))
    assert [(i.id, bool(i.error)) for i in items] == [(f"{f}:1", True), ("ok", False)]
    assert "longer than 100 bytes" in items[0].error


def test_fifo_given_as_jsonl_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "in.jsonl")
    (item,) = iter_jsonl(str(tmp_path / "in.jsonl"))
    assert "fifo" in item.error


def test_undecodable_file_name_gives_valid_json(tmp_path, pack):
    name = os.fsdecode(b"caf\xe9.md")
    (tmp_path / name).write_text(README)
    proc = tag_cli(pack, tmp_path)
    (rec,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rec["tags"] == [DB, CACHE]
    assert rec["id"] == os.fsdecode(b"caf\xe9")


def test_device_given_directly(pack):
    proc = tag_cli(pack, os.devnull)
    (rec,) = records(proc.stdout)
    assert "not a regular file (a device)" in rec["error"] and proc.returncode == 1
