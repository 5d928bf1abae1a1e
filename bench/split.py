"""Split the labelled corpus into the part rule writers see and the part they never read.

    python bench/split.py [--corpus ../shared/corpus] [--out DIR] [--holdout 70]

Writes DIR/rules.jsonl (dev + the rest of train: rules are written and tuned
against it) and DIR/holdout.jsonl (a fixed sample of train that nobody who
writes rules opens). The sample is chosen by a hash of each id, so the split
is the same on every machine and does not depend on file order. Gold lines
keep their fields; `file` becomes an absolute path, so both files work from
any folder with `repotag eval`. No README text is copied.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT.parent / "split")
    ap.add_argument("--holdout", type=int, default=70, help="READMEs of train kept unseen")
    args = ap.parse_args()

    def read(name: str) -> list[dict]:
        gold = args.corpus / f"{name}.jsonl"
        rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows:
            row["file"] = str((gold.parent / row["file"]).resolve())
        return rows

    dev, train = read("dev"), read("train")
    ranked = sorted(train, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
    held = {r["id"] for r in ranked[: args.holdout]}
    args.out.mkdir(parents=True, exist_ok=True)
    seen = dev + [r for r in train if r["id"] not in held]
    unseen = [r for r in train if r["id"] in held]
    for name, rows in (("rules", seen), ("holdout", unseen)):
        (args.out / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{args.out / name}.jsonl: {len(rows)} READMEs")


if __name__ == "__main__":
    main()
