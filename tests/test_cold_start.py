"""What makes `repotag tag README.md` start fast must not change what it
does: the rule cache's pickled form, the YAML loader kept out of a warm run,
and the argparse fast path."""
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli, write_pack
from engine.packs.model import Change, Example, Fuzzy, Loc, Pattern, Rule, Term, builtin_dir
from engine.packs.load import load_packs
from engine.packs.taglist import TagList

TAGS = TagList.from_file(ROOT / "tags.json")


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("obj", [
    Loc("r.yml", 3, 7),
    Term("key-value store", 0.5, Loc("r.yml", 4)),
    Pattern(r"\bsql\b", 2.0, Loc("r.yml", 5, 9), frozenset({"sql"})),
    Pattern(r"\w+db\b", 1.0, Loc("r.yml", 6)),
    Fuzzy("postgres", 85.0, 1.0, Loc("r.yml", 7)),
    Change("override", "db/kind", Loc("o.yml", 2), "pack", {"weight": 2.0}),
    Example("A SQL database.", (17,), (40,), Loc("r.yml", 9)),
])
def test_rule_objects_pickle_to_equal_objects(obj):
    back = roundtrip(obj)
    assert back == obj and type(back) is type(obj)
    with pytest.raises(AttributeError):  # still frozen
        setattr(back, type(obj).__match_args__[0], None)


def test_pickled_rule_keeps_every_field():
    loc = Loc("r.yml", 1)
    r = Rule("db/kind", 17, loc, "pack", 2.0, frozenset({"title"}), "databases",
             [Term("sql", 1.0, loc)], [Pattern("x", 1.0, loc)], [Fuzzy("pg", 90.0, 1.0, loc)],
             [Term("no", 1.0, loc)], [Pattern("y", 1.0, loc)], [Change("disable", "db/kind", loc, "p")])
    back = roundtrip(r)
    assert back == r
    back.weight = 3.0  # Rule stays mutable: overrides set fields
    assert back.weight == 3.0 and r.weight == 2.0


def test_builtin_ruleset_roundtrips_through_the_cache_format(monkeypatch):
    monkeypatch.setenv("REPOTAG_NO_CACHE", "1")
    rs = load_packs([builtin_dir()], TAGS)
    back = roundtrip(rs)
    assert back.rules == rs.rules and back.examples == rs.examples
    assert back.disabled == rs.disabled and back.dropped == rs.dropped and back.files == rs.files
    assert [(type(a), type(b)) for a, b in back.settings["section_factors"]] == \
        [(type(a), type(b)) for a, b in rs.settings["section_factors"]]


def test_a_warm_run_does_not_import_the_yaml_loader(tmp_path):
    readme = tmp_path / "kv.md"
    readme.write_text("# Kv\nA key-value store and SQL database.\n", encoding="utf-8")
    env = dict(os.environ, REPOTAG_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("REPOTAG_NO_CACHE", None)
    probe = (
        "import sys\n"
        "from engine.cli.main import main\n"
        f"sys.argv = ['repotag', 'tag', {str(readme)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "loaded = sorted(m for m in ('yaml', 'engine.packs.read', 'typer', 'shutil', 'importlib.metadata') if m in sys.modules)\n"
        "import gc\n"
        "assert gc.isenabled() and gc.get_freeze_count() > 0  # the loaded rules frozen, the collector back on\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )

    def run():
        p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env)
        assert p.returncode == 0, p.stderr
        return p.stdout, p.stderr.strip().splitlines()[-1]

    cold_out, cold = run()
    warm_out, warm = run()
    assert "'yaml'" in cold and "'engine.packs.read'" in cold  # the first run loads YAML and fills the cache
    assert warm == "LOADED []"
    assert warm_out == cold_out and '"tags":[' in warm_out


def test_editing_an_engine_file_misses_the_cache(tmp_path):
    """The key covers every engine/**/*.py, the YAML loader included: a cache
    written by other code is never read."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "engine", src / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    code = "from engine.packs import cache; print(cache.key([], 'x'))"

    def key():
        env = dict(os.environ, PYTHONPATH=str(src))
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=src, env=env).stdout.strip()

    before = key()
    assert key() == before
    with open(src / "engine" / "packs" / "read.py", "a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    assert key() != before


def test_fast_path_leaves_usage_errors_to_typer(tmp_path):
    p = run_cli("tag")
    assert p.returncode == 2
    assert "usage: repotag [--id" not in p.stderr  # argparse's own usage message
    assert "Missing argument" in p.stderr
    pack = write_pack(tmp_path / "pack", {"t.yml": "tag: database\nrules:\n  - id: db/kv\n    keywords: [key-value store]\n"})
    readme = tmp_path / "kv.md"
    readme.write_text("# Kv\nA key-value store.\n", encoding="utf-8")
    p = run_cli("tag", "--no-builtin", "--rules", pack, "--max-tags", "x", readme)
    assert p.returncode == 2 and "usage: repotag [--id" not in p.stderr and "Traceback" not in p.stderr
