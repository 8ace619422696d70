"""The index (store/index.py behind store.collection): equal to a fresh parse, never stale, rebuilt
when it cannot be trusted, right after a run killed at any moment."""
from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from dtrack.store import files as store
from dtrack.store import index, pool
from dtrack.store.collection import Collection
from dtrack.domain.model import Extension, Occurrence

from conftest import BUNDLED, dtrack_script, make_repo
from gen_store import generate

OLD_NS = 1_600_000_000_123_456_789      # Sep 2020: far from "now", so no entry is racy
TODAY = date(2024, 7, 20)


def _age(root: Path) -> None:
    """Move every file's mtime into the past, as for a store edited long ago."""
    for path in root.rglob("*.yaml"):
        os.utime(path, ns=(OLD_NS, OLD_NS))


def _same(a: store.Store, b: store.Store) -> None:
    assert a.directives == b.directives
    assert [dataclasses.astuple(x) for x in a.registry.agencies] == \
        [dataclasses.astuple(x) for x in b.registry.agencies]
    assert a.problems == b.problems


def _indexed(root: Path) -> store.Store:
    return Collection(root).store()


def _answers(root: Path, cached: bool = True) -> tuple:
    """Everything the index answers, for comparing an index with a fresh one (in memory)."""
    c = Collection(root, cached=cached)
    return (c.tasks(TODAY, window=14, scope="all", status="all"), c.tasks(TODAY, window=14),
            c.tasks(TODAY, window=14, scope="all", status="all", brief=True),
            c.counts(TODAY, window=30), c.heads(), c.heads("1"), sorted(c.names_in_use()),
            c.tasks(TODAY, window=14, scope="all", phrase="bao cao"), c.store().directives, c.problems,
            c.tasks(TODAY, window=14, scope="all", status="all", names={"Sở Tài chính", "STC", "Sở Nội vụ"}),
            c.counts(TODAY, window=14, names={"Sở Tài chính"}, phrase="bao cao"))


@pytest.fixture
def gen_root(tmp_path) -> Path:
    root = tmp_path / "gen"
    generate(str(root), 40, seed=3)
    _age(root)
    return root


def test_round_trip_equals_the_parsed_model(gen_root):
    fresh = store.load(gen_root)
    first = _indexed(gen_root)                        # builds the index
    assert index.index_file(gen_root).is_file()
    second = _indexed(gen_root)                       # served from it
    _same(fresh, first)
    _same(fresh, second)
    assert any(t.every for d in second.directives for t in d.tasks)
    assert _answers(gen_root) == _answers(gen_root, cached=False)


def test_without_the_cache_nothing_is_written(gen_root):
    assert _answers(gen_root, cached=False)[0]
    assert not index.index_file(gen_root).exists()


def test_every_model_field_survives_the_cache(tmp_path):
    root = tmp_path / "s"
    (root / "2024").mkdir(parents=True)
    (root / "2024" / "9-KH.yaml").write_text(
        "number: 9/KH\nkind: ke-hoach\nissuer: UBND\nissued: 2024-01-02\ntitle: T\nsigner: A\nsource: S\n"
        "custom: {a: [1, 2024-01-01]}\ntasks:\n"
        "  - n: 1\n    text: X\n    lead: [Sở Tài chính, \"UBND các huyện, thị xã\"]\n    support: Sở Nội vụ\n"
        "    due: 2024-02-01\n    due_text: trước 1/2\n    status: done\n    done: 2024-01-30\n    note: N\n"
        "    every: 1 month\n    until: 2024-12-31\n    weird: true\n"
        "    extensions:\n      - {from: 2024-01-15, to: 2024-02-01, on: 2024-01-10, by: CV 1, reason: R}\n"
        "    occurrences:\n      - {due: 2024-01-15, done: 2024-01-14}\n", encoding="utf-8")
    _age(root)
    fresh = store.load(root)
    _indexed(root)
    cached = _indexed(root)
    _same(fresh, cached)
    task = cached.directives[0].tasks[0]
    assert task.extensions == (Extension(to=task.due, from_=task.extensions[0].from_,
                                         on=task.extensions[0].on, by="CV 1", reason="R"),)
    assert isinstance(task.occurrences[0], Occurrence)
    assert task.extra == {"weird": True} and cached.directives[0].extra["custom"]["a"][0] == 1


def test_hand_edit_same_size_same_second_is_seen(gen_root):
    _indexed(gen_root)
    path = gen_root / store.scan(gen_root)[0][0]
    before = path.read_bytes()
    assert b"status: open" in before
    after = before.replace(b"status: open", b"status: done", 1)      # same size
    assert len(after) == len(before)
    path.write_bytes(after)
    os.utime(path, ns=(OLD_NS, OLD_NS + 1000))                        # same second, other nanoseconds
    loaded = _indexed(gen_root)
    _same(store.load(gen_root), loaded)


@pytest.mark.skipif(sys.platform == "win32", reason="st_ctime is the creation time on Windows")
def test_hand_edit_with_the_very_same_mtime_is_seen(gen_root):
    """Same size and mtime_ns: the inode change time, which no program can set back, still differs."""
    _indexed(gen_root)
    path = gen_root / store.scan(gen_root)[1][0]
    before = path.read_bytes()
    with open(path, "r+b") as f:                                      # in place: the inode stays
        f.write(before.replace(b"status: open", b"status: done", 1))
    os.utime(path, ns=(OLD_NS, OLD_NS))
    _same(store.load(gen_root), _indexed(gen_root))


def test_added_and_deleted_files(gen_root):
    _indexed(gen_root)
    files = store.scan(gen_root)
    (gen_root / files[0][0]).unlink()
    extra = gen_root / "2030" / "new-1.yaml"
    extra.parent.mkdir()
    extra.write_text("number: 1/new\nkind: khac\nissuer: X\nissued: 2030-01-01\ntitle: T\ntasks: []\n",
                     encoding="utf-8")
    loaded = _indexed(gen_root)
    _same(store.load(gen_root), loaded)
    assert "new-1" in {d.stem for d in loaded.directives}
    assert files[0][0] not in {d.path for d in loaded.directives}


def test_problems_are_reported_on_every_run(gen_root):
    bad = gen_root / "2024" / "bad.yaml"
    bad.write_text("number: [unclosed\n", encoding="utf-8")
    for _ in range(3):
        loaded = _indexed(gen_root)
        assert [(p.path.name, p.line) for p in loaded.problems] == [("bad.yaml", 2)]
    bad.unlink()
    assert _indexed(gen_root).problems == []


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "foreign", "other-version", "nonsense-rows"])
def test_a_bad_index_is_rebuilt_silently(gen_root, damage):
    expected = _answers(gen_root, cached=False)
    assert _answers(gen_root) == expected
    where = index.index_file(gen_root)
    if damage == "garbage":
        where.write_bytes(b"\x80\x05not a database at all" * 100)
    elif damage == "empty":
        where.write_bytes(b"")
    elif damage == "truncated":
        where.write_bytes(where.read_bytes()[: where.stat().st_size // 2])
    elif damage == "foreign":
        where.unlink()
        with sqlite3.connect(where) as con:
            con.execute("CREATE TABLE files(name TEXT)")
            con.execute("INSERT INTO files VALUES ('x')")
    else:
        with sqlite3.connect(where) as con:
            if damage == "other-version":
                # An index written by another dtrack: its rows must not be used, whatever they hold.
                con.execute("UPDATE meta SET value = 'other' WHERE key = 'stamp'")
            else:
                con.execute("UPDATE rows SET row = x'80054e2e'")      # pickled None in every row...
                con.execute("UPDATE meta SET value = 'other' WHERE key = 'stamp'")  # ...from another dtrack
    assert _answers(gen_root) == expected
    assert _answers(gen_root) == expected
    _same(store.load(gen_root), _indexed(gen_root))


def test_cache_is_outside_the_work_tree_and_written_atomically(tmp_path):
    repo = make_repo(tmp_path / "office")
    root = repo / "directives"
    _indexed(root)
    where = index.index_file(root)
    assert where.parent == repo / ".git" / "dtrack"
    assert where.is_file()
    assert not [p for p in where.parent.iterdir() if p.name.endswith("-journal")]
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert status == ""


def test_parallel_first_build_equals_serial(tmp_path, monkeypatch):
    root = tmp_path / "gen"
    generate(str(root), 120, seed=5)
    _age(root)
    monkeypatch.setattr(pool, "POOL_MIN_FILES", 10)
    pooled = _indexed(root)
    _same(store.load(root), pooled)
    assert _answers(root) == _answers(root, cached=False)


def test_list_after_a_hand_edit_shows_it(cli, tmp_path):
    repo = make_repo(tmp_path / "office", BUNDLED)
    root = repo / "directives"
    _age(root)
    first = cli("--as-of", "2024-07-20", "list", "--json", cwd=repo)
    assert first.exit_code == 0
    path = root / "2024" / "2024-07-17-bo-sung-kinh-phi.yaml"
    raw = path.read_bytes()
    edited = raw.replace(b"due: 2024-07-23", b"due: 2024-07-24", 1)
    assert edited != raw and len(edited) == len(raw)
    path.write_bytes(edited)
    os.utime(path, ns=(OLD_NS, OLD_NS + 1))
    second = cli("--as-of", "2024-07-20", "list", "--json", cwd=repo)
    dues = {row["ref"]: row["due"] for row in json.loads(second.stdout)}
    assert dues["2024-07-17-bo-sung-kinh-phi#1"] == "2024-07-24"


def test_index_after_edits_equals_a_fresh_index(gen_root):
    _answers(gen_root)
    files = [gen_root / rel for rel, _e in store.scan(gen_root)]
    edited = files[3].read_bytes().replace(b"status: open", b"status: done", 1)
    files[3].write_bytes(edited)
    moved = files[7].read_text(encoding="utf-8").replace("due: 20", "due: 19", 1)
    files[7].write_text(moved, encoding="utf-8")
    files[11].unlink()
    _age(gen_root)
    after = _answers(gen_root)
    again = _answers(gen_root)                     # served from the index it wrote
    index.remove(gen_root)
    fresh = _answers(gen_root)
    assert after == fresh == again == _answers(gen_root, cached=False)
    _same(store.load(gen_root), _indexed(gen_root))


def test_list_from_the_index_equals_list_from_the_directives(cli, gen_root, monkeypatch):
    for args in (["list"], ["list", "--all"], ["list", "--overdue"], ["list", "--within", "60d"],
                 ["list", "--all", "--agency", "STC"]):
        monkeypatch.delenv("DTRACK_NO_CACHE", raising=False)
        indexed = cli("--dir", str(gen_root), "--as-of", "2024-07-20", *args)
        monkeypatch.setenv("DTRACK_NO_CACHE", "1")
        direct = cli("--dir", str(gen_root), "--as-of", "2024-07-20", *args)
        assert indexed.exit_code == direct.exit_code == 0
        assert indexed.stdout == direct.stdout
        assert indexed.stdout.count("\n") > 3


def test_done_resolves_against_the_whole_store(cli, tmp_path):
    """done reads only the named file, but resolves references against every file, with the same
    messages as when the whole store is loaded (DTRACK_NO_CACHE)."""
    repo = make_repo(tmp_path / "office", BUNDLED)
    for ref in ("2024#1", "9999#1", "1502#99", "1502"):
        indexed = cli("--as-of", "2024-07-20", "done", ref, cwd=repo)
        direct = cli("--as-of", "2024-07-20", "done", ref, cwd=repo, env={"DTRACK_NO_CACHE": "1"})
        assert indexed.exit_code == direct.exit_code != 0
        assert indexed.stderr == direct.stderr
    ok = cli("--as-of", "2024-07-20", "done", "1502#2", "2024-07-17#1", cwd=repo)
    assert ok.exit_code == 0 and "1502-UBND-KGVX#2" in ok.stdout and "2024-07-17-bo-sung-kinh-phi#1" in ok.stdout


def test_export_builds_from_the_index_and_never_from_a_stale_row(cli, gen_root):
    out = gen_root.parent / "out.ics"
    args = ("--dir", str(gen_root), "--as-of", "2024-07-20", "export-ics", "-o", str(out))
    assert cli("--dir", str(gen_root), "list").exit_code == 0          # the index is built
    path = gen_root / store.scan(gen_root)[0][0]
    raw = path.read_bytes()
    assert b"status: open" in raw
    path.write_bytes(raw.replace(b"status: open", b"status: done", 1))   # same size: only the stat key differs
    os.utime(path, ns=(OLD_NS, OLD_NS + 7))
    assert cli(*args).exit_code == 0
    from_cache = out.read_bytes()
    for f in store.cache_dir(gen_root).iterdir():
        f.unlink()
    assert cli(*args, env={"DTRACK_NO_CACHE": "1"}).exit_code == 0
    assert out.read_bytes() == from_cache
    assert from_cache.count(b"BEGIN:VEVENT") > 20


def test_successive_edits(gen_root):
    _indexed(gen_root)
    files = [gen_root / rel for rel, _e in store.scan(gen_root)]

    def step(change):
        change()
        _age(gen_root)
        answers = _answers(gen_root)
        _same(store.load(gen_root), _indexed(gen_root))
        return answers

    step(lambda: files[2].write_bytes(files[2].read_bytes().replace(b"status: open", b"status: done", 1)))
    step(lambda: files[5].write_bytes(files[5].read_bytes().replace(b"due: 20", b"due: 19", 1)))
    step(lambda: files[2].write_bytes(files[2].read_bytes().replace(b"status: open", b"status: done", 1)))
    step(lambda: files[9].write_bytes(b"number: [unclosed\n"))                 # an indexed file turns bad
    step(lambda: files[8].unlink())
    step(lambda: (files[0].parent / "new-9.yaml").write_bytes(files[3].read_bytes()))
    after = step(lambda: files[9].write_bytes(files[4].read_bytes()))         # and is mended
    again = _answers(gen_root)
    index.remove(gen_root)
    assert after == again == _answers(gen_root) == _answers(gen_root, cached=False)


def test_a_file_edited_within_the_racy_window_is_parsed_again(gen_root):
    _answers(gen_root)
    path = gen_root / store.scan(gen_root)[0][0]
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"status: open", b"status: done", 1))      # now: racy
    st = path.stat()
    assert _answers(gen_root) == _answers(gen_root, cached=False)
    # The same size and, as far as a coarse clock can tell, the same time: the index kept no key
    # for the racy file, so the second edit is seen too.
    path.write_bytes(raw)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _answers(gen_root) == _answers(gen_root, cached=False)
    with sqlite3.connect(index.index_file(gen_root)) as con:
        keys = pickle.loads(con.execute("SELECT value FROM meta WHERE key = 'keys'").fetchone()[0])
    assert keys[store.scan(gen_root)[0][0]] == (None, None, None, None)


@pytest.mark.slow          # several killed builds of a 600-file store: .ci/run runs it after the default suite
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_run_killed_while_it_builds_leaves_an_index_that_answers_right(tmp_path):
    root = tmp_path / "big"
    generate(str(root), 600, seed=11)     # enough for the process pool
    _age(root)
    expected = _answers(root, cached=False)
    env = {**os.environ, "DTRACK_TODAY": "2024-07-20"}
    cmd = [dtrack_script(), "--dir", str(root), "list"]
    where = index.index_file(root)
    # Killed as soon as the index file exists, then at moments while the first run parses and writes,
    # then while a run updates the index for many edited files: every moment must be safe.
    def killed(wait):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait is None:
            while proc.poll() is None and not where.exists():
                time.sleep(0.002)
        else:
            time.sleep(wait)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    for wait in (None, 0.3, 0.7):
        index.remove(root)
        killed(wait)
        assert _answers(root) == expected, wait
    for rel, _entry in store.scan(root)[::2]:
        path = root / rel
        path.write_bytes(path.read_bytes().replace(b"status: open", b"status: done", 1))
    _age(root)
    expected = _answers(root, cached=False)
    killed(0.3)
    assert _answers(root) == expected


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_cache_folder_answers_from_memory(gen_root, tmp_path, monkeypatch):
    expected = _answers(gen_root, cached=False)
    _answers(gen_root)
    where = index.index_file(gen_root)
    path = gen_root / store.scan(gen_root)[0][0]
    path.write_bytes(path.read_bytes().replace(b"status: open", b"status: done", 1))
    _age(gen_root)
    expected = _answers(gen_root, cached=False)
    where.chmod(0o444)
    where.parent.chmod(0o555)
    try:
        assert _answers(gen_root) == expected
    finally:
        where.parent.chmod(0o755)
        where.chmod(0o644)


def test_another_dtrack_writing_the_index_is_waited_for_or_answered_from_memory(gen_root, monkeypatch):
    expected = _answers(gen_root, cached=False)
    _answers(gen_root)
    holder = sqlite3.connect(index.index_file(gen_root), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")            # as another dtrack in the middle of its update
    monkeypatch.setattr(index, "BUSY_WAIT", 0.05)     # the real wait is 10 s
    try:
        path = gen_root / store.scan(gen_root)[0][0]
        path.write_bytes(path.read_bytes().replace(b"status: open", b"status: done", 1))
        _age(gen_root)
        expected = _answers(gen_root, cached=False)
        assert _answers(gen_root) == expected
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _answers(gen_root) == expected



def test_a_stem_that_cleaning_changes_gets_its_cleaned_reference_label(gen_root):
    """The reference label is made at parse time: a file name with a bidi override or a run of
    spaces (hand-made names no dtrack command would choose) lists as labels.ref_label makes it."""
    from dtrack.domain.labels import ref_label
    first = gen_root / store.scan(gen_root)[0][0]
    odd = {stem: first.with_name(f"{stem}.yaml") for stem in ("\u202eevil", "two  spaces")}
    for path in odd.values():
        path.write_bytes(first.read_bytes())
    _age(gen_root)
    for cached in (True, True, False):          # building the index, served from it, in memory
        refs = {x.ref for x in Collection(gen_root, cached=cached).tasks(TODAY, window=14, scope="all",
                                                                          status="all")}
        for stem in odd:
            assert ref_label(stem, 1) in refs and ref_label(stem, 1) != f"{stem}#1"
