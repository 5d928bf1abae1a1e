"""The built-in rule pack lints clean: no error and no warning.

A warning on the built-in pack is a real problem (a keyword counted twice for
one tag, a keyword shared by two tags that pack.yml does not pair, a keyword or
pattern that is not word-bounded): fix the data, or, for neighbours that share
vocabulary on purpose, name the pair in pack.yml's shared_vocabulary.
"""
from conftest import run_cli


def test_builtin_pack_lints_with_no_error_and_no_warning():
    proc = run_cli("rules", "lint", "--strict", "--no-plugins")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "0 error(s), 0 warning(s)" in out, out
