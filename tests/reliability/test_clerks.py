"""Four clerks, one store, a real git server (issue 17): each clerk on its own clone, served by
`git daemon` on the loopback address, makes random changes to the SAME tasks and syncs after each.
The run is benchmarks/sync_clerks.py; its long form and figures are in docs/reliability.md."""
from __future__ import annotations

import os

import pytest

import sync_clerks


@pytest.mark.slow
def test_four_clerks_on_the_same_tasks_lose_nothing_and_review_counts_what_they_did(tmp_path):
    rounds = 3 if os.environ.get("DTRACK_STRESS_SHORT") else 8
    f = sync_clerks.run(clerks=4, rounds=rounds, tasks=3, seed=5, daemon=True, tmp=tmp_path)
    assert f["changes"] > 0 and not f["sync_failures"], f
    # Nothing lost: every change is on the server, or was part of a conflict that resolve settled, or is
    # the very change another clerk pushed first.
    assert not f["lost"] and len(f["replaced_by_resolve"]) <= f["conflicts"] == f["resolved"], f
    assert f["check_exit"] == 0, f["check_output"]
    assert not f["marker_committed"]
    # review --each of the server's history counts exactly what the clerks' own logs count.
    assert f["review_exit"] == 0
    assert f["logged_changes_matched"] == f["changes_on_server"] and not f["mismatched"], f
    assert not f["review_entries_no_clerk_did"], f
