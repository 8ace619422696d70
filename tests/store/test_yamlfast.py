"""The fast loader's own resolver and builder (store/yamlfast.py) give exactly what PyYAML's resolver
and constructor give, on every file the repository holds, a generated store, and every kind of value."""
from __future__ import annotations

import pytest

import gen_store
from conftest import BUNDLED, REPO
from dtrack.store import files


def _reference():
    """The same libyaml parser, constructor and implicit resolvers, with PyYAML's own resolve and
    construct_document: what the fast loader did before it built the data itself."""
    yaml, fast, _careful = files._yaml()

    class Reference(fast):
        resolve = yaml.resolver.BaseResolver.resolve
    return lambda text: yaml.load(text, Loader=Reference)


def _both(text: str):
    reference = _reference()
    try:
        want = ("ok", reference(text))
    except Exception as e:      # noqa: BLE001 - the reference's failure is what the fast path must match
        want = ("error", type(e).__name__)
    try:
        got = ("ok", files.parse(text))
    except files._Unreadable:
        got = ("error", "refused")
    return got, want


SNIPPETS = [
    "a: 1\nb: -0\nc: +12\nd: 007\ne: 1_000\nf: 0x1F\ng: 123456789012345678901\n",
    "a: 1.5\nb: .inf\nc: -.Inf\nd: .nan\ne: 1e3\nf: 6.02e+23\n",
    "a: yes\nb: No\nc: TRUE\nd: off\ne: On\nf: y\ng: ~\nh: null\ni:\nj: Null\n",
    "a: 2024-07-23\nb: 2024-07-23 10:30:00\nc: 2024-07-23T10:30:00+07:00\nd: '2024-07-23'\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float 3\nd: !!binary aGVsbG8=\ne: !!set {x, y}\n",
    "<<: {a: 1}\nb: 2\n",
    "tasks:\n  - n: 1\n    text: \"Giao Sở Tài chính: rà soát\"\n    lead: [Sở Tài chính, 'Sở Nội vụ']\n",
    "? [a, b]\n: c\n",
    "'': empty key\n1: int key\n2024-01-01: date key\nnull: x\n",
    "a: |\n  khối\n  văn bản\nb: >\n  gấp\n  dòng\n",
    "- 1\n- [2, [3, {x: y}]]\n- {}\n- []\n",
    "just a string\n",
    "",
    "# only a comment\n",
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\n",
    "a: 1\n---\nb: 2\n",
    # the re-attack: explicit tags on integers, keys that collide across types, merges with a duplicate
    "a: !!int 0x10\nb: !!int '7'\nc: !!int 1_000\nd: +5\ne: !!float 1e999\n",
    "1: a\ntrue: b\n", "1: a\n1.0: b\n", "~: a\nnull: b\n",
    "y:\n  <<: {a: 1}\n  b: 2\n  b: 3\n", "y:\n  <<: [{a: 1}, {a: 3}]\n  b: 2\n",
    "a: !!omap [x: 1, x: 2]\nb: !!pairs [x: 1, x: 2]\nc: !!timestamp 2024-07-23\n",
    "a: 2024-07-23 10:30:00+07:00\nb: .NaN\nc: -.inf\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_every_kind_of_value_is_built_as_pyyaml_builds_it(text):
    got, want = _both(text)
    if want[0] == "ok":
        assert got == want
    else:
        assert got[0] == "error"


def test_every_yaml_file_of_the_repository_and_a_generated_store_is_built_the_same(tmp_path):
    gen_store.generate(str(tmp_path / "store"), 300, seed=7)
    paths = [*BUNDLED.rglob("*.yaml"), *(REPO / "tests").rglob("*.yaml"), *(tmp_path / "store").rglob("*.yaml")]
    compared = 0
    for path in paths:
        try:
            text = files.decode(path.read_bytes())
        except files._Unreadable:
            continue
        got, want = _both(text)
        assert got == want if want[0] == "ok" else got[0] == "error", path
        compared += 1
    assert compared > 300
