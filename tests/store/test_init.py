"""`dtrack init`: a ready store, idempotent, with a pre-commit hook that refuses invalid files."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from conftest import dtrack_script, git


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git/objects" not in p.as_posix() and not p.name.startswith("index")
            and "/logs/" not in p.as_posix()}


def test_init_creates_the_store_and_running_it_twice_changes_nothing(cli, tmp_path):
    root = tmp_path / "office"
    result = cli("init", str(root), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert sorted(git(root, "ls-files").split()) == [".gitattributes", ".gitignore", "directives/.gitattributes",
                                                     "directives/README.md", "directives/agencies.yaml",
                                                     "directives/settings.yaml"]
    assert git(root, "log", "--format=%s%n%b").startswith(
        "init: a directive store\n.gitattributes\n.gitignore\ndirectives/.gitattributes\ndirectives/README.md\n"
        "directives/agencies.yaml\ndirectives/settings.yaml\n\nDtrack-Action: init")
    assert "*.yaml text eol=lf" in (root / ".gitattributes").read_text(encoding="utf-8")
    head, tree = git(root, "rev-parse", "HEAD"), _tree(root)
    again = cli("init", str(root), "--lang", "en")
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert git(root, "rev-parse", "HEAD") == head and _tree(root) == tree
    assert git(root, "status", "--porcelain") == ""


def test_seeded_agencies_hold_the_benchmark_agencies_and_the_usual_others(cli, tmp_path):
    from gen_store import AGENCIES
    cli("init", str(tmp_path / "o"))
    data = yaml.safe_load((tmp_path / "o/directives/agencies.yaml").read_text(encoding="utf-8"))
    names = [x["name"] for x in data]
    assert len(names) == len(set(names))
    for name, aliases in AGENCIES:
        entry = next(x for x in data if x["name"] == name)
        assert set(aliases) <= set(entry["aliases"])
    for name in ("Sở Công Thương", "Bộ Chỉ huy Quân sự tỉnh", "Ban Quản lý Khu kinh tế tỉnh", "Sở Khoa học và Công nghệ"):
        assert name in names


def test_init_inside_an_existing_repository_uses_it(cli, repo):
    head = git(repo, "rev-parse", "HEAD")
    result = cli("init", str(repo / "theo-doi"))
    assert result.exit_code == 0, result.output
    assert not (repo / "theo-doi/.git").exists()
    assert git(repo, "rev-parse", "HEAD~1") == head
    assert "store='theo-doi/directives'" in (repo / ".git/hooks/pre-commit").read_text(encoding="utf-8")


def test_the_hook_refuses_an_invalid_staged_file_and_accepts_a_valid_one(cli, tmp_path):
    root = tmp_path / "office"
    cli("init", str(root), "--lang", "en")
    git(root, "config", "user.name", "Văn thư")
    git(root, "config", "user.email", "vt@example.org")
    bad = root / "directives/2024/9-UBND.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("number: 9/UBND\nkind: cong-van\nissuer: UBND\nissued: 2024-02-30\ntitle: X\ntasks: []\n",
                   encoding="utf-8")
    git(root, "add", "-A")
    env = {**os.environ, "PATH": str(Path(dtrack_script()).parent) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(["git", "commit", "-qm", "bad"], cwd=root, capture_output=True, env=env)
    assert proc.returncode != 0
    assert "directives/2024/9-UBND.yaml:4: not a real date" in proc.stderr.decode("utf-8")
    bad.write_text(bad.read_text(encoding="utf-8").replace("2024-02-30", "2024-02-28"), encoding="utf-8")
    git(root, "add", "-A")
    proc = subprocess.run(["git", "commit", "-qm", "good"], cwd=root, capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr.decode("utf-8")


def test_a_crlf_working_file_is_committed_lf_under_the_stores_gitattributes(cli, tmp_path):
    # A clerk's Windows editor saved CRLF: dtrack keeps CRLF in the working file but git stores LF,
    # so the supervisor's diff shows one line, not the whole file.
    root = tmp_path / "office"
    cli("init", str(root))
    path = root / "directives/2024/9-UBND.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"number: 9/UBND\nkind: khac\nissuer: UBND\nissued: 2024-07-01\ntitle: X\ntasks:\n"
                     b"  - n: 1\n    text: A\n    lead: STC\n    status: open\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "add 9", "--no-verify")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert cli("done", "9#1", cwd=root).exit_code == 0
    assert path.read_bytes().endswith(b"    status: done\r\n    done: 2024-07-20\r\n")
    assert git(root, "show", "HEAD:directives/2024/9-UBND.yaml").endswith("    status: done\n    done: 2024-07-20\n")
    diff = git(root, "diff", "HEAD~1", "HEAD")
    assert [l for l in diff.split("\n") if l[:1] in ("+", "-") and not l.startswith(("+++", "---"))] == \
        ["-    status: open", "+    status: done", "+    done: 2024-07-20"]


def _no_identity(monkeypatch, home: Path) -> None:
    """A computer where git knows nobody: no config of the user's, no identity in the environment,
    and e-mail auto-detection turned off (as on a hostname git cannot use)."""
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    home.mkdir(exist_ok=True)
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)


def test_init_without_a_git_identity_writes_nothing_and_says_how(cli, tmp_path, monkeypatch):
    _no_identity(monkeypatch, tmp_path / "home")
    root = tmp_path / "office"
    result = cli("init", str(root), "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.startswith("dtrack: error: git does not know who you are, so init cannot commit")
    assert 'git config --global user.email' in result.stderr and "Traceback" not in result.stderr
    assert not root.exists()


def test_init_at_a_terminal_asks_the_identity_and_sets_it_in_the_repository(cli, tmp_path, monkeypatch):
    from dtrack.cli import lifecycle
    _no_identity(monkeypatch, tmp_path / "home")
    monkeypatch.setattr(lifecycle, "_tty", lambda: True)      # CliRunner's stdin is not a terminal
    root = tmp_path / "office"
    # The identity first, then the province (none), then the settings: office, signer's title and name.
    answers = "Nguyễn Thị Văn Thư\nvanthu@example.org\n\nVĂN PHÒNG UBND TỈNH\nCHÁNH VĂN PHÒNG\nTrần Văn B\n"
    result = cli.runner.invoke(cli.app, ["init", str(root)], input=answers)
    assert result.exit_code == 0, result.output
    assert "office: \"VĂN PHÒNG UBND TỈNH\"" in (root / "directives" / "settings.yaml").read_text(encoding="utf-8")
    assert git(root, "config", "user.name").strip() == "Nguyễn Thị Văn Thư"
    assert git(root, "log", "--format=%an <%ae>").strip() == "Nguyễn Thị Văn Thư <vanthu@example.org>"
    assert git(root, "status", "--porcelain") == ""


def test_a_store_left_uncommitted_by_an_older_init_is_completed(cli, tmp_path):
    root = tmp_path / "office"
    assert cli("init", str(root), "--no-commit").exit_code == 0     # the files, but no commit (as a failed one)
    agencies = root / "directives/agencies.yaml"
    agencies.write_bytes(agencies.read_bytes() + "- name: Ban Dân tộc tỉnh\n".encode("utf-8"))     # the clerk's edit meanwhile
    result = cli("init", str(root), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "nothing changed" not in result.stdout and "left uncommitted by an earlier init" in result.stdout
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "show", "HEAD:directives/agencies.yaml").endswith("- name: Ban Dân tộc tỉnh\n")


def test_the_gitignore_keeps_generated_files_out_of_git(cli, tmp_path):
    root = tmp_path / "office"
    cli("init", str(root))
    # export-ics writes dtrack.ics here by default (tests/output/test_export.py)
    generated = ["dtrack.ics", "dtrack-so-tai-chinh.ics", "reports/tuan.md", "exports/ds.csv", "directives/.x.yaml.tmp"]
    for rel in generated:
        (root / rel).parent.mkdir(exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "check-ignore", *generated).split() == generated
