"""A small rule pack and gold corpus for the workbench tests (test_serve*.py):
three tags, three READMEs, and one README ("blaster") that no rule tags until
the game rule learns the word "roguelike"."""
import json
from pathlib import Path

from conftest import write_pack

TAGS = [{"id": 1, "name": "database"}, {"id": 2, "name": "game"}, {"id": 3, "name": "cli"}]

GAME_YML = """\
# Rules for the `game` tag.
tag: game
rules:
  - id: game/kind
    keywords:
      - game engine   # the engine, not a game
      - video game
examples:
  - text: "# Pixel\\nA game engine for 2D platformers."
    tags: [game]
  - text: "# Ledger\\nA bookkeeping app."
    not: [game]
"""

PACK = {
    "tags.json": json.dumps(TAGS),
    "pack.yml": "min_score: 2.5\n",
    "tags/database.yml": """\
tag: database
rules:
  - id: database/kind
    keywords:
      - database
      - key-value store
examples:
  - text: "# Keeper\\nA key-value store for embedded devices."
    tags: [database]
  - text: "# Pixel\\nA game engine."
    not: [database]
""",
    "tags/game.yml": GAME_YML,
    "tags/cli.yml": """\
tag: cli
rules:
  - id: cli/kind
    keywords:
      - command-line tool
""",
}

READMES = {
    "keeper": ("# Keeper\nA key-value store for embedded devices.\n", ["database"]),
    "blaster": ("# Blaster\nA tiny roguelike you play in the terminal.\n\nMove with the arrow keys.\n", ["game"]),
    "dbtool": ("# Dbtool\nA command-line tool for your database.\n", ["cli"]),
}


def make(tmp: Path) -> dict:
    """The pack, the READMEs and a gold file under tmp; paths by name."""
    pack = write_pack(tmp / "pack", PACK)
    docs = tmp / "corpus"
    docs.mkdir()
    lines = []
    ids = {t["name"]: t["id"] for t in TAGS}
    for name, (text, gold) in READMES.items():
        (docs / f"{name}.md").write_text(text, encoding="utf-8")
        lines.append(json.dumps({"id": name, "file": f"corpus/{name}.md", "tags": [ids[g] for g in gold]}))
    gold = tmp / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"pack": pack, "tags": pack / "tags.json", "gold": gold, "corpus": docs}


def cli_args(paths: dict) -> list[str]:
    return ["--no-builtin", "--rules", str(paths["pack"]), "--tags", str(paths["tags"]), "--gold", str(paths["gold"])]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`repotag serve ARGS` in a subprocess on a free port, until stop()."""

    def __init__(self, args: list[str], timeout: float = 60.0):
        import subprocess
        import sys
        import time
        import urllib.request

        from conftest import ROOT

        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        self.proc = subprocess.Popen([sys.executable, "-m", "engine", "serve", *args, "--port", str(port)],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        end = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > end:
                    self.stop()
                    raise RuntimeError(f"repotag serve did not start: {self.proc.stderr.read()}")
                time.sleep(0.2)

    def post(self, path: str, body: dict) -> dict:
        import urllib.request

        req = urllib.request.Request(self.url.rstrip("/") + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
