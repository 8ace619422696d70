"""dtrack installs the way people install it: the distribution dtrack-vn, its LICENSE, one version.

The default run checks the hints (every place a user reads one, the catalogue too), the pinned tags
and the release check (version, changelog, tag). The slow tests build the wheel and the sdist, run
each installed in a fresh virtualenv, install from an offline wheelhouse with pip and with pipx
(no index, no pip configuration) following dtrack's own error message for a missing extra, and
check the Windows wheelhouse complete for Windows (docs/install.md's commands, word for word).
"""
from __future__ import annotations

import functools
from email.parser import HeaderParser
import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import BUNDLED, REPO, dtrack_script, make_repo

import dtrack

DIST = "dtrack-vn"
VERSION = dtrack.__version__
# The first tag whose tree builds dtrack-vn: v0.1.0 was never made, and its tree was named `dtrack`,
# so `dtrack-vn @ git+...@v0.1.0` cannot install.
FIRST_TAG = (0, 2, 0)
# pip options followed by a value that is not a requirement.
_VALUE_OPTIONS = {"-e", "--editable", "-d", "--dest", "-w", "--wheel-dir", "-f", "--find-links", "-r",
                  "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                  "--platform", "--python-version", "--python"}
_HINT = re.compile(r"\b(pipx|pip3?)\s+(install|inject|download|wheel)\b([^\n`()#;|,&']*(?:'[^'\n]*'[^\n`()#;|,&']*)*)")


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _run(*args, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, encoding="utf-8", **kw)
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


# ----------------------------------------------------------------------------- one version

def release_problems(root: Path) -> list[str]:
    """What keeps the checkout at `root` from being a release: the version of `dtrack/__init__.py`,
    CHANGELOG.md's newest released heading and a `v*` tag on HEAD must agree (docs/releasing.md)."""
    init = (root / "dtrack" / "__init__.py").read_text(encoding="utf-8")
    version = re.search(r'^__version__ = "([^"]+)"$', init, re.M)[1]
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.M)
    if not headings or headings[0][0] != "Unreleased":
        return ["CHANGELOG.md starts with an ## [Unreleased] section"]
    problems, released = [], []
    for name, rest in headings[1:]:
        day = re.fullmatch(r" - (\d{4}-\d\d-\d\d)", rest)
        if not re.fullmatch(r"\d+\.\d+\.\d+", name) or not day:
            problems.append(f"CHANGELOG.md heading [{name}]{rest} is not '[X.Y.Z] - YYYY-MM-DD'")
            continue
        released.append((tuple(map(int, name.split("."))), day[1]))
    if not released:
        return problems + ["CHANGELOG.md has no released version"]
    newest = ".".join(map(str, released[0][0]))
    if version != newest:
        problems.append(f"dtrack/__init__.py says {version}, CHANGELOG.md's newest release is {newest}")
    if released != sorted(released, reverse=True) or [d for _, d in released] != sorted((d for _, d in released),
                                                                                      reverse=True):
        problems.append("CHANGELOG.md lists releases newest first")
    if (root / ".git").exists():
        tags = subprocess.run(["git", "tag", "--points-at", "HEAD", "--list", "v*"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.split()
        for tag in tags:
            if tag != f"v{version}":
                problems.append(f"HEAD is tagged {tag} but the version is {version}")
            kind = subprocess.run(["git", "cat-file", "-t", f"refs/tags/{tag}"], cwd=root, capture_output=True,
                                  text=True, check=True).stdout.strip()
            if kind != "tag":
                problems.append(f"{tag} is a lightweight tag: make it with git tag -a")
    return problems


def test_version_changelog_and_tag_agree():
    assert not release_problems(REPO), "see docs/releasing.md"
    try:
        installed = importlib.metadata.version(DIST)
    except importlib.metadata.PackageNotFoundError:
        installed = None                     # an environment made before the rename installed `dtrack`
    assert installed == VERSION, f"the installed {DIST} is {installed}, not {VERSION}: pip install -e '.[test]' again"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_the_release_check_fails_when_tag_version_and_changelog_disagree(tmp_path):
    # A throwaway repository with the two files the check reads, tagged as a release would be.
    root = tmp_path / "clone"
    (root / "dtrack").mkdir(parents=True)
    shutil.copy(REPO / "dtrack" / "__init__.py", root / "dtrack")
    shutil.copy(REPO / "CHANGELOG.md", root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "release")
    assert release_problems(root) == []
    _git(root, "tag", "-a", f"v{VERSION}", "-m", f"dtrack {VERSION}")
    assert release_problems(root) == []
    _git(root, "tag", "-a", "v9.9.9", "-m", "a wrong tag")
    assert release_problems(root) == [f"HEAD is tagged v9.9.9 but the version is {VERSION}"]
    _git(root, "tag", "-d", "v9.9.9")
    _git(root, "tag", "-d", f"v{VERSION}")
    _git(root, "tag", f"v{VERSION}")
    assert release_problems(root) == [f"v{VERSION} is a lightweight tag: make it with git tag -a"]
    # The version bumped without its changelog section.
    init = root / "dtrack" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace(f'"{VERSION}"', '"9.9.9"'), encoding="utf-8")
    assert release_problems(root)[0] == f"dtrack/__init__.py says 9.9.9, CHANGELOG.md's newest release is {VERSION}"
    changelog = root / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace("## [Unreleased]", "## Unreleased"),
                         encoding="utf-8")
    assert release_problems(root) == ["CHANGELOG.md starts with an ## [Unreleased] section"]


def test_python_dash_m_from_the_folder_that_holds_a_checkout(tmp_path):
    # ~/src holding the checkout ~/src/dtrack: Python must not take that folder for the package.
    (tmp_path / "dtrack").mkdir()
    (tmp_path / "dtrack" / "README.md").write_text("a checkout\n", encoding="utf-8")
    proc = _run(sys.executable, "-m", "dtrack", "--version", cwd=tmp_path)
    assert proc.stdout == f"dtrack {VERSION}\n"
    # The editable install's script too (from the checkout itself: tests/cli/test_script.py).
    assert _run(dtrack_script(), "--version", cwd=tmp_path).stdout == f"dtrack {VERSION}\n"


# ----------------------------------------------------------------------------- hints name dtrack-vn

@functools.cache
def _hint_texts() -> list[tuple[str, str]]:
    """(place, text) of everything a user reads: the READMEs, the changelog, the docs, the code's
    messages, and each catalogue entry, its English and its translation apart (read as gettext does)."""
    from babel.messages.pofile import read_po
    from dtrack.locales.compile import catalogues
    files = [REPO / "README.md", REPO / "README.vi.md", REPO / "CHANGELOG.md", REPO / ".pre-commit-hooks.yaml",
             REPO / ".ci" / "run", *sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "dtrack").rglob("*.py"))]
    texts = [(f.relative_to(REPO).as_posix(), f.read_text(encoding="utf-8")) for f in files
             if "__pycache__" not in f.parts]
    for po in catalogues():
        place = po.relative_to(REPO).as_posix()
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id and message.string:
                    texts.append((f"{place} msgid", str(message.id)))
                    texts.append((f"{place} msgstr", str(message.string)))
    return texts


def _extras() -> dict[str, list[str]]:
    """Each extra of the installed metadata (but the test one) and the libraries it brings."""
    metadata = importlib.metadata.metadata(DIST)
    extras = {extra: [] for extra in metadata.get_all("Provides-Extra") if extra != "test"}
    for line in metadata.get_all("Requires-Dist"):
        req = Requirement(line)
        for extra, libs in extras.items():
            if req.marker and "extra" in str(req.marker) and req.marker.evaluate({"extra": extra}):
                libs.append(canonicalize_name(req.name))
    return {extra: sorted(libs) for extra, libs in extras.items()}


# Packages the hints may name besides ours: the extras' libraries, and the tools of the install paths
# (colorama: typer's Windows-only need, named in the Windows wheelhouse; matplotlib: the benchmarks' plot).
TOOLS = {"pip", "pipx", "build", "twine", "colorama", "matplotlib"}


def _named_packages(tool: str, verb: str, rest: str) -> list[str]:
    """The distributions an install hint names (paths, URLs, wheel files of ours and options left out)."""
    tokens = [tok.strip("'\"") for tok in rest.split()]
    names, skip = [], False
    for tok in tokens:
        if skip:
            skip = False
            continue
        if tok in _VALUE_OPTIONS:
            skip = True
            continue
        if not tok or tok.startswith("-") or tok in ("...", "@", "\\") or "://" in tok or tok.startswith("git+"):
            continue
        if tok.startswith((".", "/", "~")) or "\\" in tok or "/" in tok:
            continue                         # a checkout folder or a path
        base = re.sub(r"\[.*\]$", "", tok)
        if base.endswith((".whl", ".tar.gz")):
            names.append(DIST if base.startswith("dtrack_vn-") else base)
            continue
        name = re.match(r"[A-Za-z0-9._-]+", tok)
        names.append(canonicalize_name(name[0]) if name else tok)
    if tool == "pipx" and verb == "inject":
        assert names and names[0] == DIST, f"pipx inject into {names[:1]}"
    return names


def test_every_install_hint_names_our_distribution():
    allowed = {DIST, *TOOLS, *(lib for libs in _extras().values() for lib in libs)}
    found = {}
    for place, text in _hint_texts():
        for m in _HINT.finditer(text):
            for name in _named_packages(m[1], m[2], m[3]):
                found.setdefault(name, []).append(f"{place}: {m[0].strip()}")
    strangers = {name: where for name, where in found.items() if name not in allowed}
    assert not strangers, f"install hints name distributions that are not ours: {strangers}"
    # The old name with an extra, whatever tool it is given to (uv add, poetry add, a requirements line).
    old_name = [f"{place}: {m[0]}" for place, text in _hint_texts() for m in re.finditer(r"(?<![\w.-])dtrack\[\w+\]", text)]
    assert not old_name, f"the extra of a distribution that is not ours: {old_name}"
    hinted = "\n".join(found.get(DIST, []))
    for place in ("README.md", "README.vi.md", "docs/install.md", "dtrack/importer/doctext.py",
                  "dtrack/locales/vi/LC_MESSAGES/dtrack.po msgstr"):
        assert f"{place}: " in hinted, f"{place} gives no install hint naming {DIST}"


# A message's two routes for one extra: `pip install "dtrack-vn[X]"` ... `pipx inject dtrack-vn LIB ...`.
_ROUTES = re.compile(r'pip install "dtrack-vn\[(\w+)\]".{0,80}?pipx inject dtrack-vn((?: [A-Za-z][\w.-]*)+)', re.S)


def test_every_extra_has_a_message_with_its_pip_and_pipx_routes():
    extras = _extras()
    assert {"docx", "xlsx", "pdf", "import"} <= set(extras)
    routes = {}
    for place, text in _hint_texts():
        for m in _ROUTES.finditer(text):
            assert m[1] in extras, f"{place}: {m[0]}: there is no extra [{m[1]}]"
            injected = sorted(canonicalize_name(lib) for lib in m[2].split())
            assert injected == extras[m[1]], f"{place}: {m[0]}: [{m[1]}] brings {extras[m[1]]}"
            routes.setdefault(m[1], set()).add(place.split(" ")[0])
    for extra in extras:
        code = {place for place in routes.get(extra, ()) if place.startswith("dtrack/") and place.endswith(".py")}
        assert code, f"no message of dtrack/ says how to install [{extra}], with pip and under pipx"
        assert "dtrack/locales/vi/LC_MESSAGES/dtrack.po" in routes[extra], f"no Vietnamese message for [{extra}]"


def test_translations_keep_the_install_commands_word_for_word():
    texts = _hint_texts()
    pairs = [(texts[i][0], texts[i][1], texts[i + 1][1]) for i, (place, _) in enumerate(texts) if
             place.endswith(" msgid")]
    checked = 0
    for place, english, translated in pairs:
        for m in _HINT.finditer(english):
            assert m[0].strip() in translated, f"{place} {english!r}: the translation changes {m[0].strip()!r}"
            checked += 1
    assert checked >= 6


def test_pinned_tags_are_releases_named_dtrack_vn():
    pins = []
    for place, text in _hint_texts():
        for m in re.finditer(r"(?:@|rev: )v(\d+)\.(\d+)\.(\d+)\b", text):
            pins.append(m[0])
            assert tuple(map(int, m.groups())) >= FIRST_TAG, f"{place}: {m[0]} builds no dtrack-vn (docs/releasing.md)"
    assert pins


def test_the_hint_checker_catches_the_old_name():
    m = _HINT.search("reading .docx needs python-docx: pip install 'dtrack[docx]'")
    assert _named_packages(m[1], m[2], m[3]) == ["dtrack"]
    m = _HINT.search('`pip install --no-index --find-links wheelhouse "dtrack-vn[import]"`')
    assert _named_packages(m[1], m[2], m[3]) == [DIST]
    m = _HINT.search("python3 -m pip3 install dtrack")
    assert _named_packages(m[1], m[2], m[3]) == ["dtrack"]


# ----------------------------------------------------------------------------- the wheel, installed

def _source_copy(dest: Path) -> Path:
    """The working tree without its builds, environments and caches (the build must not write in it)."""
    junk = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                  ".pytest_cache", ".hypothesis", "_stores", "_work", "wheelhouse")
    shutil.copytree(REPO, dest, ignore=junk)
    return dest


_NETWORK = ("NewConnectionError", "Max retries exceeded", "Temporary failure in name resolution",
            "Network is unreachable", "ConnectTimeout", "ReadTimeout", "No route to host")


def _from_the_index(*argv) -> None:
    """A step that needs the package index (or pip's cache): the test is skipped, with pip's reason,
    without it."""
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, encoding="utf-8")
    if proc.returncode and any(word in proc.stderr + proc.stdout for word in _NETWORK):
        pytest.skip(f"no package index reachable: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, f"{argv}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def _pip_from_the_index(*args) -> None:
    _from_the_index(sys.executable, "-m", "pip", *args)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, built once as a release builds them, from a copy of the working tree."""
    tmp = tmp_path_factory.mktemp("release")
    src = _source_copy(tmp / "src")
    dist = tmp / "dist"
    # The default build makes the sdist, then the wheel from the unpacked sdist: the sdist is complete.
    _from_the_index(sys.executable, "-m", "build", "--outdir", dist, src)      # setuptools for its build
    return {"src": src, "dist": dist, "wheel": dist / f"dtrack_vn-{VERSION}-py3-none-any.whl",
            "sdist": dist / f"dtrack_vn-{VERSION}.tar.gz"}


def _fresh_venv(where: Path) -> Path:
    # Without a pip of its own (ensurepip costs seconds): this pip installs into it.
    _run(sys.executable, "-m", "venv", "--without-pip", where)
    return _bin(where, "python.exe" if os.name == "nt" else "python")


def _runs_as_installed(venv: Path, where: Path) -> None:
    """`dtrack --version` and `python -m dtrack --version` from a folder that is not a source tree."""
    where.mkdir(exist_ok=True)
    python = _bin(venv, "python.exe" if os.name == "nt" else "python")
    assert _run(_bin(venv, "dtrack.exe" if os.name == "nt" else "dtrack"), "--version", cwd=where).stdout == \
        f"dtrack {VERSION}\n"
    assert _run(python, "-m", "dtrack", "--version", cwd=where).stdout == f"dtrack {VERSION}\n"
    origin = _run(python, "-c", "import dtrack; print(dtrack.__file__)", cwd=where).stdout.strip()
    assert Path(origin).is_relative_to(venv), origin


@pytest.mark.slow          # ~10 s, and ~12 s to build: .ci/run runs the slow tests after the default suite
def test_wheel_and_sdist_build_and_the_wheel_runs_from_a_fresh_virtualenv(built, tmp_path):
    dist, wheel, sdist = built["dist"], built["wheel"], built["sdist"]
    assert sorted(p.name for p in dist.iterdir()) == sorted([wheel.name, sdist.name])
    licence = (REPO / "LICENSE").read_bytes()
    with zipfile.ZipFile(wheel) as z:
        info = f"dtrack_vn-{VERSION}.dist-info"
        assert z.read(f"{info}/licenses/LICENSE") == licence
        metadata = z.read(f"{info}/METADATA").decode("utf-8")
        packaged = sorted(n for n in z.namelist() if n.startswith("dtrack/"))
    # Every file of the package is in the wheel: a data file that package-data's patterns miss would
    # be absent from every install but an editable one.
    tracked = subprocess.run(["git", "ls-files", "dtrack"], cwd=REPO, capture_output=True, text=True, check=True)
    assert sorted(set(tracked.stdout.split()) - set(packaged)) == []
    for line in (f"Name: {DIST}", f"Version: {VERSION}", "License-Expression: MIT", "License-File: LICENSE"):
        assert f"\n{line}\n" in metadata, line
    with tarfile.open(sdist) as tar:
        assert tar.extractfile(f"dtrack_vn-{VERSION}/LICENSE").read() == licence
        names = tar.getnames()
    # What a reader of the sdist follows from the README is in it; half a test suite is not.
    for name in ("CHANGELOG.md", "README.vi.md", "docs/install.md", "docs/releasing.md"):
        assert f"dtrack_vn-{VERSION}/{name}" in names, name
    assert not [n for n in names if n.startswith(f"dtrack_vn-{VERSION}/tests/")]

    venv = tmp_path / "venv"
    python = _fresh_venv(venv)
    _pip_from_the_index("--python", python, "install", "-q", wheel)
    where = tmp_path / "elsewhere"               # not the source tree, so only the installed package can run
    _runs_as_installed(venv, where)
    directives = shutil.copytree(BUNDLED, tmp_path / "office" / "directives")
    listing = _run(_bin(venv, "dtrack.exe" if os.name == "nt" else "dtrack"), "--as-of", "20/07/2024", "--dir",
                   directives, "list", "-f", "table", cwd=where, env={**os.environ, "COLUMNS": "100"}).stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert listing == readme.split("$ dtrack --as-of 20/07/2024 list\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow          # ~14 s: the sdist built into a wheel by pip, as `pip install dtrack_vn-X.Y.Z.tar.gz` does
def test_the_sdist_installs_and_runs(built, tmp_path):
    venv = tmp_path / "venv"
    _pip_from_the_index("--python", _fresh_venv(venv), "install", "-q", built["sdist"])
    _runs_as_installed(venv, tmp_path / "elsewhere")


# ----------------------------------------------------------------------------- without internet

def _offline() -> dict[str, str]:
    """The test's environment without pip's configuration (this machine's index and find-links):
    with it and --no-index, pip sees the wheelhouse and nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PIPX_"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull}


def _documented(command: str) -> str:
    text = (REPO / "docs" / "install.md").read_text(encoding="utf-8")
    assert command in text, f"docs/install.md no longer says {command!r}: test what it says"
    return command


_DOCX = REPO / "tests" / "fixtures" / "devset" / "f02-cong-van-kinh-gui.docx"


def _import_docx(script: Path, store: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(script), "--dir", str(store), "import", str(_DOCX), "--yes", "--no-commit"],
                          capture_output=True, text=True, encoding="utf-8", env=env)


def _hinted(script: Path, store: Path, env: dict, route: str) -> list[str]:
    """The command that the one-line error of a .docx import without python-docx gives for `route`."""
    proc = _import_docx(script, store, env)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    command = re.search(route, proc.stderr)
    assert command, proc.stderr
    return shlex.split(command[0])


@pytest.mark.slow          # ~50 s: the wheelhouse, then pip and pipx installing from it with no index
def test_offline_wheelhouse_installs_with_pip_and_with_pipx_and_the_hints_work_there(built, tmp_path):
    wheelhouse = tmp_path / "wheelhouse"
    # docs/install.md's commands, from the checkout (pip wheel) and for pipx (pip download).
    _documented('pip wheel ".[import]" -w wheelhouse')
    _pip_from_the_index("wheel", "-q", f"{built['src']}[import]", "-w", wheelhouse)
    _documented("pip download pip pipx -d wheelhouse")
    _pip_from_the_index("download", "-q", "pip", "pipx", "-d", wheelhouse)
    assert (wheelhouse / built["wheel"].name).exists()
    offline = ["--no-index", "--find-links", str(wheelhouse)]
    env = _offline()

    # pip: dtrack alone, then the extra its error message names, then the documented [import].
    venv = tmp_path / "venv"
    pip = [sys.executable, "-m", "pip", "--python", _fresh_venv(venv)]
    _run(*pip, "install", "-q", *offline, DIST, env=env)
    _runs_as_installed(venv, tmp_path / "elsewhere")
    store = make_repo(tmp_path / "office-pip") / "directives"
    script = _bin(venv, "dtrack.exe" if os.name == "nt" else "dtrack")
    hint = _hinted(script, store, env, r'pip install "dtrack-vn\[docx\]"')
    _run(*pip, *hint[1:2], "-q", *offline, *hint[2:], env=env)
    assert _import_docx(script, store, env).returncode == 0
    _documented('.venv/bin/pip install --no-index --find-links wheelhouse "dtrack-vn[import]"')
    _run(*pip, "install", "-q", *offline, "dtrack-vn[import]", env=env)
    _run(_bin(venv, "python"), "-c", "import docx, pypdf", env=env)

    # pipx itself from the wheelhouse, then dtrack, then what the error message says under pipx.
    _documented("python3 -m pip install --user --no-index --find-links wheelhouse pipx")
    tools = _fresh_venv(tmp_path / "pipx-venv")
    _run(sys.executable, "-m", "pip", "--python", tools, "install", "-q", *offline, "pipx", env=env)
    home = {"PIPX_HOME": tmp_path / "pipx", "PIPX_BIN_DIR": tmp_path / "bin", "PIPX_MAN_DIR": tmp_path / "man"}
    env = {**env, **{k: str(v) for k, v in home.items()}}
    pip_args = "--pip-args=" + " ".join(offline)
    _documented('python3 -m pipx install dtrack-vn --pip-args="--no-index --find-links wheelhouse"')
    _run(tools, "-m", "pipx", "install", DIST, pip_args, env=env)
    script = home["PIPX_BIN_DIR"] / ("dtrack.exe" if os.name == "nt" else "dtrack")
    assert _run(script, "--version", env=env).stdout == f"dtrack {VERSION}\n"
    store = make_repo(tmp_path / "office-pipx") / "directives"
    hint = _hinted(script, store, env, r"pipx inject dtrack-vn python-docx")
    _run(tools, "-m", *hint, pip_args, env=env)
    assert _import_docx(script, store, env).returncode == 0
    _documented('python3 -m pipx inject dtrack-vn python-docx pypdf --pip-args="--no-index --find-links wheelhouse"')
    _run(tools, "-m", "pipx", "inject", DIST, "python-docx", "pypdf", pip_args, env=env)
    pipx_python = _bin(home["PIPX_HOME"] / "venvs" / DIST, "python")
    assert _run(pipx_python, "-m", "dtrack", "--version", cwd=tmp_path, env=env).stdout == f"dtrack {VERSION}\n"
    _run(pipx_python, "-c", "import docx, pypdf", env=env)


# What pip reads a requirement's markers against on the clerks' Windows computers.
_WINDOWS = {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
            "python_version": "3.12", "python_full_version": "3.12.7", "implementation_name": "cpython",
            "platform_python_implementation": "CPython"}


def _missing_for(wheelhouse: Path, roots: list[str], markers: dict[str, str]) -> list[str]:
    """What an install of `roots` from the folder alone would not find, markers read for the target."""
    from packaging.utils import parse_wheel_filename
    wheels = {parse_wheel_filename(w.name)[0]: w for w in wheelhouse.glob("*.whl")}
    missing, seen, todo = [], set(), [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if (name, tuple(sorted(req.extras))) in seen:
            continue
        seen.add((name, tuple(sorted(req.extras))))
        wheel = wheels.get(name)
        version = parse_wheel_filename(wheel.name)[1] if wheel else None
        if wheel is None or not req.specifier.contains(version, prereleases=True):
            missing.append(name)
            continue
        with zipfile.ZipFile(wheel) as z:
            meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode("utf-8")
        for line in HeaderParser().parsestr(meta).get_all("Requires-Dist") or []:    # some are CRLF
            dep = Requirement(line.strip())
            if dep.marker is None or any(dep.marker.evaluate({**markers, "extra": e}) for e in (*req.extras, "")):
                todo.append(dep)
    return sorted(missing)


@pytest.mark.slow          # ~6 s of downloading (or pip's cache)
def test_windows_wheelhouse_made_off_windows_is_complete_for_windows(built, tmp_path):
    from packaging.tags import compatible_tags, cpython_tags
    from packaging.utils import parse_wheel_filename
    command = _documented('pip download "dtrack_vn-X.Y.Z-py3-none-any.whl[import]" colorama pip pipx -d wheelhouse-win '
                          "--only-binary=:all: --platform win_amd64 --python-version 3.12")
    wheelhouse = tmp_path / "wheelhouse-win"
    ours = {"wheelhouse-win": str(wheelhouse), "dtrack_vn-X.Y.Z-py3-none-any.whl[import]": f"{built['wheel']}[import]"}
    _pip_from_the_index(*(ours.get(arg.strip('"'), arg) for arg in command.split()[1:]), "-q")
    # Every wheel installs on CPython 3.12 for 64-bit Windows ...
    windows = {*cpython_tags((3, 12), platforms=["win_amd64"]), *compatible_tags((3, 12), "cp312", ["win_amd64"])}
    for wheel in wheelhouse.glob("*.whl"):
        assert parse_wheel_filename(wheel.name)[3] & windows, f"{wheel.name} does not install on Windows"
    # ... and the folder holds every need, Windows-only ones included (typer's colorama, pipx's).
    assert _missing_for(wheelhouse, ["dtrack-vn[import]", "pipx"], _WINDOWS) == []
    # The checker does see what the documented command without colorama would leave out.
    (wheelhouse / next(w.name for w in wheelhouse.glob("colorama-*.whl"))).unlink()
    assert _missing_for(wheelhouse, ["dtrack-vn[import]"], _WINDOWS) == ["colorama"]
