"""The defining sentence near the top is read with the lede's weight."""
import pytest

from engine.document.defining import defines
from engine.document.markdown import parse


def scopes(text):
    return [(s.scope, s.text) for s in parse(text).segments if s.scope in ("lede", "prose")]


def test_a_slogan_lede_and_a_later_definition():
    doc = parse("# structlog\n\nSimple. Powerful. Fast.\n\nstructlog is the production-ready logging "
                "solution for Python.\n\n## Usage\n\nstructlog is a thing.\n")
    ledes = [s.text for s in doc.segments if s.scope == "lede"]
    assert ledes == ["Simple. Powerful. Fast.", "structlog is the production-ready logging solution for Python."]
    assert doc.lede == "Simple. Powerful. Fast."  # the first description line stays the lede


def test_no_second_lede_when_the_lede_defines_already():
    doc = parse("# Jq\n\njq is a command-line JSON processor.\n\nJq is a nice program, too.\n")
    assert [s.scope for s in doc.segments if s.text.startswith("Jq is")] == ["prose"]


def test_without_title_a_definition_becomes_the_lede():
    doc = parse('<p align="center"><img src="logo.png"></p>\n\n'
                "Official builds are on the website.\n\nVidtool is a tool for converting video.\n")
    assert doc.lede == "Vidtool is a tool for converting video." or \
        "Vidtool is a tool for converting video." in [s.text for s in doc.segments if s.scope == "lede"]


def test_only_the_first_screen_counts():
    body = "\n\n".join(f"Paragraph {i} says little." for i in range(40))
    doc = parse(f"# Far\n\nA slogan.\n\n{body}\n\nFar is a database.\n")
    assert [s.scope for s in doc.segments if s.text == "Far is a database."] == ["prose"]


@pytest.mark.parametrize("sentence,names,expected", [
    ("HandBrake is a tool for converting video", {"handbrake"}, True),
    ("It is an open source system for containers", {"kube"}, True),
    ("Tailscale (pronounced tail-scale) is a modern VPN", set(), True),
    ("React is an excellent tool", {"bulletproof", "react"}, True),
    ("System design is a broad topic", {"primer"}, False),  # not the project's name
    ("Please see the docs for more", {"x"}, False),
    ("Halo 是一个强大的开源建站工具", {"halo"}, True),
    ("We are a foundation project", set(), False),  # "we" is no project name
])
def test_defines(sentence, names, expected):
    assert defines(sentence, names) is expected
