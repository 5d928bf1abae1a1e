"""Catalogue runs (issue 16): a folder of checkouts is walked, every record
has an id of its own, and no argument yields a silent empty answer."""
import gzip
import io
import json
import os

import pytest

from conftest import records, run_cli, write_pack
from engine.inputs.sources import plan
from engine.inputs.walk import readme_rank, walk

MQ, CLI, DB = 90, 4, 47
PACK = {"r.yml": """
rules:
  - {id: q/k, tag: message-queue, keywords: [message queue]}
  - {id: c/k, tag: cli, keywords: [command line tool]}
  - {id: d/k, tag: database, keywords: [{term: database, weight: 3}]}
"""}


@pytest.fixture
def pack(tmp_path):
    return write_pack(tmp_path / "pack", PACK)


def tag(pack, *args, **kw):
    return run_cli("tag", "--no-builtin", "--rules", pack, *args, **kw)


def put(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def checkouts(root):
    """checkouts/ as a user clones it: projects, a group of projects, a
    project's own docs, dependency and hidden folders, a folder without README."""
    c = root / "checkouts"
    put(c / "alpha" / "README.md", "# Alpha\n\nA message queue for services.\n")
    put(c / "alpha" / "docs" / "README.md", "# Alpha docs\n\nA database page.\n")  # the project's own
    put(c / "alpha" / "CHANGELOG.md", "# Changes\n\nA command line tool now.\n")  # the project's own
    put(c / "beta" / "readme.md", "# Beta\n\nA command line tool.\n")
    put(c / "group" / "gamma" / "README.rst", "Gamma\n=====\n\nA database.\n")
    put(c / "group" / "gamma" / "node_modules" / "dep" / "README.md", "# Dep\n\nA message queue.\n")
    put(c / ".git" / "README.md", "# hidden\n\nA database.\n")
    put(c / "node_modules" / "left-pad" / "README.md", "# left-pad\n\nA database.\n")
    put(c / "vendor" / "lib" / "README", "lib\n\nA database.\n")
    put(c / "nothing" / "src" / "main.c", "int main(void) { return 0; }\n")
    return c


# ---------------------------------------------------------------- the walk

def test_a_folder_of_checkouts_gives_one_record_per_project(tmp_path, pack):
    c = checkouts(tmp_path)
    r = tag(pack, c)
    assert r.returncode == 0, r.stderr
    assert records(r.stdout) == [
        {"id": "alpha", "tags": [MQ]},  # not its docs/README.md nor CHANGELOG.md
        {"id": "beta", "tags": [CLI]},
        {"id": "gamma", "tags": [DB]},  # a checkout nested in a group folder
    ]


def test_hidden_and_dependency_folders_are_not_walked_unless_named(tmp_path, pack):
    c = checkouts(tmp_path)
    w = walk(c)
    assert [f.rel for f in w.found] == ["alpha/README.md", "beta/readme.md", "group/gamma/README.rst"]
    assert {".git", "node_modules", "vendor"} <= set(w.skipped)
    # A folder given by name is walked, whatever its name.
    r = tag(pack, c / "node_modules")
    assert records(r.stdout) == [{"id": "left-pad", "tags": [DB]}]


def test_no_recursive_looks_at_the_argument_only(tmp_path, pack):
    c = checkouts(tmp_path)
    r = tag(pack, "--no-recursive", c)
    assert r.stdout == "" and r.returncode == 1
    assert f"{c}: no README" in r.stderr and "--no-recursive" in r.stderr
    r = tag(pack, "--no-recursive", c / "alpha")
    assert records(r.stdout) == [{"id": "alpha", "tags": [MQ]}]


def test_the_preferred_readme_of_a_folder_stands_for_it(tmp_path, pack):
    d = tmp_path / "proj"
    put(d / "README", "proj\n\nA database.\n")
    put(d / "README.txt", "proj\n\nA database.\n")
    put(d / "README.rst", "proj\n====\n\nA command line tool.\n")
    put(d / "README.ja.md", "# proj\n\nA database.\n")
    put(d / "README.md", "# proj\n\nA message queue.\n")
    r = tag(pack, d)
    assert records(r.stdout) == [{"id": "proj", "tags": [MQ]}]
    (d / "README.md").unlink()
    assert records(tag(pack, d).stdout) == [{"id": "proj", "tags": [CLI]}]  # .rst next
    names = ["README.Debian", "README", "readme.txt", "README.md.gz", "README.rst", "README.markdown", "README.md"]
    assert sorted(names, key=readme_rank) == ["README.md", "README.md.gz", "README.markdown", "README.rst",
                                              "readme.txt", "README", "README.Debian"]
    assert readme_rank("CHANGELOG.md") is None


def test_a_flat_folder_of_readmes_keeps_its_stems(tmp_path, pack):
    """The corpus layout (dev/6611.md): a folder without a README is a
    collection, its *.md files READMEs named by their stems."""
    d = tmp_path / "corpus"
    put(d / "6611.md", "# X\n\nA message queue.\n")
    put(d / "owner__repo.md", "# Y\n\nA command line tool.\n")
    put(d / "notes.txt", "not markdown, not a README")
    put(d / "more" / "README.md", "# Z\n\nA database.\n")
    r = tag(pack, d)
    assert [x["id"] for x in records(r.stdout)] == ["6611", "more", "owner__repo"]  # sorted paths


def test_a_link_to_a_sibling_folder_is_the_one_not_walked(tmp_path):
    d = tmp_path / "doc"
    put(d / "zlib" / "README", "zlib\n")
    os.symlink("zlib", d / "a-link")
    w = walk(d)
    assert [f.rel for f in w.found] == ["zlib/README"]
    assert len(w.warnings) == 1 and "a-link (= " in w.warnings[0] and w.warnings[0].endswith("zlib)")


def test_symlink_loops_are_never_followed(tmp_path, pack):
    c = tmp_path / "checkouts"
    put(c / "alpha" / "README.md", "# Alpha\n\nA message queue.\n")
    (c / "group").mkdir()
    os.symlink("..", c / "group" / "up")  # a loop back to checkouts
    os.symlink("loop", c / "group" / "loop")  # a link to itself
    os.symlink("../alpha", c / "group" / "alias")  # a second route into alpha
    put(c / "broken" / "x.c", "")
    os.symlink("README.md", c / "broken" / "README.md")  # a README that is a loop
    r = tag(pack, c)
    recs = records(r.stdout)
    assert [x["id"] for x in recs] == ["alpha", "broken"]
    assert recs[0]["tags"] == [MQ]
    assert "symbolic links" in recs[1]["error"] and "README.md" in recs[1]["error"]  # an error, not a skip
    assert r.returncode == 1
    assert "group/up: not walked: a symbolic link loop back to" in r.stderr
    # alias leads to alpha, walked already: one line for all such links.
    assert "1 symbolic link to folders walked at another path" in r.stderr and "group/alias" in r.stderr
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------- ids

def test_readmes_given_as_files_are_named_for_their_folders(tmp_path, pack):
    c = checkouts(tmp_path)
    put(tmp_path / "solo.md", "# Solo\n\nA database.\n")
    r = tag(pack, c / "alpha" / "README.md", c / "beta" / "readme.md", tmp_path / "solo.md")
    assert [x["id"] for x in records(r.stdout)] == ["alpha", "beta", "solo"]
    assert r.stderr == ""


def test_colliding_names_get_their_paths_and_a_warning(tmp_path, pack):
    c = tmp_path / "checkouts"
    put(c / "a" / "utils" / "README.md", "# U\n\nA database.\n")
    put(c / "b" / "utils" / "README.md", "# U\n\nA message queue.\n")
    put(c / "c" / "README.md", "# C\n\nA command line tool.\n")
    r = tag(pack, c)
    assert [x["id"] for x in records(r.stdout)] == ["a/utils", "b/utils", "c"]
    assert "'utils'" in r.stderr and "a/utils/README.md" in r.stderr and "b/utils/README.md" in r.stderr
    assert r.returncode == 0
    # Given one by one, the READMEs are named by their paths as given.
    r = tag(pack, c / "a" / "utils" / "README.md", c / "b" / "utils" / "README.md", cwd=tmp_path)
    ids = [x["id"] for x in records(r.stdout)]
    assert len(set(ids)) == 2 and ids[0].endswith("a/utils") and ids[1].endswith("b/utils")


def test_two_readmes_of_one_folder_given_explicitly_stay_apart(tmp_path, pack):
    d = tmp_path / "proj"
    put(d / "README.md", "# P\n\nA database.\n")
    put(d / "README.rst", "P\n=\n\nA database.\n")
    r = tag(pack, "proj/README.md", "proj/README.rst", cwd=tmp_path)
    assert [x["id"] for x in records(r.stdout)] == ["proj/README.md", "proj/README.rst"]
    assert "would name 2 inputs" in r.stderr


def test_id_from_stem_folder_and_path(tmp_path, pack):
    c = checkouts(tmp_path)
    put(c / "beta" / "notes.md", "ignored: beta has a README")
    ids = lambda *a: [x["id"] for x in records(tag(pack, *a).stdout)]  # noqa: E731
    assert ids("--id-from", "path", c) == ["alpha/README.md", "beta/readme.md", "group/gamma/README.rst"]
    assert ids("--id-from", "folder", c) == ["alpha", "beta", "gamma"]
    # Stems collide (README, README): each gets its path below the argument.
    assert ids("--id-from", "stem", c) == ["alpha/README", "readme", "group/gamma/README"]
    flat = tmp_path / "flat"
    put(flat / "x.md", "# X\n\nA database.\n")
    assert ids("--id-from", "folder", flat) == ["flat"]
    r = tag(pack, "--id-from", "name", c)
    assert r.returncode == 2 and "--id-from must be" in r.stderr


def test_id_option_forces_one_id_without_warnings(tmp_path, pack):
    c = checkouts(tmp_path)
    r = tag(pack, "--id", "same", c)
    assert [x["id"] for x in records(r.stdout)] == ["same"] * 3 and "would name" not in r.stderr


def test_a_file_named_twice_is_tagged_once(tmp_path, pack):
    c = checkouts(tmp_path)
    r = tag(pack, c, c / "alpha", c / "beta" / "readme.md")
    assert [x["id"] for x in records(r.stdout)] == ["alpha", "beta", "gamma"]
    assert r.stderr.count("tagged once") == 2


def test_projects_sharing_one_readme_file_stay_two_projects(tmp_path, pack):
    """Debian links the docs of related packages to one file: two packages."""
    d = tmp_path / "doc"
    put(d / "libfoo-common" / "README.md", "# Foo\n\nA database.\n")
    (d / "libfoo1").mkdir()
    os.symlink("../libfoo-common/README.md", d / "libfoo1" / "README.md")
    r = tag(pack, d)
    assert records(r.stdout) == [{"id": "libfoo-common", "tags": [DB]}, {"id": "libfoo1", "tags": [DB]}]
    assert r.stderr == ""


def test_stdin_keeps_its_id_and_a_file_named_stdin_moves(tmp_path, pack):
    put(tmp_path / "stdin.md", "# S\n\nA database.\n")
    r = tag(pack, "stdin.md", "-", input="# In\n\nA message queue.\n", cwd=tmp_path)
    recs = records(r.stdout)
    assert recs[1] == {"id": "stdin", "tags": [MQ]}
    assert recs[0]["id"] == "stdin.md" and "'stdin'" in r.stderr


def test_jsonl_ids_are_the_data_own(tmp_path, pack):
    f = put(tmp_path / "in.jsonl", '{"id": "README", "text": "A database."}\n')
    put(tmp_path / "p" / "README.md", "# P\n\nA database.\n")
    recs = records(tag(pack, f, tmp_path / "p").stdout)
    assert [x["id"] for x in recs] == ["README", "p"]


def test_plan_is_deterministic_and_sorted(tmp_path):
    c = checkouts(tmp_path)
    for name in ["zz", "Aa", "mm", "aa", "é"]:
        put(c / name / "README.md", f"# {name}\n")
    p1, p2 = plan([str(c)]), plan([str(c)])
    rels = [s.rel for s in p1.sources]
    assert rels == [s.rel for s in p2.sources] and [s.id for s in p1.sources] == [s.id for s in p2.sources]
    assert rels == sorted(rels, key=lambda r: r.split("/"))
    assert p1.total == len(rels) == 8


# ---------------------------------------------------------------- no silent empty answer

def test_an_argument_without_readme_warns_and_exits_1(tmp_path, pack):
    empty = tmp_path / "empty"
    empty.mkdir()
    only_deps = tmp_path / "deps"
    put(only_deps / "node_modules" / "x" / "README.md", "# X\n\nA database.\n")
    put(only_deps / ".git" / "README.md", "# X\n\nA database.\n")
    ok = put(tmp_path / "ok" / "README.md", "# Ok\n\nA database.\n")
    r = tag(pack, empty, only_deps, ok.parent)
    assert records(r.stdout) == [{"id": "ok", "tags": [DB]}]  # the batch goes on
    assert r.returncode == 1
    assert f"{empty}: no README here" in r.stderr
    assert f"{only_deps}: no README" in r.stderr and "node_modules" in r.stderr and ".git" in r.stderr


def test_an_empty_jsonl_file_warns_and_exits_1(tmp_path, pack):
    f = put(tmp_path / "none.jsonl", "\n\n")
    r = tag(pack, f)
    assert r.stdout == "" and r.returncode == 1 and "none.jsonl: no README" in r.stderr


# ---------------------------------------------------------------- names, summary

def test_with_names_adds_names_after_tags(tmp_path, pack):
    c = checkouts(tmp_path)
    put(c / "bad" / "README.md", b"\x89PNG\r\n\x1a\n\x00\x00")
    put(c / "latin" / "README.md", "# L\n\nA database caf\xe9.\n".encode("latin-1"))
    r = tag(pack, "--with-names", c)
    recs = {x["id"]: x for x in records(r.stdout)}
    assert recs["alpha"] == {"id": "alpha", "tags": [MQ], "names": ["message-queue"]}
    assert list(recs["latin"]) == ["id", "tags", "names", "warnings"]
    assert list(recs["bad"]) == ["id", "error"]
    # The default line stays the contract.
    assert all(list(x) == ["id", "tags"] for x in records(tag(pack, c / "alpha").stdout))


def test_summary_counts_what_was_written(tmp_path, pack):
    c = checkouts(tmp_path)
    put(c / "bad" / "README.md", b"\x89PNG\r\n\x1a\n\x00\x00")
    put(c / "blank" / "README.md", "# Blank\n\nNothing to see.\n")
    put(c / "both" / "README.md", "# Both\n\nA database with a command line tool.\n")
    r = tag(pack, "--summary", c)
    recs = records(r.stdout)
    assert len(recs) == 6 and r.returncode == 1
    err = r.stderr.splitlines()
    start = next(i for i, line in enumerate(err) if line.startswith("repotag: summary: 6 inputs"))
    body = err[start:]
    counts = {line.split()[0]: int(line.split()[1]) for line in body[1:4]}
    assert counts == {"tagged": 4, "untagged": 1, "errors": 1}
    per_tag = [line.split() for line in body[body.index(next(x for x in body if x.startswith("per tag"))) + 1:]]
    # Most used first, ties by tag id (CLI 4 before DB 47).
    assert per_tag == [["2", str(CLI), "cli"], ["2", str(DB), "database"], ["1", str(MQ), "message-queue"]]
    assert "repotag: summary:" not in tag(pack, c).stderr


def test_typer_and_the_fast_path_agree(tmp_path, pack):
    """Every new flag works in both front ends (typer is used when the fast
    path cannot parse the arguments, and for help)."""
    from typer.testing import CliRunner

    from engine.cli.app import app

    c = checkouts(tmp_path)
    args = ["tag", "--no-builtin", "--rules", str(pack), "--with-names", "--id-from", "path", "--summary",
            str(c / "group"), str(c / "alpha")]
    fast = run_cli(*args)
    typed = CliRunner().invoke(app, args)
    assert typed.exit_code == fast.returncode == 0
    assert typed.stdout == fast.stdout and fast.stdout.count("\n") == 2
    typed = CliRunner().invoke(app, ["tag", "--no-builtin", "--rules", str(pack), "--no-recursive", str(c)])
    assert typed.exit_code == 1 and typed.stdout == ""
    help_ = CliRunner().invoke(app, ["tag", "--help"], terminal_width=200).stdout
    for flag in ("--recursive", "--no-recursive", "--id-from", "--with-names", "--summary"):
        assert flag in help_


def test_output_is_byte_identical_across_runs_and_jobs(tmp_path, pack):
    c = checkouts(tmp_path)
    for i in range(40):
        put(c / "many" / f"p{i:02}" / "README.md", f"# P{i}\n\nA database {i}.\n")
    one = tag(pack, "--with-names", c)
    assert one.stdout == tag(pack, "--with-names", c).stdout
    assert one.stdout == tag(pack, "--with-names", "--jobs", "2", c).stdout
    assert one.stdout.count("\n") == 43


# ---------------------------------------------------------------- compressed READMEs, audit

def test_gzipped_readmes_are_read(tmp_path, pack):
    d = tmp_path / "doc"
    put(d / "pkg" / "README.gz", gzip.compress(b"pkg\n\nA message queue.\n"))
    put(d / "pkg" / "README.Debian", "Debian notes: a database packaging.\n")
    put(d / "broken" / "README.md.gz", b"\x1f\x8b\x08\x00not really gzip")
    r = tag(pack, d)
    recs = records(r.stdout)
    assert [x["id"] for x in recs] == ["broken", "pkg"]
    assert "gzip" in recs[0]["error"] and "README.md.gz" in recs[0]["error"]
    assert recs[1] == {"id": "pkg", "tags": [MQ]}  # README.gz wins over README.Debian


def test_a_gzip_bomb_is_read_only_up_to_the_cap(tmp_path, pack):
    from engine.inputs.read import MAX_CHARS

    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        gz.write(b"# Bomb\n\nA database.\n")
        for _ in range(200):
            gz.write(b"\n" * (1 << 20))  # 200 MB inflated, ~200 KB on disk
    put(tmp_path / "bomb" / "README.gz", buf.getvalue())
    (rec,) = records(tag(pack, tmp_path / "bomb").stdout)
    assert rec["tags"] == [DB] and any(f"first {MAX_CHARS} characters" in w for w in rec["warnings"])


def test_audit_walks_and_names_like_tag(tmp_path, pack):
    c = checkouts(tmp_path)
    gold = put(tmp_path / "gold.jsonl", "".join(json.dumps({"id": i, "tags": t}) + "\n" for i, t in
                                                [("alpha", [MQ]), ("beta", [CLI]), ("gamma", [DB])]))
    r = run_cli("audit", "--no-builtin", "--rules", pack, "--format", "json", "--gold", gold, c)
    data = json.loads(r.stdout)
    assert r.returncode == 0, r.stderr
    assert data["docs"] == 3 and data["gold"]["matched"] == 3
    assert data["gold"]["figures"]["micro_f1"] == 1.0
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_cli("audit", "--no-builtin", "--rules", pack, "--format", "json", empty)
    assert r.returncode == 1 and "no README" in r.stderr and json.loads(r.stdout)["no_readme"]


# ---------------------------------------------------------------- progress bar

class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_only_for_long_runs(monkeypatch):
    from engine.reports.render import progress_after

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")

    def drawn(stream, out, delay):
        advance, close = progress_after("tagging", 3, delay=delay, stream=stream, out=out)
        for _ in range(3):
            advance()
        close()
        return stream.getvalue()

    assert drawn(Tty(), io.StringIO(), 0.0) != ""  # a run past the delay, records to a file
    assert drawn(Tty(), io.StringIO(), 3600.0) == ""  # a short run: no bar at all
    assert drawn(io.StringIO(), io.StringIO(), 0.0) == ""  # stderr is a pipe
    assert drawn(Tty(), Tty(), 0.0) == ""  # records print on the terminal themselves
    monkeypatch.setenv("CI", "true")
    assert drawn(Tty(), io.StringIO(), 0.0) == ""  # CI logs


def test_explain_a_project_folder_explains_its_readme(tmp_path, pack):
    c = checkouts(tmp_path)
    r = run_cli("explain", "--no-builtin", "--rules", pack, "--format", "json", c / "alpha")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["source"].endswith("alpha/README.md") and data["tags"] == [MQ]
    r = run_cli("explain", "--no-builtin", "--rules", pack, c)
    assert r.returncode == 1 and "without a README" in r.stderr
