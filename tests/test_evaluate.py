"""`repotag eval`: figures, gold errors, and agreement with the reference scorer."""
import contextlib
import io
import json
import random
import runpy
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, records, run_cli

FIX = FIXTURES / "audit"
PACK = ["--no-builtin", "--rules", FIX / "pack", "--tags", FIX / "pack" / "tags.json"]
SCORE_PY = Path("/work/shared/tools/score.py")
KEYS = ("micro_p", "micro_r", "micro_f1", "macro_f1", "top1", "success_at_3", "exact")


def score_py(pred: Path, gold: Path, *extra) -> str:
    """The reference scorer's stdout, run in-process (it is a plain script)."""
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["score.py", str(pred), str(gold), *map(str, extra)]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(SCORE_PY), run_name="__main__")
    finally:
        sys.argv = argv
    return out.getvalue()


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


needs_score = pytest.mark.skipif(not SCORE_PY.is_file(), reason="reference scorer not present")


@needs_score
def test_eval_agrees_with_score_py_on_fixture_corpus(tmp_path):
    preds = tmp_path / "pred.jsonl"
    r = run_cli("eval", FIX / "gold.jsonl", "--json", "--predictions", preds, *PACK)
    assert r.returncode == 0, r.stderr
    mine = json.loads(r.stdout)
    ref = json.loads(score_py(preds, FIX / "gold.jsonl", "--json").splitlines()[0])
    for k in KEYS:
        assert round(mine[k], 3) == round(ref[k], 3), k
    assert mine["untagged"] == ref["empty"]
    assert mine["docs"] == ref["docs"] == 6
    # the text output prints the same three summary lines as score.py
    text = run_cli("eval", FIX / "gold.jsonl", *PACK).stdout.splitlines()
    ref_text = score_py(preds, FIX / "gold.jsonl").splitlines()
    assert text[1:3] == ref_text[1:3]


@needs_score
def test_figures_agree_with_score_py_on_random_labels(tmp_path):
    from engine.reports.evaluate import figures

    rng = random.Random(4)
    for case in range(25):
        gold = {f"d{i}": rng.sample(range(1, 9), rng.randint(1, 3)) for i in range(rng.randint(1, 30))}
        pred = {i: rng.sample(range(1, 9), rng.randint(0, 3)) for i in gold if rng.random() > 0.1}
        fig = figures(pred, gold).to_json(tags=_tags())
        g = write_jsonl(tmp_path / f"g{case}.jsonl", [{"id": i, "tags": t} for i, t in gold.items()])
        p = write_jsonl(tmp_path / f"p{case}.jsonl", [{"id": i, "tags": t} for i, t in pred.items()])
        ref = json.loads(score_py(p, g, "--json").splitlines()[0])
        for k in KEYS:
            assert abs(fig[k] - ref[k]) < 5e-4, (case, k)
        assert abs(fig["untagged"] - ref["empty"]) < 5e-4


def _tags():
    from engine.packs.taglist import TagList

    return TagList.from_data([{"id": i, "name": f"t{i}"} for i in range(1, 9)])


def test_predictions_file_matches_tag_output(tmp_path):
    preds = tmp_path / "p.jsonl"
    assert run_cli("eval", FIX / "gold.jsonl", "--predictions", preds, *PACK).returncode == 0
    tagged = {r["id"]: r["tags"] for r in records(run_cli("tag", FIX / "docs", *PACK).stdout)}
    written = {r["id"]: r["tags"] for r in records(preds.read_text())}
    assert written == tagged


def test_per_tag_table_is_sorted_worst_first():
    r = run_cli("eval", FIX / "gold.jsonl", "--json", "--per-tag", *PACK)
    per = json.loads(r.stdout)["per_tag"]
    f1s = [row["f1"] for row in per]
    assert f1s == sorted(f1s)
    assert {row["name"] for row in per} == {"ai", "database", "cli", "game"}
    # per-tag counts add up to the micro counts
    data = json.loads(r.stdout)
    assert sum(row["tp"] for row in per) == data["tp"]
    assert sum(row["fp"] for row in per) == data["fp"]
    assert sum(row["fn"] for row in per) == data["fn"]


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "file": "docs/a.md", "tags": [2]}\nnot json\n', "gold.jsonl:2: invalid JSON"),
    ('{"id": "a", "file": "docs/a.md", "tags": [99]}\n', "gold.jsonl:1: unknown tag 99"),
    ('{"id": "a", "file": "docs/a.md", "tags": 2}\n', "gold.jsonl:1: \"tags\" must be a list"),
    ('{"id": "a", "tags": [2]}\n{"id": "a", "tags": [2]}\n', "gold.jsonl:2: duplicate id 'a'"),
])
def test_bad_gold_is_a_usage_error_naming_file_and_line(tmp_path, line, message):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(line, encoding="utf-8")
    r = run_cli("eval", gold, *PACK)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_readme_counts_as_untagged_and_fails_the_run(tmp_path):
    (tmp_path / "ok.md").write_text("# Sqlbox\n\nA database with an SQL engine.\n", encoding="utf-8")
    gold = write_jsonl(tmp_path / "gold.jsonl", [{"id": "ok", "file": "ok.md", "tags": [2]},
                                                 {"id": "gone", "file": "gone.md", "tags": [2]}])
    r = run_cli("eval", gold, "--json", *PACK)
    assert r.returncode == 1
    assert f"{gold}:2:" in r.stderr and "gone.md" in r.stderr
    data = json.loads(r.stdout)
    assert data["failed"] == 1 and data["untagged"] == 0.5 and data["docs"] == 2
