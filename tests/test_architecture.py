"""The shape of the code, checked by the test run: the layer contract (import-linter, configured in
pyproject.toml), a domain that reads no clock and opens no file, and no import cycle among dtrack's
modules, imports inside functions included (docs/architecture.md)."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dtrack"


# ---------------------------------------------------------------------------- the layer contract

def _lint_imports() -> list[str]:
    folder = Path(sys.executable).parent
    for name in ("lint-imports", "lint-imports.exe"):
        if (folder / name).exists():
            return [str(folder / name)]
    pytest.fail("lint-imports is not installed next to this Python: pip install -e '.[test]'")


def test_the_layer_contract_holds():
    # --no-cache: the check must not leave a cache folder in the work tree.
    done = subprocess.run([*_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", done.stdout), done.stdout


# Reading the clock or a file from the domain, even through a module import-linter cannot see
# (a builtin, or an attribute of an allowed module such as datetime).
_IMPURE = re.compile(r"\bdate\.today\(|\bdatetime\.(?:now|utcnow|today)\(|\btime\.(?:time|time_ns|monotonic)\(|"
                     r"\bopen\(")


def test_the_domain_reads_no_clock_and_opens_no_file():
    found = [f"{path.relative_to(ROOT).as_posix()}:{i}: {line.strip()}"
             for path in sorted((PACKAGE / "domain").rglob("*.py"))
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if _IMPURE.search(line.split("#", 1)[0])]
    assert not found, "the domain is pure: the caller passes today and the data in\n" + "\n".join(found)


# ---------------------------------------------------------------------------- import cycles

def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, wherever the import statement stands
    (an import inside a function still makes the two modules depend on each other)."""
    modules: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    # `from . import x` is relative to the package the module is in
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                wanted = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            # A module's own packages are imported before it anyway: not an edge of its own.
            graph[name].update(w for w in wanted if w in modules and w != name and not name.startswith(w + "."))
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or through others (the
    strongly connected components with more than one module), each sorted, in name order."""
    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reachable = {m: reach(m) for m in graph}
    groups = {tuple(sorted({m} | {n for n in reachable[m] if m in reachable[n]}))
              for m in graph if m in reachable[m]}
    return sorted(list(g) for g in groups)


def test_no_import_cycle_among_dtracks_modules():
    cycles = import_cycles(import_graph(PACKAGE))
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_check_sees_imports_inside_functions(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "sub" / "__init__.py").write_text("from . import c\n", encoding="utf-8")
    (pkg / "a.py").write_text("from pkg import b\n", encoding="utf-8")
    (pkg / "b.py").write_text("def later():\n    from pkg.a import x\n    return x\n", encoding="utf-8")
    (pkg / "sub" / "c.py").write_text("import pkg.a\nfrom .. import d\n", encoding="utf-8")
    (pkg / "d.py").write_text("from pkg.sub import c\n", encoding="utf-8")
    graph = import_graph(pkg)
    assert graph["pkg.sub"] == {"pkg.sub.c"} and graph["pkg.sub.c"] == {"pkg.a", "pkg.d"}
    assert import_cycles(graph) == [["pkg.a", "pkg.b"], ["pkg.d", "pkg.sub", "pkg.sub.c"]]
    assert import_cycles({"x": {"y"}, "y": set()}) == []
