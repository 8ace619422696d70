"""Shared test fixtures: real files, real git repositories in temp folders, a fixed today."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "directives"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
sys.path.insert(0, str(REPO / "benchmarks"))

TODAY = "2024-07-20"


@pytest.fixture(autouse=True)
def _fixed_environment(monkeypatch, tmp_path):
    """No test reads the wall clock or the developer's settings, or writes the user's cache folder."""
    monkeypatch.setenv("DTRACK_TODAY", TODAY)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    for name in ("DTRACK_DIR", "DTRACK_LANG", "DTRACK_DEBUG", "NO_COLOR", "FORCE_COLOR", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")       # the system's language is English whatever the developer's
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Văn thư Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "clerk@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Văn thư Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "clerk@example.org")
    from dtrack import i18n
    i18n.reset()


def git(repo: Path, *args: str) -> str:
    # Bytes, decoded by hand: text mode would turn CRLF into LF and hide line-ending changes.
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True).stdout.decode("utf-8")


def make_repo(root: Path, directives_src: Path = BUNDLED) -> Path:
    """A git repository at `root` whose directives/ is a copy of `directives_src`, committed."""
    shutil.copytree(directives_src, root / "directives")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Văn thư Test")
    git(root, "config", "user.email", "clerk@example.org")
    git(root, "config", "core.autocrlf", "false")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial store")
    return root


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "office")


@pytest.fixture
def store_dir(repo) -> Path:
    return repo / "directives"


class Cli:
    def __init__(self):
        from dtrack.cli.app import app
        self.app = app
        self.runner = CliRunner()

    def __call__(self, *args: str, cwd: Path | None = None, env: dict | None = None):
        old = os.getcwd()
        if cwd:
            os.chdir(cwd)
        try:
            return self.runner.invoke(self.app, list(args), env=env, catch_exceptions=False)
        finally:
            os.chdir(old)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def dtrack_script() -> str:
    """The installed console script next to this interpreter."""
    folder = Path(sys.executable).parent
    for name in ("dtrack", "dtrack.exe"):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which("dtrack")
    if not found:
        pytest.fail("the dtrack script is not installed: pip install -e '.[test]'")
    return found


# Hypothesis profiles (registered here so that `--hypothesis-profile=long` works on the command line):
# "ci" is the default and keeps the fuzz tests within ~15 s; "long" is the stress run of docs/reliability.md.
try:
    from hypothesis import HealthCheck, settings as _hsettings
except ImportError:           # pragma: no cover - hypothesis is in the test extras
    pass
else:
    _common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    _hsettings.register_profile("ci", max_examples=60, derandomize=True, **_common)
    _hsettings.register_profile("long", max_examples=3000, **_common)
    _hsettings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
