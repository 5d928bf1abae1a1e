"""Rule packs as plugins: discovery order, entry points, REPOTAG_RULES,
override and disable by id, team taxonomies, and YAML that cannot run code."""
import json
import os
import sys

import pytest

from conftest import records, run_cli, write_pack

TEAM_TAGS = [{"id": 1, "name": "payments"}, {"id": 2, "name": "internal-tool"}, {"id": 3, "name": "search"}]
BASE_RULES = """\
tag: payments
rules:
  - id: payments/core
    keywords: [payment gateway, {term: invoices, weight: 0.5}]
  - id: payments/cards
    scopes: [title, lede, prose]
    keywords: [credit card]
"""


def team_tags(tmp_path):
    path = tmp_path / "team-tags.json"
    path.write_text(json.dumps(TEAM_TAGS), encoding="utf-8")
    return path


def plugin_site(tmp_path, rules_yaml: str, ep_value="acme_rules:rules", dist="acme_repotag_rules"):
    """An installed distribution as pip leaves it: a package with a rules
    folder and a *.dist-info whose entry_points.txt declares the pack."""
    site = tmp_path / "site"
    pkg = site / "acme_rules"
    write_pack(pkg / "rules", {"acme.yml": rules_yaml})
    # Importing the package would leave this marker: discovery must not import it.
    (pkg / "__init__.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('IMPORTED').write_text('yes')\n", encoding="utf-8")
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[repotag.rules]\nacme = {ep_value}\n", encoding="utf-8")
    return site


ACME = """\
tag: search
rules:
  - id: search/acme
    keywords: [full text search]
"""


def test_entry_point_pack_is_found_without_flags(tmp_path, monkeypatch):
    from engine.packs.discover import discover
    from engine.tagging.tagger import Tagger

    site = plugin_site(tmp_path, ACME)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("REPOTAG_RULES", raising=False)
    packs = discover(builtin=False)
    assert [p.origin for p in packs] == ["entry point acme (acme_repotag_rules 1.0)"]
    assert packs[0].path == site / "acme_rules" / "rules"
    t = Tagger.from_paths(builtin=False, tags=team_tags(tmp_path))
    assert t.tag("# Finder\nA full text search server.").names == ["search"]
    assert not (site / "acme_rules" / "IMPORTED").exists()


def test_entry_point_pack_through_the_cli(tmp_path):
    site = plugin_site(tmp_path, ACME)
    readme = tmp_path / "README.md"
    readme.write_text("# Finder\nA full text search server.\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *sys.path]))
    env.pop("REPOTAG_RULES", None)
    import subprocess

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "engine", *map(str, args)], capture_output=True, text=True, env=env)

    proc = cli("tag", "--no-builtin", "--tags", team_tags(tmp_path), readme)
    assert proc.returncode == 0, proc.stderr
    assert records(proc.stdout) == [{"id": tmp_path.name, "tags": [3]}]  # a README is named for its folder
    listing = cli("rules", "list", "--no-builtin", "--tags", team_tags(tmp_path))
    assert "search/acme" in listing.stdout and "plugin:acme" in listing.stdout
    assert "acme.yml:3:5" in listing.stdout


def test_broken_entry_point_is_a_clear_error(tmp_path, monkeypatch):
    from engine.packs.discover import discover
    from engine.packs.model import RuleLoadError

    site = plugin_site(tmp_path, ACME, ep_value="acme_rules:no_such_folder")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(RuleLoadError) as err:
        discover(builtin=False)
    (problem,) = err.value.problems
    assert "entry point acme = 'acme_rules:no_such_folder' (acme_repotag_rules 1.0)" in str(problem)
    assert "no_such_folder does not exist" in problem.message


def test_discovery_order_and_dedup(tmp_path, monkeypatch):
    from engine.packs.discover import discover
    from engine.packs.model import builtin_dir

    site = plugin_site(tmp_path, ACME)
    monkeypatch.syspath_prepend(str(site))
    env1, env2, flag = (write_pack(tmp_path / n, {}) for n in ("env1", "env2", "flag"))
    monkeypatch.setenv("REPOTAG_RULES", os.pathsep.join([str(env1), "", str(env2)]))
    packs = discover([flag, env1])
    assert [(p.path, p.origin.split(" (")[0]) for p in packs] == [
        (builtin_dir(), "builtin"), (site / "acme_rules" / "rules", "entry point acme"),
        (env1, "REPOTAG_RULES"), (env2, "REPOTAG_RULES"), (flag, "--rules")]
    assert [p.path for p in discover(plugins=False)] == [builtin_dir()]


def load(tmp_path, *packs):
    from engine.tagging.tagger import Tagger

    return Tagger.from_paths(packs, tags=team_tags(tmp_path), builtin=False, plugins=False)


def test_later_pack_adds_keywords_to_a_tag(tmp_path):
    base = write_pack(tmp_path / "base", {"payments.yml": BASE_RULES})
    more = write_pack(tmp_path / "more", {"more.yml": "rules:\n  - {id: payments/sepa, tag: payments, keywords: [sepa transfers]}\n"})
    text = "# Paybox\nHandles SEPA transfers for shops."
    assert load(tmp_path, base).tag(text).names == []
    assert load(tmp_path, base, more).tag(text).names == ["payments"]


def test_override_changes_weight_and_scopes_by_id(tmp_path):
    base = write_pack(tmp_path / "base", {"payments.yml": BASE_RULES})
    over = write_pack(tmp_path / "over", {"o.yml": "override:\n  - id: payments/cards\n    weight: 0.1\n"
                                                   "  - id: payments/core\n    scopes: [title]\n"})
    text = "# Shop\n\nTakes credit card payments through a payment gateway."
    t0, t1 = load(tmp_path, base), load(tmp_path, base, over)
    assert t0.tag(text).names == ["payments"]
    assert t1.tag(text).names == []
    rules = {r.id: r for r in t1.ruleset.rules}
    assert rules["payments/cards"].weight == 0.1
    assert rules["payments/cards"].scopes == t0.ruleset.rules[1].scopes  # untouched keys stay
    assert rules["payments/core"].scopes == frozenset({"title"})
    assert [str(c.loc).rsplit(os.sep, 1)[-1] for c in rules["payments/core"].changes] == ["o.yml:4:5"]
    assert t1.tag("# Payment gateway\nA service.").names == ["payments"]


def test_disable_by_id(tmp_path):
    base = write_pack(tmp_path / "base", {"payments.yml": BASE_RULES})
    off = write_pack(tmp_path / "off", {"off.yml": "disable: [payments/core]\n"})
    t = load(tmp_path, base, off)
    assert [r.id for r in t.ruleset.rules] == ["payments/cards"]
    assert [r.id for r in t.ruleset.disabled] == ["payments/core"]
    assert t.tag("# Gate\nA payment gateway for shops.").names == []
    assert t.tag("# Cards\nA credit card vault.").names == ["payments"]


@pytest.mark.parametrize("body,where,message", [
    ("disable: [payments/cores]\n", "off.yml:1:11", "cannot disable unknown rule id 'payments/cores' (did you mean 'payments/core'?)"),
    ("override:\n  - {id: nope/x, weight: 2}\n", "off.yml:2:5", "cannot override unknown rule id 'nope/x'"),
    ("disable: [payments/core]\noverride:\n  - {id: payments/core, weight: 2}\n", "off.yml:3:5",
     "cannot override rule 'payments/core': disabled at"),
    ("override:\n  - {id: payments/core}\n", "off.yml:2:5", "override of 'payments/core' changes nothing"),
])
def test_bad_override_or_disable_names_file_and_line(tmp_path, body, where, message):
    from engine.packs.model import RuleLoadError

    base = write_pack(tmp_path / "base", {"payments.yml": BASE_RULES})
    off = write_pack(tmp_path / "off", {"off.yml": body})
    with pytest.raises(RuleLoadError) as err:
        load(tmp_path, base, off)
    (p,) = err.value.problems
    assert str(p.loc).endswith(where) and message in p.message, str(p)


def test_rules_list_shows_pack_place_and_changes(tmp_path):
    base = write_pack(tmp_path / "base", {"payments.yml": BASE_RULES})
    over = write_pack(tmp_path / "over", {"o.yml": "override:\n  - {id: payments/cards, weight: 2, scopes: [title]}\n"
                                                   "disable: [payments/core]\n"})
    args = ("rules", "list", "--no-builtin", "--no-plugins", "--tags", team_tags(tmp_path), "--rules", base, "--rules", over)
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in json.loads(proc.stdout)}
    assert rows["payments/core"]["state"] == "disabled"
    assert rows["payments/core"]["where"].endswith("payments.yml:3:5")
    assert rows["payments/cards"]["state"] == "overridden"
    assert rows["payments/cards"]["pack"] == "base"
    assert rows["payments/cards"]["changes"][0]["fields"] == ["scopes", "weight"]
    assert rows["payments/cards"]["changes"][0]["where"].endswith("o.yml:2:5")
    text = run_cli(*args, "--tag", "payments").stdout.splitlines()
    cards = next(l for l in text if l.startswith("payments/cards"))
    assert "overridden: override scopes,weight by over at" in cards and cards.endswith("o.yml:2:5")
    assert run_cli(*args, "--tag", "search").stdout.strip() == "no rules"
    bad = run_cli(*args, "--tag", "nosuch")
    assert bad.returncode == 2 and "--tag 'nosuch': no such tag" in bad.stderr


def test_team_taxonomy_end_to_end(tmp_path):
    tags = team_tags(tmp_path)
    pack = write_pack(tmp_path / "team", {
        "payments.yml": BASE_RULES,
        "internal.yml": "tag: internal-tool\nrules:\n  - id: internal/ops\n    keywords: [ops dashboard]\n"
                        "examples:\n  - text: \"# Opsy\\nThe ops dashboard of the platform team.\"\n    tags: [internal-tool]\n",
    })
    readme = tmp_path / "billing.md"
    readme.write_text("# Billing\n\nA payment gateway with an ops dashboard.\n", encoding="utf-8")
    proc = run_cli("tag", "--no-builtin", "--tags", tags, "--rules", pack, readme)
    assert proc.returncode == 0, proc.stderr
    assert records(proc.stdout) == [{"id": "billing", "tags": [1, 2]}]
    test = run_cli("rules", "test", "--no-builtin", "--no-plugins", "--tags", tags, "--rules", pack)
    assert test.returncode == 0 and "1 example(s), 0 failed" in test.stderr


def test_pack_with_its_own_tag_list_maps_by_name(tmp_path):
    # The pack was written against another list: payments is id 70 there.
    pack = write_pack(tmp_path / "foreign", {
        "tags.json": json.dumps([{"id": 70, "name": "Payments"}, {"id": 71, "name": "crypto"}]),
        "p.yml": "tag: 70\nrules:\n  - {id: p/gw, keywords: [{term: payment gateway, weight: 2}]}\n"
                 "  - {id: c/coin, tag: crypto, keywords: [coin]}\n"
                 "examples:\n  - {text: \"# Pay\\nA payment gateway.\", tags: [70], not: [crypto]}\n",
    })
    t = load(tmp_path, pack)
    assert t.tag("# Gate\nA payment gateway.").tags == [1]
    assert [r.id for r in t.ruleset.dropped] == ["c/coin"]  # crypto is not in the team's list
    (ex,) = t.ruleset.examples
    assert ex.tags == (1,)


@pytest.mark.parametrize("node", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
    '!!python/name:os.system',
    '!custom {{a: 1}}',
])
def test_plugin_yaml_cannot_run_code(tmp_path, monkeypatch, node):
    from engine.packs.model import RuleLoadError

    marker = tmp_path / "ran"
    rules = "tag: search\nrules:\n  - id: search/x\n    keywords:\n      - " + node.format(marker=marker) + "\n"
    site = plugin_site(tmp_path, rules)
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(RuleLoadError) as err:
        load_with_plugins(tmp_path)  # the plugin is found through its entry point
    assert marker.exists() is False
    (p,) = err.value.problems
    assert p.code == "yaml-tag" and str(p.loc).endswith("acme.yml:5:9")


def load_with_plugins(tmp_path):
    from engine.tagging.tagger import Tagger

    return Tagger.from_paths(tags=team_tags(tmp_path), builtin=False)


