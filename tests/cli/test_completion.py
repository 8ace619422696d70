"""Shell completion: the scripts, and what dtrack answers when a shell asks (commands, options,
references from the index, agency names), importing only the command being completed."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED

BO_SUNG = "2024-07-17-bo-sung-kinh-phi"


def _complete(*words: str, shell: str = "bash", store=BUNDLED) -> list[str]:
    from dtrack.cli.app import app
    line = " ".join(("dtrack", *words))
    env = {"_DTRACK_COMPLETE": f"complete_{shell}", "DTRACK_DIR": str(store)}
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words))}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = CliRunner().invoke(app, [], env=env, prog_name="dtrack")
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_prints_each_shells_script(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0 and "_DTRACK_COMPLETE" in result.stdout and "dtrack" in result.stdout


def test_an_unknown_shell_is_one_usage_line(cli):
    result = cli("completion", "tcsh")
    assert result.exit_code == 2
    assert result.stderr == "dtrack: error: no completion for the shell 'tcsh'; there are: bash, zsh, fish, powershell\n"


def test_commands_options_references_and_agencies():
    assert _complete("li") == ["list"]
    assert "--agency" in _complete("list", "--ag")
    assert _complete("done", f"{BO_SUNG[:14]}") == [BO_SUNG + f"#{n}" for n in (1, 2, 3)]
    assert _complete("done", "1502#") == [f"1502-UBND-KGVX#{n}" for n in (1, 2, 3, 4)]
    assert _complete("show", "2024-07") == [BO_SUNG, *(BO_SUNG + f"#{n}" for n in (1, 2, 3))]
    assert _complete("add-task", "2024-07") == [BO_SUNG]
    assert _complete("list", "--agency", "STT") == ["STTTT"]
    assert "'Sở Tài chính'" in _complete("list", "--agency", "so t")          # bash inserts it quoted
    assert "Sở Tài chính" in _complete("list", "--agency", "so", shell="fish")
    assert any(BO_SUNG + "#2" in line for line in _complete("done", BO_SUNG, shell="zsh"))


def test_done_completes_open_tasks_only(cli, repo):
    assert cli("done", f"{BO_SUNG}#2", cwd=repo).exit_code == 0
    store = repo / "directives"
    assert _complete("done", f"{BO_SUNG}#", store=store) == [BO_SUNG + "#1", BO_SUNG + "#3"]
    assert _complete("reopen", f"{BO_SUNG}#", store=store) == [BO_SUNG + f"#{n}" for n in (1, 2, 3)]


def test_outside_a_store_completion_offers_nothing(tmp_path):
    assert _complete("done", "15", store=tmp_path / "none") == []


def test_a_completion_imports_only_the_command_being_completed():
    code = ("import sys\nfrom dtrack.cli.app import main\nsys.argv = ['dtrack']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('dtrack.cli.')), file=sys.stderr)\n")
    env = {**os.environ, "_DTRACK_COMPLETE": "complete_bash", "COMP_WORDS": "dtrack done 1502#",
           "COMP_CWORD": "2", "DTRACK_DIR": str(BUNDLED)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == [f"1502-UBND-KGVX#{n}" for n in (1, 2, 3, 4)]
    loaded = eval(proc.stderr.strip().splitlines()[-1])
    assert "dtrack.cli.tasks" in loaded
    assert not {"dtrack.cli.lifecycle", "dtrack.cli.supervise", "dtrack.cli.sync", "dtrack.cli.export",
                "dtrack.cli.importing"} & set(loaded)


@pytest.mark.slow
def test_a_reference_prefix_of_a_10000_directive_store_is_answered_fast(tmp_path):
    """The index's part of a completion (benchmarks/bench_completion.py times the whole process)."""
    from gen_store import generate
    from dtrack.store.collection import Collection
    count = 2000 if os.environ.get("DTRACK_STRESS_SHORT") else 10000
    generate(str(tmp_path / "d"), count, seed=1)
    # Files written in the last 2 s are re-read every time (store/index.py): these were written an hour ago.
    hour_ago = time.time() - 3600
    for path in (tmp_path / "d").rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    Collection(tmp_path / "d").registry        # builds the index, as the first `dtrack list` does
    start = time.perf_counter()
    # What a completion does in its process: open the index, check every file's stat, ask.
    refs = Collection(tmp_path / "d").ref_prefixes("1005-", tasks_only=True, status="open")
    elapsed = time.perf_counter() - start
    assert refs and all(r.startswith("1005-") for r in refs)
    assert elapsed <= 0.15, elapsed
