"""Property tests: random and mutated directive files and random texts fed to the loader and to
`list` / `show` never produce a traceback (exit 70) and never write (docs/reliability.md).

CI runs the "ci" profile (tests/conftest.py); two of the properties are slow-marked, so .ci/run runs
them after the default run. The long run is
`python -m pytest -m "slow or not slow" tests/reliability/test_fuzz.py --hypothesis-profile=long`.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from conftest import BUNDLED

SOURCES = sorted(p for p in BUNDLED.rglob("*.yaml") if p.name != "agencies.yaml")
INTERNAL = 70
YAML_BITS = ["- ", ": ", "&a ", "*a", "!!python/object:os.system ", "<<<<<<< HEAD", "=======", ">>>>>>> x",
             "{", "}", "[", "]", "'", '"', "\\", "#", "|", ">-", "\t", "\r\n", "\ufeff", "\x00", "\x1b[31m",
             "\u202e", "2024-02-30", "n: 1", "status: done", "tasks:", "tasks: []", "lead: []", "~", "null",
             "? ", "---", "...", "%YAML 1.1", "!!binary AAAA", "9" * 30, "-1", "1e9", ".nan", "Đ"]


@st.composite
def mutated(draw) -> bytes:
    """A bundled directive with bytes flipped, lines dropped, duplicated or shuffled, YAML syntax inserted."""
    raw = draw(st.sampled_from(SOURCES)).read_bytes()
    lines = raw.split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "drop", "dup", "swap", "insert", "truncate", "indent"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "flip" and lines[i]:
            line = bytearray(lines[i])
            j = draw(st.integers(0, len(line) - 1))
            line[j] = draw(st.integers(0, 255))
            lines[i] = bytes(line)
        elif op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        elif op == "insert":
            bit = draw(st.sampled_from(YAML_BITS)).encode("utf-8")
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + bit + lines[i][at:]
        elif op == "truncate":
            lines = lines[: i + 1]
        elif op == "indent":
            lines[i] = b" " * draw(st.integers(1, 5)) + lines[i]
    return b"\n".join(lines)


files = st.one_of(mutated(), st.binary(max_size=2000),
                  st.lists(st.sampled_from(YAML_BITS + list("abn: \n-0123456789")), max_size=120)
                  .map(lambda bits: "".join(bits).encode("utf-8")))


def _store(tmp_path: Path, content: bytes) -> tuple[Path, Path]:
    root = tmp_path / "d"
    if root.exists():
        shutil.rmtree(root)
    (root / "2024").mkdir(parents=True)
    shutil.copy(BUNDLED / "agencies.yaml", root / "agencies.yaml")
    shutil.copy(SOURCES[0], root / "2024" / SOURCES[0].name)
    path = root / "2024" / "fuzz.yaml"
    path.write_bytes(content)
    return root, path


def _clean(result) -> None:
    assert result.exit_code != INTERNAL, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output


@given(content=files)
def test_the_loader_never_raises_on_any_file(tmp_path_factory, content):
    from dtrack.store import files as store
    root, path = _store(tmp_path_factory.mktemp("f"), content)
    loaded = store.load(root)
    assert len(loaded.directives) + len({p.path for p in loaded.problems if p.severity == "error"}) >= 1
    assert all(isinstance(p.line, int) and p.message for p in loaded.problems)
    assert path.read_bytes() == content


@pytest.mark.slow
@given(content=files, ref=st.sampled_from(["fuzz#1", "fuzz#2", "fuzz", "1502#1", "fuzz#0"]))
def test_list_and_show_never_trace_back_or_write(cli, tmp_path_factory, content, ref):
    root, path = _store(tmp_path_factory.mktemp("f"), content)
    listed = cli("--dir", str(root), "list", "--all", "--status", "all", "--json")
    _clean(listed)
    assert listed.exit_code == 0
    json.loads(listed.stdout)
    _clean(cli("--dir", str(root), "list", "--all"))
    _clean(cli("--dir", str(root), "show", ref))
    assert path.read_bytes() == content


@pytest.mark.slow
@given(text=st.text(max_size=200), search=st.text(max_size=30))
def test_any_task_text_and_search_round_trip(cli, tmp_path_factory, text, search):
    from dtrack.store.yamledit import render_scalar
    body = ("number: 9/UBND\nkind: cong-van\nissuer: UBND\nissued: 2024-07-01\ntitle: T\ntasks:\n"
            f"  - n: 1\n    text: {render_scalar(text)}\n    lead: Sở Tài chính\n    status: open\n")
    root, path = _store(tmp_path_factory.mktemp("t"), body.encode("utf-8", "surrogatepass"))
    listed = cli("--dir", str(root), "list", "--all", "--json", "--search", search)
    _clean(listed)
    shown = cli("--dir", str(root), "show", "fuzz#1")
    _clean(shown)
    assert "\x1b" not in shown.output
    if shown.exit_code == 0 and text.strip() and "\ud800" > max(text):
        full = cli("--dir", str(root), "list", "--all", "--json")
        rows = [r for r in json.loads(full.stdout) if r["ref"] == "fuzz#1"]
        assert rows and rows[0]["text"] in (text, text.strip())
