"""bench/awesome.py: the awesome-list parser (both entry formats, nested headings, <summary> sections),
the category map (inheritance, skip, unmapped headings) and the success@k scoring."""
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "awesome"
sys.path.insert(0, str(ROOT / "bench"))
import awesome  # noqa: E402

TAGS = {t["name"].strip() for t in json.loads((ROOT / "tags.json").read_text(encoding="utf-8"))}


def test_parse_both_formats_and_nesting():
    es = awesome.parse_list(FIX / "awesome-tiny.md")
    got = [(e.name, e.category, e.description) for e in es]
    assert got == [
        ("quarkdb", "Databases", "A key-value store kept in one file."),
        ("pgwire", "Databases > Drivers", "Wire protocol client for a relational database."),
        ("pgwire-pool", "Databases > Drivers", "Connection pool for pgwire."),
        ("flagz", "Command Line > Argument Parsing", "Parses command-line flags into typed options."),
        ("tabby-complete", "Command Line > Argument Parsing > Completion", "Shell completion generator."),
        ("Tiny Forum", "Community", "Where users meet."),
        ("stray", "Unmapped Corner", "Nobody mapped this heading."),
    ]                       # table-of-contents anchors and the code block are not entries
    assert es[0].readme() == "# quarkdb\n\nA key-value store kept in one file.\n"
    assert es[0].line == 10


def test_map_inherits_skips_and_counts():
    cmap = awesome.load_map(FIX / "map.yml", TAGS)
    mapped, skipped = awesome.load_entries(FIX, cmap)
    by_name = {e.name: (cat, tags) for e, cat, tags in mapped}
    assert by_name["tabby-complete"] == ("Command Line > Argument Parsing", ["cli", "lib", "parser"])
    assert "Tiny Forum" not in by_name and "stray" not in by_name     # `skip` and `[]` both exclude
    assert skipped == {"awesome-tiny.md": 2}
    assert len(mapped) == 5


def test_unmapped_heading_names_file_and_line(tmp_path):
    shutil.copy(FIX / "awesome-tiny.md", tmp_path / "awesome-tiny.md")
    (tmp_path / "map.yml").write_text((FIX / "map.yml").read_text().replace('  "Unmapped Corner": []\n', ""))
    cmap = awesome.load_map(tmp_path / "map.yml", TAGS)
    with pytest.raises(awesome.MapError, match=r"awesome-tiny\.md:40: category 'Unmapped Corner' is not mapped"):
        awesome.load_entries(tmp_path, cmap)


def test_unknown_tag_in_map_is_an_error(tmp_path):
    (tmp_path / "map.yml").write_text('awesome-tiny.md:\n  "Databases": [databse]\n')
    with pytest.raises(awesome.MapError, match="unknown tag 'databse'"):
        awesome.load_map(tmp_path / "map.yml", TAGS)


class _FakeTagger:
    """Tags by the entry's name, so the scoring is checked without the rules."""
    ANSWERS = {"quarkdb": ["nosql"], "pgwire": ["networking", "database"], "pgwire-pool": [],
               "flagz": ["parser", "cli"], "tabby-complete": ["terminal", "dev-tool", "ui"]}

    def tag(self, text):
        class R:
            names = self.ANSWERS[text.split("\n", 1)[0][2:]]
        return R()


def test_scoring():
    cmap = awesome.load_map(FIX / "map.yml", TAGS)
    mapped, _ = awesome.load_entries(FIX, cmap)
    rows = awesome.evaluate(_FakeTagger(), mapped)
    s = awesome.summarise(rows)
    assert s["overall"]["n"] == 5
    assert s["overall"]["s1"] == pytest.approx(2 / 5)       # quarkdb, flagz
    assert s["overall"]["s3"] == pytest.approx(3 / 5)       # + pgwire at rank 2
    assert s["overall"]["untagged"] == pytest.approx(1 / 5)
    assert s["tags"]["lib"] == {"n": 5, "recall": 0.0}
    assert s["tags"]["database"]["recall"] == pytest.approx(1 / 3)


def test_real_map_covers_every_list():
    """Every category of the shared lists is mapped (skipped when vague); needs the shared data."""
    if not awesome.DEFAULT_LISTS.is_dir():
        pytest.skip("shared awesome lists not present")
    cmap = awesome.load_map(awesome.DEFAULT_MAP, TAGS)
    mapped, skipped = awesome.load_entries(awesome.DEFAULT_LISTS, cmap)
    assert len(mapped) > 8000 and sum(skipped.values()) < 500


def test_export_gold_feeds_rules_suggest(tmp_path):
    cmap = awesome.load_map(FIX / "map.yml", TAGS)
    mapped, _ = awesome.load_entries(FIX, cmap)
    assert awesome.export_gold(mapped, tmp_path / "g") == 0
    rows = [json.loads(l) for l in (tmp_path / "g" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = {t["name"].strip(): t["id"] for t in json.loads((ROOT / "tags.json").read_text(encoding="utf-8"))}
    flagz = next(r for r in rows if r["id"].endswith("flagz"))
    assert flagz["tags"] == [ids[t] for t in dict((e.name, tags) for e, _, tags in mapped)["flagz"]]
    assert (tmp_path / "g" / flagz["file"]).read_text(encoding="utf-8") == \
        "# flagz\n\nParses command-line flags into typed options.\n"
    assert len({r["id"] for r in rows}) == len(rows) == len(mapped)
    # the eval/suggest gold reader takes it as it is
    from engine.packs.taglist import TagList
    from engine.reports.evaluate import load_gold

    docs = load_gold(tmp_path / "g" / "gold.jsonl", TagList.from_file(ROOT / "tags.json"))
    assert len(docs) == len(rows) and all(d.file.is_file() for d in docs)


@pytest.mark.parametrize("raw,clean", [
    ("- A build system. ([Source Code](https://x/y)) `Apache-2.0` `Java`", "A build system."),
    ("- Updates for apps. (Source Code, Clients) `Apache-2.0` `Docker/Go`", "Updates for apps."),
    ("- A TOML parser for C++17. [MIT] [website](https://t.example)", "A TOML parser for C++17."),
    ("- Bindings to zlib. [BSD-3-Clause]", "Bindings to zlib."),
    ("- Reads [MIT] licences in the middle.", "Reads [MIT] licences in the middle."),
])
def test_list_metadata_is_not_description(raw, clean):
    assert awesome._clean_description(raw) == clean
