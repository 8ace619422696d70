"""An interrupted change that creates several files (init) is finished by the next command, even when
the kill came while a new file was being written: git cannot have put back a file it never had."""
from __future__ import annotations

from conftest import git

from dtrack.store import journal


def _entry(repo, rel, data):
    return journal.Entry(repo / rel, rel, None, data, data, None)


def test_a_new_file_whose_write_was_under_way_is_written_and_the_change_committed(repo):
    root = repo / "directives"
    a, b = _entry(repo, "directives/settings.yaml", b"version: 1\n"), _entry(repo, ".gitignore", b"dtrack.ics\n")
    record = journal.begin(root, repo, "init: a directive store\n\nDtrack-Action: init", [a, b])
    a.path.write_bytes(a.after)                  # the first file written,
    journal.started(root, record, 2)             # the second's write under way when the process died
    said = journal.recover(root)
    assert said and said[0].startswith("finished an interrupted dtrack change: init: a directive store")
    assert b.path.read_bytes() == b"dtrack.ics\n"
    assert git(repo, "status", "--porcelain") == ""
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == [".gitignore",
                                                                                     "directives/settings.yaml"]


def test_an_existing_file_put_back_while_its_write_was_under_way_still_drops_the_change(repo):
    root = repo / "directives"
    rel = next(p for p in root.rglob("*.yaml") if p.name != "agencies.yaml").relative_to(repo).as_posix()
    old = (repo / rel).read_bytes()
    e = journal.Entry(repo / rel, rel, old, old + b"# x\n", old + b"# x\n", old)
    journal.begin(root, repo, "done x\n\nDtrack-Action: done", [e])
    head = git(repo, "rev-parse", "HEAD")
    said = journal.recover(root)                 # its old bytes: written and put back, or not written: dropped
    assert said and "was dropped" in said[0]
    assert (repo / rel).read_bytes() == old and git(repo, "rev-parse", "HEAD") == head
