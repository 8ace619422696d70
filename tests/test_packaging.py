"""dtrack installs the way people install it: the distribution dtrack-vn, its LICENSE, one version.

The wheel and the sdist are built and the wheel is installed into a fresh virtualenv (its
dependencies from pip's configured index or cache), then run as a clerk would.
"""
from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest


from conftest import BUNDLED, REPO

import dtrack

DIST = "dtrack-vn"
VERSION = dtrack.__version__
# Packages the hints may name besides ours: the extras' libraries and the tools of the install paths.
THIRD_PARTY = {"python-docx", "pypdf", "pipx", "build", "twine", "matplotlib", "openpyxl"}
# pip options followed by a value that is not a requirement.
_VALUE_OPTIONS = {"-e", "--editable", "-d", "--dest", "-w", "--wheel-dir", "-f", "--find-links", "-r",
                  "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                  "--platform", "--python-version", "--python"}
_HINT = re.compile(r"\b(pipx?)\s+(install|inject|download|wheel)\b([^\n`()#;|,&']*(?:'[^'\n]*'[^\n`()#;|,&']*)*)")


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _run(*args, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, encoding="utf-8", **kw)
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


# ----------------------------------------------------------------------------- one version

def _released_versions() -> list[tuple[str, str]]:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.M)
    assert headings and headings[0][0] == "Unreleased", "CHANGELOG.md starts with an ## [Unreleased] section"
    released = []
    for name, rest in headings[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", name), f"CHANGELOG.md heading [{name}] is not X.Y.Z"
        day = re.fullmatch(r" - (\d{4}-\d\d-\d\d)", rest)
        assert day, f"CHANGELOG.md heading [{name}] needs ' - YYYY-MM-DD' after it"
        released.append((name, day[1]))
    return released


def test_version_changelog_and_tag_agree():
    released = _released_versions()
    assert released, "CHANGELOG.md has no released version"
    newest, _ = released[0]
    assert VERSION == newest, (f"dtrack/__init__.py says {VERSION}, CHANGELOG.md's newest release is {newest}: "
                               "see docs/releasing.md")
    versions = [tuple(map(int, v.split("."))) for v, _ in released]
    days = [d for _, d in released]
    assert versions == sorted(versions, reverse=True) and days == sorted(days, reverse=True), \
        "CHANGELOG.md lists releases newest first"
    try:
        installed = importlib.metadata.version(DIST)
    except importlib.metadata.PackageNotFoundError:
        installed = None                     # an environment made before the rename installed `dtrack`
    assert installed == VERSION, f"the installed {DIST} is {installed}, not {VERSION}: pip install -e '.[test]' again"
    if not (REPO / ".git").exists():
        return                               # an unpacked sdist: no tags to compare
    tags = subprocess.run(["git", "tag", "--points-at", "HEAD", "--list", "v*"], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout.split()
    for tag in tags:
        assert tag == f"v{VERSION}", f"HEAD is tagged {tag} but the version is {VERSION}"
        kind = subprocess.run(["git", "cat-file", "-t", f"refs/tags/{tag}"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        assert kind == "tag", f"{tag} is a lightweight tag: make it with git tag -a (docs/releasing.md)"


def test_python_dash_m_from_the_folder_that_holds_a_checkout(tmp_path):
    # ~/src holding the checkout ~/src/dtrack: Python must not take that folder for the package.
    (tmp_path / "dtrack").mkdir()
    (tmp_path / "dtrack" / "README.md").write_text("a checkout\n", encoding="utf-8")
    proc = _run(sys.executable, "-m", "dtrack", "--version", cwd=tmp_path)
    assert proc.stdout == f"dtrack {VERSION}\n"


# ----------------------------------------------------------------------------- hints name dtrack-vn

def _hint_files() -> list[Path]:
    files = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "dtrack").rglob("*.py"))]
    return [f for f in files if "__pycache__" not in f.parts]


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
        names.append(re.match(r"[A-Za-z0-9._-]+", tok)[0].lower().replace("_", "-"))
    if tool == "pipx" and verb == "inject":
        assert names and names[0] == DIST, f"pipx inject into {names[:1]}"
    return names


def test_every_install_hint_names_our_distribution():
    found = {}
    for path in _hint_files():
        for m in _HINT.finditer(path.read_text(encoding="utf-8")):
            for name in _named_packages(m[1], m[2], m[3]):
                found.setdefault(name, []).append(f"{path.relative_to(REPO)}: {m[0].strip()}")
    strangers = {name: where for name, where in found.items() if name != DIST and name not in THIRD_PARTY}
    assert not strangers, f"install hints name distributions that are not ours: {strangers}"
    hinted = "\n".join(found.get(DIST, []))
    for place in ("README.md", "docs/install.md", "dtrack/importer/doctext.py"):
        assert place in hinted.replace(os.sep, "/"), f"{place} gives no install hint naming {DIST}"
    assert "pipx inject dtrack-vn python-docx" in hinted


def test_the_hint_checker_catches_the_old_name():
    m = _HINT.search("reading .docx needs python-docx: pip install 'dtrack[docx]'")
    assert _named_packages(m[1], m[2], m[3]) == ["dtrack"]
    m = _HINT.search('`pip install --no-index --find-links wheelhouse "dtrack-vn[import]"`')
    assert _named_packages(m[1], m[2], m[3]) == [DIST]


# ----------------------------------------------------------------------------- the wheel, installed

def _source_copy(dest: Path) -> Path:
    """The working tree without its builds, environments and caches (the build must not write in it)."""
    junk = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                  ".pytest_cache", ".hypothesis", "_stores", "_work", "wheelhouse")
    shutil.copytree(REPO, dest, ignore=junk)
    return dest


@pytest.mark.slow          # ~8 s of building and installing: .ci/run runs it after the default suite
def test_wheel_and_sdist_build_and_the_wheel_runs_from_a_fresh_virtualenv(tmp_path):
    src = _source_copy(tmp_path / "src")
    dist = tmp_path / "dist"
    # The default build makes the sdist, then the wheel from the unpacked sdist: the sdist is complete.
    _run(sys.executable, "-m", "build", "--outdir", dist, src)
    wheel = dist / f"dtrack_vn-{VERSION}-py3-none-any.whl"
    sdist = dist / f"dtrack_vn-{VERSION}.tar.gz"
    assert sorted(p.name for p in dist.iterdir()) == sorted([wheel.name, sdist.name])
    licence = (REPO / "LICENSE").read_bytes()
    with zipfile.ZipFile(wheel) as z:
        info = f"dtrack_vn-{VERSION}.dist-info"
        assert z.read(f"{info}/licenses/LICENSE") == licence
        metadata = z.read(f"{info}/METADATA").decode("utf-8")
    for line in (f"Name: {DIST}", f"Version: {VERSION}", "License-Expression: MIT", "License-File: LICENSE"):
        assert f"\n{line}\n" in metadata, line
    with tarfile.open(sdist) as tar:
        assert tar.extractfile(f"dtrack_vn-{VERSION}/LICENSE").read() == licence

    venv = tmp_path / "venv"
    # Without a pip of its own (ensurepip costs seconds): this pip installs into it.
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = _bin(venv, "python.exe" if os.name == "nt" else "python")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", wheel)
    directives = shutil.copytree(BUNDLED, tmp_path / "office" / "directives")
    where = tmp_path / "elsewhere"               # not the source tree, so only the installed package can run
    where.mkdir()
    script = _bin(venv, "dtrack.exe" if os.name == "nt" else "dtrack")
    assert _run(script, "--version", cwd=where).stdout == f"dtrack {VERSION}\n"
    assert _run(python, "-m", "dtrack", "--version", cwd=where).stdout == f"dtrack {VERSION}\n"
    origin = _run(python, "-c", "import dtrack; print(dtrack.__file__)", cwd=where).stdout.strip()
    assert Path(origin).is_relative_to(venv), origin
    listing = _run(script, "--as-of", "20/07/2024", "--dir", directives, "list", "-f", "table", cwd=where,
                   env={**os.environ, "COLUMNS": "100"}).stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert listing == readme.split("$ dtrack --as-of 20/07/2024 list\n", 1)[1].split("```", 1)[0]
