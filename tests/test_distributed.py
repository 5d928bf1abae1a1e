"""The Dask path on a LocalCluster: same records as `repotag tag`."""
import json

import pytest

from conftest import records, run_cli, write_pack

dask = pytest.importorskip("dask", reason="the Dask path is optional: pip install 'repotag[dask]'")
distributed = pytest.importorskip("dask.distributed", reason="needs dask[distributed]: pip install 'repotag[dask]'")

PACK = {"t.yml": """
tag: database
rules:
  - id: database/kind
    keywords: [key-value store, {term: database, weight: 3}]
"""}


def test_dask_bag_of_jsonl_matches_the_cli(tmp_path):
    from engine.cli.distributed import spec_for, tag_files_bag, tag_jsonl_bag

    pack = write_pack(tmp_path / "pack", PACK)
    for part in range(3):
        lines = [json.dumps({"id": f"p{part}-{i}", "text": f"# D{i}\n{'A database.' if i % 2 else 'A game.'}\n"})
                 for i in range(20)]
        lines.insert(4, "[not an object]")
        (tmp_path / f"in-{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = sorted(tmp_path.glob("in-*.jsonl"))
    expect = records(run_cli("tag", "--no-builtin", "--rules", pack, *files).stdout)
    spec = spec_for([pack], builtin=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        got = tag_jsonl_bag([str(f) for f in files], spec).compute()
        readmes = []
        for i in range(5):
            p = tmp_path / f"r{i}.md"
            p.write_text(f"# R{i}\nA key-value store.\n", encoding="utf-8")
            readmes.append(p)
        for name in ("kv", "store"):  # READMEs are named for their folders, as by `repotag tag`
            p = tmp_path / name / "README.md"
            p.parent.mkdir()
            p.write_text("# KV\nA key-value store.\n", encoding="utf-8")
            readmes.append(p)
        by_file = tag_files_bag(readmes, spec, npartitions=2).compute()
    assert [r.get("tags") for r in got] == [r.get("tags") for r in expect]
    assert [r["id"] for r in got if "tags" in r] == [r["id"] for r in expect if "tags" in r]
    assert sum("error" in r for r in got) == 3
    assert [r["id"] for r in by_file] == [f"r{i}" for i in range(5)] + ["kv", "store"]
    assert all(r["tags"] for r in by_file)
