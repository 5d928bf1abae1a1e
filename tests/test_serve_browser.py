"""The workbench in headless Chromium, as a rule author uses it: pick a README,
open a rule file, type a keyword, and see the tag, its highlight and the
corpus diff appear; then Save. Screenshots go to tmp_path, or to
$REPOTAG_SCREENSHOTS when set (to look at them)."""
import os
import shutil

import pytest

pytest.importorskip("starlette", reason="the serve extra (Starlette) is not installed")
pytest.importorskip("uvicorn", reason="the serve extra (uvicorn) is not installed")

import workbench_fixture as fx  # noqa: E402
from cdp import Browser, find_chromium  # noqa: E402

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not found (Debian: apt-get install chromium; or set REPOTAG_CHROMIUM)")


@pytest.fixture
def server(tmp_path):
    paths = fx.make(tmp_path)
    # --jobs 2: the corpus is tagged again by the forked workers, as by default.
    srv = fx.Server(fx.cli_args(paths) + ["--jobs", "2"])
    yield srv.url, paths
    srv.stop()


def shots_dir(tmp_path):
    d = os.environ.get("REPOTAG_SCREENSHOTS")
    if d:
        os.makedirs(d, exist_ok=True)
        return d
    return str(tmp_path)


def test_edit_a_rule_and_see_the_tag_the_highlight_and_the_corpus_diff(server, tmp_path):
    url, paths = server
    shots = shots_dir(tmp_path)
    b = Browser(CHROMIUM, str(tmp_path / "profile"))
    try:
        b.open(url)
        b.wait_for("document.querySelectorAll('#figures .card').length === 8", what="the corpus figures")
        assert b.js("document.querySelector('#figures .card[data-key=micro_r] b').textContent") == "0.667"

        # README view: a README of the corpus that no rule tags yet
        b.js("const d = document.getElementById('doc'); d.value = 'blaster'; d.dispatchEvent(new Event('change'))")
        b.wait_for("document.getElementById('readme-head').textContent.includes('no tag')", what="blaster, untagged")
        assert b.js("document.querySelectorAll('#readme-html .hl').length") == 0
        # the missed gold tag asks why it did not fire
        b.js("document.querySelector('#readme-head button.missed').click()")
        why = b.wait_for("document.getElementById('readme-evidence').textContent.includes('did not fire') && "
                         "document.getElementById('readme-evidence').textContent", what="why game did not fire")
        assert "rule game/kind" in why and "game engine" in why
        b.screenshot(os.path.join(shots, "workbench-1-untagged.png"))

        # Rule editor: open game.yml and add a keyword, as typed
        b.js("const f = document.getElementById('file'); f.value = '0/tags/game.yml'; f.dispatchEvent(new Event('change'))")
        b.wait_for("document.getElementById('rule-text').value.includes('video game')", what="game.yml in the editor")
        b.wait_for("document.getElementById('examples').textContent.includes('2 of 2 pass')", what="the examples")
        b.js("""const t = document.getElementById('rule-text');
                t.focus();
                const at = t.value.indexOf('      - video game\\n') + '      - video game\\n'.length;
                t.setSelectionRange(at, at);
                document.execCommand('insertText', false, '      - roguelike\\n');""")
        b.wait_for("[...document.querySelectorAll('#readme-head .chip')].some(c => c.textContent === 'game' "
                   "&& !c.classList.contains('gold'))", what="the game tag on blaster")
        hl = b.wait_for("[...document.querySelectorAll('#readme-html .hl')].map(s => s.textContent).join('|')",
                        what="a highlight")
        assert hl == "roguelike"
        b.wait_for("(document.getElementById('diff-counts') || {}).textContent === '1 fixed · 0 broken · 0 changed'",
                   what="the corpus diff")
        row = b.js("[...document.querySelectorAll('#diff tbody tr')].map(r => r.textContent).join('|')")
        assert row == "fixedblastergame–game"
        assert b.js("document.querySelector('#figures .card[data-key=micro_r] b').textContent") == "1.000"
        # clicking the highlight names the rule, the term's file:line and the contribution
        b.js("document.querySelector('#readme-html .hl').click()")
        detail = b.wait_for("!document.getElementById('detail').hidden && document.getElementById('detail').textContent",
                            what="the evidence detail")
        assert "game/kind" in detail and "tags/game.yml:8:9" in detail and "+3.00" in detail
        assert b.js("document.getElementById('pack-status').textContent") == "unsaved edit in use"
        b.screenshot(os.path.join(shots, "workbench-2-edited.png"))
        # nothing is written before Save
        assert "roguelike" not in (paths["pack"] / "tags/game.yml").read_text(encoding="utf-8")

        b.js("document.getElementById('save').click()")
        b.wait_for("document.getElementById('file-status').textContent.startsWith('saved')", what="the save")
        saved = (paths["pack"] / "tags/game.yml").read_text(encoding="utf-8")
        assert saved == fx.GAME_YML.replace("      - video game\n", "      - video game\n      - roguelike\n")
        b.wait_for("document.getElementById('corpus-timing').textContent.includes('the saved rules')",
                   what="the corpus view on the saved rules")
        assert b.js("document.querySelector('#figures .card[data-key=micro_r] b').textContent") == "1.000"
        b.screenshot(os.path.join(shots, "workbench-3-saved.png"))
    finally:
        b.close()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)
