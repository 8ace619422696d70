"""With a real second process holding `.git/dtrack/lock`, every writing command waits, then stops with
exit 6 and a one-line message, having written nothing (the tree byte-identical) and committed nothing.

Each command runs as the installed `dtrack` script in its own process, so this is what a clerk sees
when a colleague's dtrack (or a long `import`) is changing the store.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, dtrack_script, git

STEM = "2022-02-14-nhiem-vu-trong-tam"
EDITOR_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    path = Path(sys.argv[-1])
    path.write_bytes(path.read_bytes().replace(b"status: open", b"status: open  # edited", 1))
""")

WRITERS = {
    "done": ["done", f"{STEM}#1"],
    "reopen": ["reopen", f"{STEM}#9"],        # done by the setup below, before the lock is taken
    "extend": ["extend", f"{STEM}#1", "--to", "31/12/2024", "--reason", "Công văn 12/STTTT"],
    "cancel": ["cancel", f"{STEM}#2", "--reason", "Không còn phù hợp"],
    "add": ["add", "--number", "77/UBND-KT", "--kind", "cong-van", "--issuer", "UBND tỉnh Quảng Ngãi",
            "--issued", "01/07/2024", "--title", "Về việc báo cáo"],
    "add-task": ["add-task", STEM, "--text", "Báo cáo kết quả", "--lead", "STC"],
    "edit": ["edit", f"{STEM}#1"],
    "import": ["import", str(REPO / "tests/fixtures/import/cong-van-de-nghi.txt")],
    "init": ["init", "."],
}


def _tree(root: Path) -> dict[str, bytes]:
    """Every file outside git's folder, and the few inside it that a command could change."""
    files = {}
    for folder, dirs, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        if rel == ".git":
            dirs[:] = [d for d in dirs if d in ("hooks", "refs")]
            names = [n for n in names if n in ("HEAD", "index")]
        for name in names:
            path = Path(folder) / name
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def _hold_store_lock(root: Path) -> subprocess.Popen:
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from dtrack.store.lock import store_lock
        with store_lock(Path({str(root)!r})):
            print("locked", flush=True)
            sys.stdin.read()
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdout.readline() == b"locked\n"
    return p


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> str:
    script = tmp_path_factory.mktemp("editor") / "edit.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    return f'"{sys.executable}" "{script}"'


@pytest.mark.parametrize("command", list(WRITERS))
def test_every_writing_command_waits_for_the_store_lock_then_stops_with_exit_6(command, repo, editor):
    env = {**os.environ, "DTRACK_LOCK_TIMEOUT": "0.3", "EDITOR": editor, "VISUAL": ""}
    if command == "reopen":
        setup = subprocess.run([dtrack_script(), "done", f"{STEM}#9"], cwd=repo, env=env, capture_output=True)
        assert setup.returncode == 0, setup.stderr
    head, tree = git(repo, "rev-parse", "HEAD"), _tree(repo)
    holder = _hold_store_lock(repo / "directives")
    try:
        proc = subprocess.run([dtrack_script(), *WRITERS[command]], cwd=repo, env=env, capture_output=True,
                              timeout=60)
    finally:
        holder.communicate(b"")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 6, (proc.stdout, err)
    assert err.startswith("dtrack: error: another dtrack is changing this store (waited 0.3 s for "), err
    assert len(err.strip().split("\n")) == 1, err
    assert _tree(repo) == tree
    assert git(repo, "rev-parse", "HEAD") == head
    # Once the lock is free the same command goes through: the test above refused for the lock alone.
    proc = subprocess.run([dtrack_script(), *WRITERS[command]], cwd=repo, env=env, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert _tree(repo) != tree
