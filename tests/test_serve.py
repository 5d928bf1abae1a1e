"""`repotag serve`: every endpoint through Starlette's test client, the save
conflict, path traversal, foreign hosts and origins, and escaping."""
import json
import os

import pytest

pytest.importorskip("starlette", reason="the serve extra (Starlette) is not installed")
pytest.importorskip("httpx2", reason="Starlette's test client needs httpx2 (in the test extra)")

from starlette.testclient import TestClient  # noqa: E402

import workbench_fixture as fx  # noqa: E402
from conftest import run_cli  # noqa: E402
from engine.cli.serve.command import make_workbench  # noqa: E402
from engine.cli.serve.edits import merge_edit  # noqa: E402
from engine.cli.serve.guard import allowed_hosts  # noqa: E402
from engine.cli.serve.web import build_app  # noqa: E402

BASE = "http://127.0.0.1:8000"
GAME = "0/tags/game.yml"


@pytest.fixture
def env(tmp_path):
    paths = fx.make(tmp_path)
    wb = make_workbench([paths["pack"]], paths["tags"], False, (), paths["gold"], None)
    client = TestClient(build_app(wb, allowed_hosts("127.0.0.1", 8000)), base_url=BASE)
    return paths, wb, client


def post(client, path, body, **headers):
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json", **headers})


def with_roguelike(text: str) -> str:
    return text.replace("      - video game\n", "      - video game\n      - roguelike\n")


# ------------------------------------------------------------------ reading

def test_page_lists_pack_files_and_corpus(env):
    _, _, client = env
    r = client.get("/")
    assert r.status_code == 200
    assert 'value="0/tags/game.yml"' in r.text and "blaster" in r.text
    assert "<script src=\"/static/workbench.js\"" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    js = client.get("/static/workbench.js")
    assert js.status_code == 200 and "api(\"/api/eval\"" in js.text


def test_files_and_file(env):
    paths, _, client = env
    files = client.get("/api/files").json()
    by_name = {f["file"]: f for f in files["files"]}
    assert set(by_name) == {"0/pack.yml", "0/tags/cli.yml", "0/tags/database.yml", GAME}
    assert by_name[GAME]["tags"] == ["game"] and by_name[GAME]["editable"]
    assert files["tag_files"]["2"] == GAME
    f = client.get("/api/file", params={"file": GAME}).json()
    assert f["text"] == (paths["pack"] / "tags/game.yml").read_text()
    assert len(f["version"]) == 64


@pytest.mark.parametrize("name,status", [
    ("0/../tags.json", 403), ("0/tags/../../gold.jsonl", 403), ("/etc/passwd", 400), ("0//etc/passwd", 403),
    ("0/tags.json", 404), ("7/tags/game.yml", 404), ("0/tags/nothing.yml", 404), ("x/pack.yml", 400),
    ("0/tags/game.yml\x00", 400), ("0\\..\\tags.json", 400),
])
def test_traversal_is_refused(env, name, status):
    _, _, client = env
    r = client.get("/api/file", params={"file": name})
    assert r.status_code == status, r.text
    assert "error" in r.json() and "text" not in r.json()
    r = post(client, "/api/save", {"file": name, "text": "x", "version": "0" * 64})
    assert r.status_code == status


def test_symlink_out_of_the_pack_is_neither_read_nor_written(env, tmp_path):
    paths, _, client = env
    outside = tmp_path / "outside.yml"
    outside.write_text("tag: cli\nrules:\n  - id: cli/outside\n    keywords: [terminal app]\n", encoding="utf-8")
    os.symlink(outside, paths["pack"] / "tags" / "evil.yml")
    listed = {f["file"]: f for f in client.get("/api/files").json()["files"]}
    assert listed["0/tags/evil.yml"]["editable"] is False
    r = client.get("/api/file", params={"file": "0/tags/evil.yml"})
    assert r.status_code == 403 and "symlink" in r.json()["error"]
    r = post(client, "/api/save", {"file": "0/tags/evil.yml", "text": "pwned", "version": "0" * 64})
    assert r.status_code == 403
    assert outside.read_text(encoding="utf-8").startswith("tag: cli")


# ------------------------------------------------------------------ tag, explain, lint

def test_tag_pasted_and_from_the_corpus(env):
    _, _, client = env
    r = post(client, "/api/tag", {"text": "# Keeper\nA key-value store."}).json()
    assert r["tags"] == [1] and r["names"] == ["database"]
    r = post(client, "/api/tag", {"id": "blaster"}).json()
    assert r["tags"] == [] and r["gold"] == [2]
    game = client.get("/api/file", params={"file": GAME}).json()["text"]
    r = post(client, "/api/tag", {"id": "blaster", "edits": {GAME: with_roguelike(game)}}).json()
    assert r["names"] == ["game"]
    assert post(client, "/api/tag", {"id": "nope"}).status_code == 404
    assert post(client, "/api/tag", {"text": 3}).status_code == 400


def test_explain_gives_evidence_with_rule_file_lines(env):
    _, _, client = env
    game = client.get("/api/file", params={"file": GAME}).json()["text"]
    r = post(client, "/api/explain", {"id": "blaster", "edits": {GAME: with_roguelike(game)}}).json()
    entry = r["explain"]["entries"][0]
    assert entry["name"] == "game" and entry["file"] == GAME
    ev = entry["evidence"][0]
    assert ev["term"] == "roguelike" and ev["term_file"] == GAME
    assert with_roguelike(game).splitlines()[ev["term_line"] - 1].strip() == "- roguelike"
    assert (ev["line"], ev["column"]) == (2, 8)
    assert 'data-ev="0.0"' in r["html"]["readme"] and ">roguelike</span>" in r["html"]["readme"]
    assert r["gold_names"] == ["game"]


def test_explain_escapes_readme_text(env):
    _, _, client = env
    text = "# Keeper <script>alert(1)</script>\nA key-value store <img src=x onerror=alert(2)> & more.\n"
    r = post(client, "/api/explain", {"text": text}).json()
    html = "".join(r["html"].values())
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r["html"]["readme"]
    assert "&amp; more" in r["html"]["readme"]


def test_corpus_ids_are_escaped_in_the_page(tmp_path):
    paths = fx.make(tmp_path)
    corpus = tmp_path / "odd.jsonl"
    corpus.write_text(json.dumps({"id": "<img src=x onerror=alert(1)>", "text": "# A database"}) + "\n", encoding="utf-8")
    wb = make_workbench([paths["pack"]], paths["tags"], False, [str(corpus)], None, None)
    client = TestClient(build_app(wb, allowed_hosts("127.0.0.1", 8000)), base_url=BASE)
    page = client.get("/").text
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_lint_reports_problems_at_their_line_and_runs_examples(env):
    _, _, client = env
    game = client.get("/api/file", params={"file": GAME}).json()["text"]
    ok = post(client, "/api/lint", {"file": GAME, "text": game}).json()
    assert ok["errors"] == 0 and ok["pack"]["loaded"]
    assert [e["ok"] for e in ok["examples"]] == [True, True]
    bad_regex = game.replace("    keywords:\n", "    patterns:\n      - '(a+)+b'\n    keywords:\n")
    r = post(client, "/api/lint", {"file": GAME, "text": bad_regex}).json()
    assert r["errors"] == 1 and not r["pack"]["loaded"]
    p = r["problems"][0]
    assert p["code"] == "backtracking" and p["line"] == 6 and p["file"] == GAME
    broken_yaml = game.replace("      - video game\n", "      - video game\n    - : [\n")
    r = post(client, "/api/lint", {"file": GAME, "text": broken_yaml}).json()
    assert r["errors"] >= 1 and r["problems"][0]["code"] == "bad-yaml" and r["problems"][0]["line"] == 8
    # an edit that breaks the file's own example
    r = post(client, "/api/lint", {"file": GAME, "text": game.replace("- game engine", "- engine of games")}).json()
    first = r["examples"][0]
    assert not first["ok"] and "expected [game]" in first["message"]
    assert first["line"] == 9


# ------------------------------------------------------------------ the corpus

def test_eval_matches_repotag_eval_and_diffs_an_edit(env):
    paths, _, client = env
    r = post(client, "/api/eval", {}).json()
    cli = run_cli("eval", paths["gold"], "--json", "--no-builtin", "--rules", paths["pack"], "--tags", paths["tags"])
    want = json.loads(cli.stdout)
    assert {k: r["before"][k] for k in want if k in r["before"]} == {k: v for k, v in want.items() if k in r["before"]}
    assert r["edited"] is False and r["diff"] == [] and r["after"] is None
    game = client.get("/api/file", params={"file": GAME}).json()["text"]
    r = post(client, "/api/eval", {"edits": {GAME: with_roguelike(game)}}).json()
    assert r["edited"] and r["counts"] == {"fixed": 1, "broken": 0, "changed": 0}
    assert r["diff"] == [{"id": "blaster", "change": "fixed", "gold": ["game"], "before": [], "after": ["game"],
                          "error": None}]
    assert r["after"]["micro_r"] > r["before"]["micro_r"] and r["after"]["untagged"] < r["before"]["untagged"]
    game_row = next(t for t in r["per_tag"] if t["name"] == "game")
    assert game_row["before"]["f1"] == 0 and game_row["after"]["f1"] == 1 and game_row["delta_f1"] == 1
    # An edit that makes every README a game breaks the two that were right.
    r = post(client, "/api/eval", {"edits": {GAME: game.replace("- video game", "- a")}}).json()
    assert r["counts"]["broken"] >= 1
    corpus = client.get("/api/corpus").json()
    assert [d["id"] for d in corpus["docs"]] == ["keeper", "blaster", "dbtool"] and corpus["gold"]


def test_an_edit_that_does_not_load_keeps_the_saved_rules(env):
    _, _, client = env
    r = post(client, "/api/eval", {"edits": {GAME: "rules: [\n"}}).json()
    assert r["pack"]["loaded"] is False and "does not load" in r["pack"]["message"]
    assert r["edited"] and r["diff"] == []
    r = post(client, "/api/tag", {"id": "keeper", "edits": {GAME: "rules: [\n"}}).json()
    assert r["names"] == ["database"] and r["pack"]["loaded"] is False


# ------------------------------------------------------------------ save

def test_save_writes_only_the_edit_and_keeps_layout(env):
    paths, _, client = env
    path = paths["pack"] / "tags/game.yml"
    original = fx.GAME_YML.replace("\n", "\r\n").rstrip("\r\n").encode()  # CRLF, no final newline
    path.write_bytes(original)
    opened = client.get("/api/file", params={"file": GAME}).json()
    assert "\r" not in opened["text"] or opened["text"] == original.decode()
    text = opened["text"].replace("\r\n", "\n")  # what a browser's text box hands back
    r = post(client, "/api/save", {"file": GAME, "text": with_roguelike(text), "version": opened["version"]})
    assert r.status_code == 200 and r.json()["written"]
    want = original.replace(b"      - video game\r\n", b"      - video game\r\n      - roguelike\r\n")
    assert path.read_bytes() == want
    # the saved file is now the saved rules: no edit, and the README is tagged
    assert post(client, "/api/tag", {"id": "blaster"}).json()["names"] == ["game"]
    again = client.get("/api/file", params={"file": GAME}).json()
    assert again["version"] == r.json()["version"]


def test_save_refuses_when_the_file_changed_on_disk(env):
    paths, _, client = env
    path = paths["pack"] / "tags/game.yml"
    opened = client.get("/api/file", params={"file": GAME}).json()
    path.write_text(fx.GAME_YML + "# someone else's edit\n", encoding="utf-8")
    r = post(client, "/api/save", {"file": GAME, "text": with_roguelike(opened["text"]), "version": opened["version"]})
    assert r.status_code == 409 and "changed on disk" in r.json()["error"]
    assert path.read_text(encoding="utf-8").endswith("# someone else's edit\n")
    assert r.json()["current_version"] != opened["version"]


@pytest.mark.parametrize("original", [b"a: 1\r\nb: 2\r\n", b"\xef\xbb\xbfa: 1\n# c\n", b"a: 1\rb: 2", b"", b"x\n\n\n"])
def test_merge_edit_unchanged_text_gives_the_same_bytes(original):
    shown = original.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    assert merge_edit(original, shown) == original


def test_merge_edit_changes_only_the_edited_lines():
    original = b"# keep me\r\nrules:\r\n  - id: x   # note\r\n"
    out = merge_edit(original, "# keep me\nrules:\n  - id: y   # note\n  - id: z\n")
    assert out == b"# keep me\r\nrules:\r\n  - id: y   # note\r\n  - id: z\r\n"


# ------------------------------------------------------------------ guard

def test_foreign_origin_and_host_are_refused(env):
    paths, _, client = env
    path = paths["pack"] / "tags/game.yml"
    before = path.read_bytes()
    opened = client.get("/api/file", params={"file": GAME}).json()
    body = {"file": GAME, "text": "pwned: 1\n", "version": opened["version"]}
    r = post(client, "/api/save", body, Origin="http://evil.example")
    assert r.status_code == 403 and "evil.example" in r.json()["error"]
    r = post(client, "/api/save", body, **{"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    r = client.post("/api/save", content=json.dumps(body), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.get("/api/file", params={"file": GAME}, headers={"Host": "evil.example:8000"})
    assert r.status_code == 421
    r = client.get("/", headers={"Host": "127.0.0.1.evil.example"})
    assert r.status_code == 421
    assert path.read_bytes() == before
    # the server's own origin is fine
    r = post(client, "/api/tag", {"text": "# Keeper\nA database."}, Origin="http://127.0.0.1:8000")
    assert r.status_code == 200
    r = post(client, "/api/tag", {"text": "# Keeper\nA database."}, Origin="http://localhost:8000")
    assert r.status_code == 200


def test_request_size_and_shape_are_bounded(env):
    _, _, client = env
    r = post(client, "/api/tag", {"text": "x" * (5 * 1024 * 1024)})
    assert r.status_code == 413
    r = client.post("/api/tag", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "not JSON" in r.json()["error"]
    r = post(client, "/api/tag", ["a list"])
    assert r.status_code == 400
    r = post(client, "/api/tag", {"text": "# x", "edits": {f"0/tags/{i}.yml": "" for i in range(20)}})
    assert r.status_code == 400
    assert client.delete("/api/file").status_code == 405


def test_allowed_hosts_default_to_loopback_names():
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert allowed_hosts("192.0.2.5", 9000) == {"192.0.2.5:9000"}


def test_serve_command_reports_a_bad_gold_file(tmp_path):
    paths = fx.make(tmp_path)
    paths["gold"].write_text('{"id": "a", "tags": [99]}\n', encoding="utf-8")
    r = run_cli("serve", *fx.cli_args(paths), "--port", "0")
    assert r.returncode == 2 and "gold.jsonl:1" in r.stderr and "unknown tag 99" in r.stderr


def test_page_and_assets_need_no_network(env):
    _, _, client = env
    for path in ("/", "/static/workbench.js", "/static/workbench.css"):
        body = client.get(path).text
        assert "http://" not in body and "https://" not in body, path


def test_unsaved_sources_replace_the_file_and_keep_its_problems(env):
    from engine.packs.read import collect_packs, unsaved_sources

    paths, wb, _ = env
    game = str(paths["pack"] / "tags" / "game.yml")
    broken = "tag: game\nrules: [\n"
    for _ in range(2):  # the second load reads the kept tree: same problems
        with unsaved_sources({game: broken}):
            rs, problems = collect_packs(wb.packs, wb.tags)
        assert [(p.loc.file, p.loc.line, p.code) for p in problems] == [(game, 3, "bad-yaml")]
    with unsaved_sources({game: fx.GAME_YML.replace("video game", "roguelike")}):
        rs, problems = collect_packs(wb.packs, wb.tags)
    assert problems == []
    assert [t.text for r in rs.rules if r.id == "game/kind" for t in r.keywords] == ["game engine", "roguelike"]
    rs, problems = collect_packs(wb.packs, wb.tags)  # outside the block: the file on disk
    assert [t.text for r in rs.rules if r.id == "game/kind" for t in r.keywords] == ["game engine", "video game"]


@pytest.mark.parametrize("path", ["/static/%2e%2e/web.py", "/static/..%2fweb.py", "/static/../workbench.py"])
def test_static_files_stay_in_their_folder(env, path):
    _, _, client = env
    r = client.get(path)
    assert r.status_code == 404 and "import" not in r.text


def test_worker_processes_tag_like_the_server(env, tmp_path):
    """--jobs 2 (forked workers with the edit's texts) and --jobs 1 agree."""
    paths, _, client = env
    game = client.get("/api/file", params={"file": GAME}).json()["text"]
    edits = [{}, {GAME: with_roguelike(game)}, {GAME: game.replace("- video game", "- a")}, {GAME: "rules: [\n"}]
    srv = fx.Server(fx.cli_args(paths) + ["--jobs", "2"])
    try:
        for e in edits:
            a, b = post(client, "/api/eval", {"edits": e}).json(), srv.post("/api/eval", {"edits": e})
            assert b["jobs"] == 2
            assert (a["before"], a["after"], a["diff"], a["counts"]) == (b["before"], b["after"], b["diff"], b["counts"])
    finally:
        srv.stop()
