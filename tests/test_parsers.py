"""The Rust-backed block pass (markdown-it-pyrs) gives the Document
markdown-it-py gives: fixtures for each difference between the two parsers
that engine/document/rust_blocks.py reconciles, and generated documents."""
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, given, settings

from engine.document import parsers, rust_blocks
from markdown_strategies import markdown_docs

# Without the fast extra only the choice of parser and its errors are tested.
needs_rust = pytest.mark.skipif(not rust_blocks.available(), reason="markdown-it-pyrs is not installed")

GENERATED = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def both(text: str):
    """(python Document, rust Document, fallback reasons the rust path took)."""
    before = dict(rust_blocks.fallbacks)
    rust = parsers.parse(text, "rust")
    taken = {k for k, v in rust_blocks.fallbacks.items() if v != before.get(k, 0)}
    return parsers.parse(text, "python"), rust, taken


def segments(doc):
    return [(s.scope, s.text, s.line, s.section) for s in doc.segments]


def deep_list(last: str) -> str:
    lines = ["  " * i + f"- level{i}" for i in range(13)]
    return "\n".join(lines + ["  " * 12 + last, "", "After the list, a paragraph.", "", "> quoted after"])


# (name, text, what the Document must hold, fallback reason or None)
RECONCILED = [
    # The Rust parser ends every block's content with "\n"; markdown-it-py
    # with what the text holds, and drops a last line of spaces.
    ("unclosed fence at the end", "# T\n```go\nfunc main() {}", lambda d: d.code[0].text == "func main() {}", None),
    ("closed fence at the end", "# T\n```\nx\n```", lambda d: d.code[0].text == "x\n", None),
    # ... and the closing fence of a quote or list item stands after its markers.
    ("closed fence in a quote at the end", "> ```\n> \n> ```", lambda d: d.code[0].text == "\n", None),
    ("closed fence in a quoted list at the end", "> - ```\n>   b\n>   ```", lambda d: d.code[0].text == "b\n", None),
    ("fence ending in spaces", "```\na\n   ", lambda d: d.code[0].text == "a\n", None),
    ("HTML block at the end", "Intro text here.\n\n<pre>\nrun it", lambda d: d.code[0].text.endswith("run it"), None),
    ("indented code at the end", "Para.\n\n    make all", lambda d: d.code[0].text == "make all\n", None),
    # markdown-it-py stops at maxNesting and skips the rest of the document.
    ("past maxNesting", deep_list("- - - - deep words"),
     lambda d: [s.text for s in d.segments][-1] == "level12", None),
    ("just under maxNesting", deep_list("- > - > deep words"),
     lambda d: "quoted after" in [s.text for s in d.segments], None),
    # References: first definition wins, labels are case-folded, URLs
    # percent-encoded, and an unsafe URL defines nothing.
    ("references", "See [the docs][Docs] and [bad].\n\n[docs]: <my url> 'T'\n[DOCS]: /second\n"
                   "[bad]: javascript:alert(1)\n",
     lambda d: [ln.url for ln in d.links] == ["my%20url"], None),
    ("punycode host", "Read [the book][b].\n\n[b]: http://bücher.de/x\n",
     lambda d: [ln.url for ln in d.links] == ["http://xn--bcher-kva.de/x"], "encoded host name"),
    ("table cells", "| Name | Kind |\n|---|:-:|\n| quiver | server |\n|  |\n",
     lambda d: [s.text for s in d.segments if s.scope == "table"] == ["Name", "Kind", "quiver", "server"], None),
    ("setext title and tight list", "Quiver\n======\nA message broker.\n\n- fast\n- small\n",
     lambda d: d.title == "Quiver" and [s.text for s in d.segments if s.scope == "list"] == ["fast", "small"], None),
    # Shapes read differently that go back to markdown-it-py.
    ("setext underline under table marks", "    |  |\n |---|\n---",
     lambda d: d.title is None and [s.scope for s in d.segments] == ["code", "table"], "setext heading of table marks"),
    ("tab after a quote marker", "> >   \tindented code", lambda d: d.code[0].text == "  indented code\n",
     "tab in indentation"),
    ("empty item as a lazy line", ">> +  first\n>> +  ===\n ===\n> + \n", lambda d: len(d.segments) == 2,
     "lazy line"),
    ("ordered item as a lazy line", "> quoted text\n2) a list in markdown-it-py",
     lambda d: [s.scope for s in d.segments] == ["lede", "list"], "lazy line"),
    ("indented lazy line", "> `quoted\n    lazy`", lambda d: d.segments[0].text == "quoted     lazy", "lazy line"),
    ("table after a quote", "> quoted\n| a | b |\n|---|---|", lambda d: not [s for s in d.segments if s.scope == "table"],
     "table after a container"),
    ("list item ends a table", "| a |\n|---|\n| 1 |\n10) item", lambda d: d.segments[-1].scope == "list",
     "table row starts a block"),
    ("header row like a list item", "-\t    | > |\n-\t    |:--|", lambda d: not [s for s in d.segments if s.scope == "table"],
     "table row starts a block"),
    ("pre in a list item", "- <pre>\n\n  code\n  </pre>", lambda d: d.code and "code" in d.code[0].text,
     "raw html in container"),
]


@needs_rust
@pytest.mark.parametrize("name,text,check,fallback", RECONCILED, ids=[r[0] for r in RECONCILED])
def test_reconciled_case(name, text, check, fallback):
    py, rs, taken = both(text)
    assert asdict(py) == asdict(rs)
    assert check(rs), segments(rs)
    # The reconciliation happened where it was meant to: in the walk, or by
    # handing this one document back to markdown-it-py.
    assert taken == ({fallback} if fallback else set())


@needs_rust
def test_tags_scores_and_evidence_identical(tagger):
    from engine.tagging.tagger import Tagger

    text = ("# Quiver\n\nA message broker for microservices, with a REST API server.\n\n"
            "> Built on [asyncio][a].\n\n[a]: https://docs.python.org/3/library/asyncio.html\n\n"
            "| Feature | Status |\n|---|---|\n| pub/sub | done |\n\n```python\nimport quiver\n```")
    py = Tagger(tagger.ruleset, parser="python").tag(text)
    rs = Tagger(tagger.ruleset, parser="rust").tag(text)
    assert py.tags and py.tags == rs.tags and py.scores == rs.scores
    assert [asdict(e) for e in py.evidence] == [asdict(e) for e in rs.evidence]


_seen = {"docs": 0, "rust": 0}


@needs_rust
@GENERATED
@given(markdown_docs(tabs=False))
def test_generated_documents_identical(text):
    py, rs, taken = both(text)
    assert asdict(py) == asdict(rs)
    _seen["docs"] += 1
    _seen["rust"] += not taken


@needs_rust
def test_generated_documents_mostly_take_the_rust_path():
    """The identity above is no vacuous one: most generated documents are
    read by the Rust walk, not handed back to markdown-it-py."""
    if _seen["docs"] < 100:
        pytest.skip("runs after test_generated_documents_identical")
    assert _seen["rust"] / _seen["docs"] > 0.6, _seen


@needs_rust
@GENERATED
@given(markdown_docs(tabs=True))
def test_generated_documents_with_tabs_identical(text):
    py, rs, _ = both(text)
    assert asdict(py) == asdict(rs)


def test_resolve(monkeypatch):
    assert parsers.resolve("auto") == ("rust" if rust_blocks.available() else "python")
    assert parsers.resolve("python") == "python"
    monkeypatch.setattr(rust_blocks, "available", lambda: False)
    assert parsers.resolve("auto") == "python"
    with pytest.raises(parsers.ParserUnavailable, match=r"repotag\[fast\]"):
        parsers.resolve("rust")
    with pytest.raises(parsers.ParserUnavailable, match="unknown parser"):
        parsers.resolve("cmark")


@needs_rust
def test_cli_tag_parser_choice(tmp_path):
    from conftest import ROOT, records, run_cli

    (tmp_path / "a.md").write_text("# Quiver\n\nA message broker with a REST API server.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("> Postbox\n> - a message queue\n\n```\nunclosed", encoding="utf-8")
    out = {}
    for parser in ("python", "rust", "auto"):
        p = run_cli("tag", tmp_path, ROOT / "examples" / "quiver.md", "--parser", parser)
        assert p.returncode == 0, p.stderr
        out[parser] = p.stdout
    assert out["python"] == out["rust"] == out["auto"]
    assert [r["id"] for r in records(out["rust"])] == ["a", "b", "quiver"]
    # --jobs workers read Markdown with the parser the parent chose.
    p = run_cli("tag", tmp_path, "--parser", "python", "--jobs", "2")
    assert p.returncode == 0 and p.stdout == run_cli("tag", tmp_path, "--parser", "python").stdout


def test_cli_bad_parser_is_a_usage_error():
    from conftest import ROOT, run_cli

    p = run_cli("tag", ROOT / "examples" / "quiver.md", "--parser", "cmark")
    assert p.returncode == 2 and "unknown parser 'cmark'" in p.stderr and not p.stdout
    p = run_cli("explain", ROOT / "examples" / "quiver.md", "--parser", "cmark")
    assert p.returncode == 2 and "unknown parser 'cmark'" in p.stderr


def test_rust_without_markdown_it_pyrs_is_a_usage_error(monkeypatch, capsys):
    from engine.cli.run import UsageError, load_tagger

    monkeypatch.setattr(rust_blocks, "available", lambda: False)
    with pytest.raises(UsageError):
        load_tagger((), None, parser="rust")
    assert "pip install 'repotag[fast]'" in capsys.readouterr().err
    assert load_tagger((), None, parser="auto").parser == "python"


@needs_rust
def test_explain_says_which_parser_ran():
    import json

    from conftest import ROOT, run_cli

    for parser in ("python", "rust"):
        p = run_cli("explain", ROOT / "examples" / "quiver.md", "--parser", parser)
        assert p.returncode == 0 and f"read by the {parser} parser" in p.stdout.splitlines()[0]
        data = json.loads(run_cli("explain", ROOT / "examples" / "quiver.md", "--parser", parser,
                                  "--format", "json").stdout)
        assert data["parser"] == parser


@needs_rust
def test_a_rust_panic_falls_back_to_markdown_it_py(monkeypatch):
    class Panic(BaseException):  # what pyo3 raises for a panic: not an Exception
        pass

    class Broken:
        def tree(self, src):
            raise Panic("index out of bounds")

    monkeypatch.setattr(rust_blocks, "_MD", Broken())
    py, rs, taken = both("# Quiver\n\nA message broker.\n")
    assert asdict(py) == asdict(rs) and rs.title == "Quiver"
    assert taken == {"rust parser failed"}
