"""The one error boundary (dtrack/cli/boundary.py): every exception becomes one line and its exit
code; usage errors say where the help is; `dtrack` alone prints the help."""
from __future__ import annotations

import os
import subprocess

import pytest
import typer

from conftest import BUNDLED, dtrack_script

from dtrack import errors
from dtrack.cli import boundary


def run(*args, env=None):
    full = {**os.environ, "COLUMNS": "120", **(env or {})}
    proc = subprocess.run([dtrack_script(), *args], env=full, capture_output=True)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def test_dtrack_alone_prints_the_help_and_succeeds(cli):
    code, out, err = run()
    assert (code, err) == (0, "")
    assert out.startswith("Usage: dtrack [OPTIONS] COMMAND [ARGS]...")
    assert out == run("--help")[1]
    assert cli().exit_code == 0


@pytest.mark.parametrize("args, message, command", [
    (["list", "--frob"], "No such option: --frob", "dtrack list"),
    (["frobnicate"], "No such command 'frobnicate'.", "dtrack"),
    (["lst"], "No such command 'lst'. Did you mean 'list'?", "dtrack"),
    (["--frob", "list"], "No such option: --frob", "dtrack"),
    (["show"], "Missing argument 'REF'.", "dtrack show"),
    (["list", "--within"], "Option '--within' requires an argument.", "dtrack list"),
    (["report", "-n", "x"], "No such option: -n", "dtrack report"),
])
def test_a_usage_error_is_one_line_and_a_hint(args, message, command):
    code, out, err = run("--dir", str(BUNDLED), *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"dtrack: error: {message}", f"Try '{command} --help'."]


def test_a_usage_error_through_clirunner_is_the_same(cli):
    result = cli("--dir", str(BUNDLED), "list", "--frob")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["dtrack: error: No such option: --frob", "Try 'dtrack list --help'."]


def test_usage_errors_speak_the_users_language():
    code, _out, err = run("--frob", env={"DTRACK_LANG": "vi"})
    assert code == 2
    assert err.splitlines() == ["dtrack: lỗi: Không có tùy chọn: --frob", "Xem 'dtrack --help'."]


def test_the_users_words_in_a_usage_error_cannot_drive_the_terminal():
    code, _out, err = run("--dir", str(BUNDLED), "list\x1b[31m")
    assert code == 2
    assert "\x1b" not in err and "\\x1b" in err


def test_a_service_error_keeps_its_code_and_the_cli_names_the_option():
    assert run("--dir", str(BUNDLED), "show", "nope#1")[0] == 3
    code, _out, err = run("--dir", str(BUNDLED), "--as-of", "30/02/2024", "list")
    assert code == 2
    assert err.startswith("dtrack: error: --as-of: '30/02/2024' is not a real date.") and err.count("\n") == 1
    code, _out, err = run("list", env={"DTRACK_DIR": "/nonexistent/store"})
    assert code == 2 and err.startswith("dtrack: error: DTRACK_DIR /nonexistent/store: no such folder")


def _raise(exc):
    def call():
        raise exc
    return call


@pytest.mark.parametrize("exc, code", [
    (errors.DtrackError("general"), 1), (errors.UsageError("usage"), 2), (errors.NotFoundError("ref"), 3),
    (errors.DataError("data"), 4), (errors.GitError("git"), 5), (errors.BusyError("busy"), 6),
    (FileNotFoundError(2, "No such file or directory", "a.yaml"), 1), (RuntimeError("boom"), 70),
])
def test_each_exception_becomes_one_line_and_its_exit_code(exc, code, capsys):
    assert boundary.run(_raise(exc), debug=False) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("dtrack: error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_the_messages_of_unexpected_errors(capsys):
    boundary.run(_raise(FileNotFoundError(2, "No such file or directory", "a.yaml")), debug=False)
    assert capsys.readouterr().err == "dtrack: error: a.yaml: No such file or directory\n"
    boundary.run(_raise(RuntimeError("boom")), debug=False)
    assert capsys.readouterr().err == ("dtrack: error: internal error (RuntimeError: boom). "
                                       "Run again with DTRACK_DEBUG=1 to see the traceback, and report it.\n")


def test_debug_lets_an_unexpected_error_through(capsys):
    with pytest.raises(RuntimeError):
        boundary.run(_raise(RuntimeError("boom")), debug=True)
    with pytest.raises(OSError):
        boundary.run(_raise(PermissionError(13, "Permission denied", "x")), debug=True)
    # a user error is never a traceback, even when debugging
    assert boundary.run(_raise(errors.NotFoundError("ref")), debug=True) == 3
    assert capsys.readouterr().err == "dtrack: error: ref\n"


def test_exits_interrupts_and_aborts(capsys):
    assert boundary.run(lambda: None, debug=False) == 0
    assert boundary.run(lambda: 6, debug=False) == 6           # click returns typer.Exit's code
    assert boundary.run(_raise(KeyboardInterrupt()), debug=False) == 130
    assert boundary.run(_raise(typer.Abort()), debug=False) == 1
    assert capsys.readouterr().err == "Aborted!\n"



def test_help_in_every_form_succeeds_and_never_cuts_a_summary(cli):
    alone = cli("--dir", str(BUNDLED))
    assert alone.exit_code == 0 and alone.stdout.startswith("Usage: dtrack [OPTIONS] COMMAND [ARGS]...")
    assert cli("help").stdout == cli("--help").stdout
    listed = cli("help", "list")
    assert listed.exit_code == 0 and listed.stdout.startswith("Usage: dtrack list [OPTIONS]")
    narrow = cli("--help", env={"COLUMNS": "60"}).stdout
    assert "…" not in narrow.split("Commands:")[1]
    assert "command line: one line per problem" not in narrow     # a summary wraps, whole
    assert "the task-level merge driver in this clone (init does it for a new store)." in " ".join(narrow.split())
    unknown = cli("help", "lst")
    assert unknown.exit_code == 2
    assert unknown.stderr == "dtrack: error: no command 'lst'. 'dtrack help' lists them.\n"


def test_a_bad_value_is_one_line_and_a_hint(cli):
    result = cli("--dir", str(BUNDLED), "log", "-n", "many")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["dtrack: error: Invalid value for '-n' / '--limit': 'many' is not a valid "
                                          "int.", "Try 'dtrack log --help'."]
