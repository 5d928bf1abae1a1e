"""engine/ shows the pipeline in its folders, and data flows one way.

Every import in every module (top level and inside functions alike: a lazy
import is still a dependency) is read from the source, so the test fails on
an import circle or on a stage importing a later one, before anything runs.
"""
import ast
from pathlib import Path

import pytest

from conftest import ROOT

ENGINE = ROOT / "engine"

# The stages, earliest first: a module may import its own stage and earlier ones.
STAGES = ["inputs", "document", "packs", "tagging", "reports", "cli"]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ENGINE.rglob("*.py"))}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The engine modules `name` imports, resolved to module names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bases = [a.name for a in node.names]
            subs = []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            bases = [base]
            subs = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in bases + subs:
            # `from pkg import mod` imports pkg and pkg.mod; `from mod import name` only mod.
            while target and target not in modules:
                target = target.rpartition(".")[0] if target.startswith("engine") else ""
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def stage(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_every_module_lives_in_a_stage():
    loose = [n for n in all_modules() if stage(n) is None and n not in ("engine", "engine.__main__")]
    assert loose == []
    assert {p.name for p in ENGINE.iterdir() if p.is_dir() and p.name != "__pycache__"} >= set(STAGES)


def test_no_stage_imports_a_later_one():
    upward = []
    for name, targets in graph().items():
        if stage(name) is None:
            continue
        for t in targets:
            if stage(t) is None or STAGES.index(stage(t)) > STAGES.index(stage(name)):
                upward.append(f"{name} -> {t}")
    assert upward == []


def test_no_import_circles():
    g = graph()
    g.pop("engine")  # the public facade: it imports the Tagger lazily, and nothing imports it
    assert not any("engine" in targets for targets in g.values())
    circles = []
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for t in sorted(g.get(node, ())):
            if state.get(t) == 1:
                circles.append(" -> ".join(path[path.index(t):] + [t]))
            elif t not in state:
                visit(t, path + [t])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_the_checker_sees_lazy_relative_and_upward_imports(tmp_path):
    """The walk must catch what it is for: an import inside a function, a
    relative `..` import, and a circle, in a tree made for the purpose."""
    pkg = tmp_path / "engine"
    for d in ("", "packs", "tagging"):
        (pkg / d).mkdir(exist_ok=True)
        (pkg / d / "__init__.py").write_text("")
    (pkg / "packs" / "a.py").write_text("def f():\n    from ..tagging import b\n")
    (pkg / "tagging" / "b.py").write_text("from ..packs.a import f\n")
    mods = {module_name(p, tmp_path): p for p in pkg.rglob("*.py")}
    a = imports_of("engine.packs.a", pkg / "packs" / "a.py", mods)
    b = imports_of("engine.tagging.b", pkg / "tagging" / "b.py", mods)
    assert "engine.tagging.b" in a  # lazy and upward
    assert "engine.packs.a" in b  # so the two form a circle


@pytest.mark.parametrize("name", ["Tagger", "TagResult", "__version__"])
def test_public_api(name):
    import engine

    assert name in engine.__all__
    assert getattr(engine, name) is not None
