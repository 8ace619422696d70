"""The parse cache: equal to a fresh parse, never stale, rebuilt when it cannot be trusted."""
from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from dtrack.store import cache
from dtrack.store import files as store
from dtrack.domain.model import Extension, Occurrence

from conftest import BUNDLED, make_repo
from gen_store import generate

OLD_NS = 1_600_000_000_123_456_789      # Sep 2020: far from "now", so no entry is racy


def _age(root: Path) -> None:
    """Move every file's mtime into the past, as for a store edited long ago."""
    for path in root.rglob("*.yaml"):
        os.utime(path, ns=(OLD_NS, OLD_NS))


def _same(a: store.Store, b: store.Store) -> None:
    assert a.directives == b.directives
    assert [dataclasses.astuple(x) for x in a.registry.agencies] == \
        [dataclasses.astuple(x) for x in b.registry.agencies]
    assert a.problems == b.problems


@pytest.fixture
def gen_root(tmp_path) -> Path:
    root = tmp_path / "gen"
    generate(str(root), 40, seed=3)
    _age(root)
    return root


def test_round_trip_equals_the_parsed_model(gen_root):
    fresh = store.load_uncached(gen_root)
    first = store.load(gen_root)                      # builds the cache
    assert cache.cache_file(gen_root).is_file()
    second = store.load(gen_root)                     # served from it
    _same(fresh, first)
    _same(fresh, second)
    assert any(t.every for d in second.directives for t in d.tasks)


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
    fresh = store.load_uncached(root)
    store.load(root)
    cached = store.load(root)
    _same(fresh, cached)
    task = cached.directives[0].tasks[0]
    assert task.extensions == (Extension(to=task.due, from_=task.extensions[0].from_,
                                         on=task.extensions[0].on, by="CV 1", reason="R"),)
    assert isinstance(task.occurrences[0], Occurrence)
    assert task.extra == {"weird": True} and cached.directives[0].extra["custom"]["a"][0] == 1
    # Every field is carried generically: the encoding is one value per dataclass field.
    assert len(cache.encode(fresh.directives[0])) == len(dataclasses.fields(type(fresh.directives[0])))


def test_hand_edit_same_size_same_second_is_seen(gen_root):
    store.load(gen_root)
    path = gen_root / store.scan(gen_root)[0][0]
    before = path.read_bytes()
    assert b"status: open" in before
    after = before.replace(b"status: open", b"status: done", 1)      # same size
    assert len(after) == len(before)
    path.write_bytes(after)
    os.utime(path, ns=(OLD_NS, OLD_NS + 1000))                        # same second, other nanoseconds
    loaded = store.load(gen_root)
    _same(store.load_uncached(gen_root), loaded)


@pytest.mark.skipif(sys.platform == "win32", reason="st_ctime is the creation time on Windows")
def test_hand_edit_with_the_very_same_mtime_is_seen(gen_root):
    """Same size and mtime_ns: the inode change time, which no program can set back, still differs."""
    store.load(gen_root)
    path = gen_root / store.scan(gen_root)[1][0]
    before = path.read_bytes()
    with open(path, "r+b") as f:                                      # in place: the inode stays
        f.write(before.replace(b"status: open", b"status: done", 1))
    os.utime(path, ns=(OLD_NS, OLD_NS))
    _same(store.load_uncached(gen_root), store.load(gen_root))


def test_added_and_deleted_files(gen_root):
    store.load(gen_root)
    files = store.scan(gen_root)
    (gen_root / files[0][0]).unlink()
    extra = gen_root / "2030" / "new-1.yaml"
    extra.parent.mkdir()
    extra.write_text("number: 1/new\nkind: khac\nissuer: X\nissued: 2030-01-01\ntitle: T\ntasks: []\n",
                     encoding="utf-8")
    loaded = store.load(gen_root)
    _same(store.load_uncached(gen_root), loaded)
    assert "new-1" in {d.stem for d in loaded.directives}
    assert files[0][0] not in {d.path for d in loaded.directives}


def test_problems_are_reported_on_every_run(gen_root):
    bad = gen_root / "2024" / "bad.yaml"
    bad.write_text("number: [unclosed\n", encoding="utf-8")
    for _ in range(3):
        loaded = store.load(gen_root)
        assert [(p.path.name, p.line) for p in loaded.problems] == [("bad.yaml", 2)]
    bad.unlink()
    assert store.load(gen_root).problems == []


@pytest.mark.parametrize("damage", ["garbage", "empty", "other-version", "other-fields"])
def test_a_bad_cache_is_rebuilt_silently(gen_root, damage):
    store.load(gen_root)
    where = cache.cache_file(gen_root)
    if damage == "garbage":
        where.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "empty":
        where.write_bytes(b"")
    else:
        with open(where, "rb") as f:
            stamp, body = pickle.load(f), pickle.load(f)
        stamp = list(stamp)
        if damage == "other-version":
            stamp[1] = "0.0.0-other"
        else:
            stamp[4] = (("Task", ("n", "text")),)
        # A cache from another dtrack, whose rows would not fit: it must not be used.
        body["files"] = {rel: ("nonsense",) for rel in body["files"]}
        with open(where, "wb") as f:
            pickle.dump(tuple(stamp), f)
            pickle.dump(body, f)
    _same(store.load_uncached(gen_root), store.load(gen_root))
    _same(store.load_uncached(gen_root), store.load(gen_root))


def test_cache_is_outside_the_work_tree_and_written_atomically(tmp_path):
    repo = make_repo(tmp_path / "office")
    root = repo / "directives"
    store.load(root)
    where = cache.cache_file(root)
    assert where.parent == repo / ".git" / "dtrack"
    assert where.is_file()
    assert not [p for p in where.parent.iterdir() if p.name.endswith(".tmp")]
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert status == ""


def test_parallel_first_build_equals_serial(tmp_path, monkeypatch):
    root = tmp_path / "gen"
    generate(str(root), 120, seed=5)
    _age(root)
    monkeypatch.setattr(cache, "POOL_MIN_FILES", 10)
    pooled = store.load(root)
    _same(store.load_uncached(root), pooled)


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
    dues = {row["ref"]: row["due"] for row in __import__("json").loads(second.stdout)}
    assert dues["2024-07-17-bo-sung-kinh-phi#1"] == "2024-07-24"


def _open_entries(index) -> list[tuple]:
    return list(zip(index.due, index.rel, index.n, index.labels, index.lead, index.support))


@pytest.mark.parametrize("patch_max", [256, 0])         # patched in place, and re-sorted
def test_index_after_edits_equals_a_fresh_index(gen_root, monkeypatch, patch_max):
    monkeypatch.setattr(cache, "PATCH_MAX", patch_max)
    cache.load_index(gen_root)
    files = [gen_root / rel for rel, _e in store.scan(gen_root)]
    edited = files[3].read_bytes().replace(b"status: open", b"status: done", 1)
    files[3].write_bytes(edited)
    moved = files[7].read_text(encoding="utf-8").replace("due: 20", "due: 19", 1)
    files[7].write_text(moved, encoding="utf-8")
    files[11].unlink()
    _age(gen_root)
    after = cache.load_index(gen_root)
    again = cache.load_index(gen_root)                     # served from the index it wrote
    for f in cache.cache_files(gen_root):
        f.unlink(missing_ok=True)
    fresh = cache.load_index(gen_root)
    assert _open_entries(after) == _open_entries(fresh) == _open_entries(again)
    assert after.directives() == fresh.directives() == again.directives()
    assert after.facts() == fresh.facts()
    _same(store.load_uncached(gen_root), store.load(gen_root))


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


def test_a_damaged_shard_is_mended(gen_root):
    store.load(gen_root)
    shard = cache.shard_file(gen_root, 0)
    shard.write_bytes(b"garbage")
    _same(store.load_uncached(gen_root), store.load(gen_root))
    assert shard.read_bytes() != b"garbage"
    _same(store.load_uncached(gen_root), store.load(gen_root))


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


def test_export_builds_from_the_parse_cache_and_never_from_a_stale_row(cli, gen_root):
    out = gen_root.parent / "out.ics"
    args = ("--dir", str(gen_root), "--as-of", "2024-07-20", "export-ics", "-o", str(out))
    assert cli("--dir", str(gen_root), "list").exit_code == 0          # the parse cache is built
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


@pytest.mark.parametrize("delta_max", [64, 1])          # kept in the delta, and folded into the index
def test_successive_edits_through_the_delta(gen_root, monkeypatch, delta_max):
    monkeypatch.setattr(cache, "DELTA_MAX", delta_max)
    store.load(gen_root)
    files = [gen_root / rel for rel, _e in store.scan(gen_root)]

    def step(change):
        change()
        _age(gen_root)
        index = cache.load_index(gen_root)
        loaded = store.load(gen_root)
        fresh = store.load_uncached(gen_root)
        _same(fresh, loaded)
        return index

    step(lambda: files[2].write_bytes(files[2].read_bytes().replace(b"status: open", b"status: done", 1)))
    step(lambda: files[5].write_bytes(files[5].read_bytes().replace(b"due: 20", b"due: 19", 1)))
    step(lambda: files[2].write_bytes(files[2].read_bytes().replace(b"status: open", b"status: done", 1)))
    step(lambda: files[9].write_bytes(b"number: [unclosed\n"))                 # a cached file turns bad
    step(lambda: files[8].unlink())
    step(lambda: (files[0].parent / "new-9.yaml").write_bytes(files[3].read_bytes()))
    after = step(lambda: files[9].write_bytes(files[4].read_bytes()))         # and is mended
    fresh_problems = store.load_uncached(gen_root).problems
    again = cache.load_index(gen_root)
    for f in cache.cache_files(gen_root):
        f.unlink(missing_ok=True)
    fresh = cache.load_index(gen_root)
    assert _open_entries(after) == _open_entries(again) == _open_entries(fresh)
    assert after.directives() == again.directives() == fresh.directives()
    assert after.facts() == again.facts() == fresh.facts()
    assert [p.message for p in store.load(gen_root).problems] == [p.message for p in fresh_problems]


@pytest.mark.parametrize("delta_max", [64, 1])
def test_runs_that_skip_the_open_columns_keep_the_index_right(gen_root, monkeypatch, delta_max):
    # `done` loads the index without its open-task columns; when it must save (a delta, or the whole
    # index past DELTA_MAX), what it saves must still give the same columns as a fresh build.
    monkeypatch.setattr(cache, "DELTA_MAX", delta_max)
    cache.load_index(gen_root)
    files = [gen_root / rel for rel, _e in store.scan(gen_root)]
    for i, change in enumerate([lambda: files[2].write_bytes(files[2].read_bytes().replace(b"status: open",
                                                                                          b"status: done", 1)),
                                lambda: files[5].write_bytes(files[5].read_bytes().replace(b"due: 20", b"due: 19", 1)),
                                lambda: files[8].unlink(),
                                lambda: (files[0].parent / "new-9.yaml").write_bytes(files[3].read_bytes())]):
        change()
        _age(gen_root)
        lean = cache.load_index(gen_root, open_tasks=False)
        assert len(lean.due) == 0 and lean.facts() == cache.load_index(gen_root).facts()
    after = cache.load_index(gen_root)
    for f in cache.cache_files(gen_root):
        f.unlink(missing_ok=True)
    fresh = cache.load_index(gen_root)
    assert _open_entries(after) == _open_entries(fresh)
    assert after.directives() == fresh.directives()


def test_unreadable_open_columns_rebuild_the_index(gen_root):
    cache.load_index(gen_root)
    where = cache.cache_file(gen_root)
    with open(where, "rb") as f:
        pickle.load(f), pickle.load(f)
        head_end = f.tell()
    where.write_bytes(where.read_bytes()[:head_end] + b"\x80\x05garbage")     # a good head, then junk
    index = cache.load_index(gen_root, open_tasks=False)
    assert index.facts() and len(index.due) == 0
    damaged = cache.load_index(gen_root)
    for f in cache.cache_files(gen_root):
        f.unlink(missing_ok=True)
    assert _open_entries(damaged) == _open_entries(cache.load_index(gen_root))
