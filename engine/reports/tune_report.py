"""What `repotag rules tune` prints: the cross-validation table, the changes
of the final fit, and the same as JSON."""
from __future__ import annotations

from .evaluate import Figures
from .render import Table, num
from .tune import TuneResult


def _figs(f: Figures) -> dict:
    m = f.micro
    return {"f1": round(m.f1, 4), "precision": round(m.precision, 4), "recall": round(m.recall, 4),
            "top1": round(f.rate(f.top1), 4), "docs": f.docs}


def _mean(result: TuneResult, which: str) -> dict:
    rows = [_figs(getattr(f, which)) for f in result.folds]
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in ("f1", "precision", "recall", "top1")}


def json_data(result: TuneResult, written: str | None) -> dict:
    return {
        "docs": result.docs, "failed": result.failed, "folds": result.k, "seed": result.seed,
        "max_factor": result.max_factor, "min_docs": result.min_docs, "penalty": result.penalty,
        "cv": [{"fold": f.fold, "train_docs": f.train_docs, "test_docs": f.test_docs, "changes": f.changes,
                "train": {"untuned": _figs(f.train_untuned), "tuned": _figs(f.train_tuned)},
                "held_back": {"untuned": _figs(f.test_untuned), "tuned": _figs(f.test_tuned)}}
               for f in result.folds],
        "mean": {"train": {"untuned": _mean(result, "train_untuned"), "tuned": _mean(result, "train_tuned")},
                 "held_back": {"untuned": _mean(result, "test_untuned"), "tuned": _mean(result, "test_tuned")}},
        "pooled_held_back": {"untuned": _figs(result.pooled_untuned), "tuned": _figs(result.pooled_tuned)},
        "improves": result.improves,
        "changes": [{"parameter": c.param.key, "hand": c.param.hand, "tuned": c.value,
                     "held_back_gain": round(c.gain, 4), "folds": c.folds, "kept": c.kept} for c in result.changes],
        "overlay": {"untuned": _figs(result.final_untuned), "tuned": _figs(result.final_tuned)},
        "written": written,
    }


def _pair(a: Figures, b: Figures) -> str:
    return f"{num(a.micro.f1, 3)} → {num(b.micro.f1, 3)}"


def cv_table(result: TuneResult) -> Table:
    rows = []
    for f in result.folds:
        rows.append([str(f.fold + 1), str(f.train_docs), str(f.test_docs), str(f.changes),
                     _pair(f.train_untuned, f.train_tuned), _pair(f.test_untuned, f.test_tuned),
                     f"{num(f.test_untuned.micro.precision, 3)} → {num(f.test_tuned.micro.precision, 3)}",
                     f"{num(f.test_untuned.micro.recall, 3)} → {num(f.test_tuned.micro.recall, 3)}",
                     f"{num(f.test_untuned.rate(f.test_untuned.top1), 3)} → {num(f.test_tuned.rate(f.test_tuned.top1), 3)}"])
    tu, tt = _mean(result, "train_untuned"), _mean(result, "train_tuned")
    hu, ht = _mean(result, "test_untuned"), _mean(result, "test_tuned")
    rows.append(["mean", "", "", "", f"{num(tu['f1'], 3)} → {num(tt['f1'], 3)}", f"{num(hu['f1'], 3)} → {num(ht['f1'], 3)}",
                 f"{num(hu['precision'], 3)} → {num(ht['precision'], 3)}", f"{num(hu['recall'], 3)} → {num(ht['recall'], 3)}",
                 f"{num(hu['top1'], 3)} → {num(ht['top1'], 3)}"])
    return Table(f"{result.k}-fold cross-validation, untuned → tuned (held-back: the figure that counts; training: flatters)",
                 ["fold", "train", "held", "changes", "train F1", "held-back F1", "held P", "held R", "held top-1"],
                 rows, frozenset({1, 2, 3}))


def changes_table(result: TuneResult) -> Table:
    rows = [[c.param.key, f"{c.param.hand:g}", f"{c.value:g}", f"{c.gain:+.4f}", str(c.folds), "kept" if c.kept else "dropped"]
            for c in result.changes]
    return Table("changes of the fit on all READMEs (kept: the folds' values of it raised held-back F1)",
                 ["parameter", "hand-written", "tuned", "held-back gain", "folds", ""], rows,
                 frozenset({1, 2, 3, 4}), empty="no change beats the hand-written values")


def text_blocks(result: TuneResult, written: str | None, dry_run: bool) -> list:
    pu, pt = result.pooled_untuned, result.pooled_tuned
    blocks: list = [
        f"{result.docs} gold READMEs ({len(result.failed)} failed, counted untagged), {result.k} folds, seed {result.seed}",
        cv_table(result),
        f"pooled held-back micro F1: untuned {pu.micro.f1:.3f}, tuned {pt.micro.f1:.3f} "
        f"({'improves' if result.improves else 'does not improve'})",
        changes_table(result),
        f"overlay on all READMEs (flatters): micro F1 {result.final_untuned.micro.f1:.3f} → {result.final_tuned.micro.f1:.3f}",
    ]
    if dry_run:
        blocks.append("dry run: nothing written")
    elif written:
        blocks.append(f"wrote {written}")
    return blocks
