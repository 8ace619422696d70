"""`dtrack check` and the JSON Schema, on the bundled store, a corpus of broken files and generated stores."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import BUNDLED, REPO, dtrack_script

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"

# file (relative to tests/fixtures/broken) -> (line, col, severity, words of the message). One defect each.
EXPECTED = {
    "2024/2024-01-10-yaml-unclosed-quote.yaml": (6, 8, "error", "not valid YAML"),
    "2024/2024-01-10-yaml-tab-indent.yaml": (12, 1, "error", "tab character"),
    "2024/2024-01-10-yaml-bad-indent.yaml": (10, 11, "error", "not valid YAML"),
    "2024/2024-01-10-not-utf8.yaml": (6, 9, "error", "not UTF-8"),
    "2024/2024-01-10-conflict-markers.yaml": (11, 1, "error", "conflict marker"),
    "2024/2024-01-10-impossible-date.yaml": (11, 10, "error", "not a real date"),
    "2024/2024-01-10-day-first-date.yaml": (11, 10, "error", "is not a date"),
    "2024/2024-01-10-missing-issued.yaml": (1, 1, "error", "'issued' is missing"),
    "2024/2024-01-10-missing-lead.yaml": (8, 5, "error", "'lead' is missing"),
    "2024/2024-01-10-empty-lead-list.yaml": (8, 5, "error", "'lead' is missing"),
    "2024/2024-01-10-bad-kind.yaml": (3, 7, "error", "kind must be one of"),
    "2024/2024-01-10-bad-status.yaml": (12, 13, "error", "status must be one of"),
    "2024/2024-01-10-done-without-date.yaml": (12, 13, "error", "no 'done:' date"),
    "2024/2024-01-10-duplicate-task-number.yaml": (13, 8, "error", "used twice"),
    "2024/2024-01-10-task-number-text.yaml": (8, 8, "error", "whole number"),
    "2024/2024-01-10-tasks-not-list.yaml": (8, 3, "error", "tasks must be a list"),
    "2024/2024-01-10-top-level-list.yaml": (1, 1, "error", "not a directive"),
    "2024/2024-01-10-empty-file.yaml": (1, 1, "error", "not a directive"),
    "2024/2024-01-10-extension-without-to.yaml": (14, 9, "error", "needs 'to:'"),
    "2024/2024-01-10-bad-every.yaml": (13, 12, "error", "not a recurrence"),
    "2024/2024-01-10-unknown-agency.yaml": (10, 11, "error", "Did you mean: Sở Tài chính?"),
    "2024/2024-01-10-unknown-co-lead.yaml": (10, 26, "error", "Did you mean: Sở Nội vụ?"),
    "2024/2024-01-10-done-before-issued.yaml": (13, 11, "warning", "before the directive was issued"),
    "2024/2024-01-10-due-before-issued.yaml": (11, 10, "warning", "before the directive was issued"),
    "2024/2023-01-10-wrong-year-folder.yaml": (5, 9, "warning", "move it to 2023/"),
    "2024/77-UBND-KGVX.yaml": (2, 9, "warning", "rename the file to 78-UBND-KGVX.yaml"),
    "2024/99-UBND-TH.yaml": (2, 9, "error", "is also used by 2024/99-UBND-TH-ban-sao.yaml"),
    "2024/99-UBND-TH-ban-sao.yaml": (2, 9, "error", "is also used by 2024/99-UBND-TH.yaml"),
    "2023/2023-05-05-trung-ten.yaml": (1, 1, "error", "same name"),
    "2024/2023-05-05-trung-ten.yaml": (1, 1, "error", "same name"),
}


def _findings(cli, *args, cwd=None):
    result = cli("--dir", str(BROKEN), "check", "--json", *args, cwd=cwd)
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result, json.loads(result.stdout)


def test_bundled_directives_are_clean(cli):
    result = cli("--dir", str(BUNDLED), "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "checked 6 file(s): 0 error(s), 0 warning(s)\n"


def test_bundled_directives_are_clean_through_the_installed_script():
    """Exactly what the before-stop hook runs, from the repository root."""
    proc = subprocess.run([dtrack_script(), "--dir", "directives", "check"], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_every_broken_file_is_found_at_its_line_and_column(cli):
    result, data = _findings(cli)
    assert result.exit_code == 1
    found = {}
    for f in data["findings"]:
        found.setdefault(Path(f["path"]).resolve().relative_to(BROKEN).as_posix(), []).append(f)
    names = {p.relative_to(BROKEN).as_posix() for p in BROKEN.rglob("*.yaml") if p.name != "agencies.yaml"}
    assert names == set(EXPECTED), "every corpus file has an expectation"
    for name, (line, col, severity, words) in EXPECTED.items():
        hits = [f for f in found.get(name, []) if (f["line"], f["col"], f["severity"]) == (line, col, severity)
                and words in f["message"]]
        assert hits, f"{name}: want {line}:{col} {severity} '{words}', got {found.get(name)}"


def test_each_broken_file_alone_gives_its_defect_and_the_right_exit_code(cli, tmp_path):
    for name, (line, col, severity, words) in EXPECTED.items():
        if "trung-ten" in name or "99-UBND-TH" in name:
            continue                    # defects of a pair of files
        store = tmp_path / name.replace("/", "_")
        (store / name).parent.mkdir(parents=True)
        shutil.copy(BROKEN / "agencies.yaml", store)
        shutil.copy(BROKEN / name, store / name)
        result = cli("--dir", str(store), "check")
        lines = result.stdout.splitlines()
        assert lines[0].startswith(f"{store / name}:{line}:{col}: {severity}: ".replace(str(Path.cwd()) + "/", "")), \
            (name, lines)
        assert words in lines[0]
        assert result.exit_code == (1 if severity == "error" else 0), (name, result.output)


def test_plain_lines_have_path_line_col_severity(cli):
    result = cli("--dir", str(BROKEN), "check", cwd=BROKEN)
    assert result.exit_code == 1
    assert ("2024/2024-01-10-bad-kind.yaml:3:7: error: kind must be one of thong-bao, cong-van, ke-hoach, "
            "quyet-dinh, chi-thi, khac (found 'cong-van-den')") in result.stdout.splitlines()
    assert result.stderr.strip().endswith("warning(s)")


def test_only_the_given_paths_but_uniqueness_against_the_whole_store(cli):
    result, data = _findings(cli, str(BROKEN / "2024" / "99-UBND-TH.yaml"), str(BROKEN / "2024" / "2024-01-10-bad-kind.yaml"))
    paths = {Path(f["path"]).name for f in data["findings"]}
    assert paths == {"99-UBND-TH.yaml", "2024-01-10-bad-kind.yaml"}
    assert data["files"] == 2
    assert any("is also used by 2024/99-UBND-TH-ban-sao.yaml" in f["message"] for f in data["findings"])


def test_files_outside_the_store_are_skipped(cli, tmp_path):
    ci = tmp_path / ".gitlab-ci.yml"
    ci.write_text("stages: [check]\n", encoding="utf-8")
    result = cli("--dir", str(BUNDLED), "check", str(ci), str(BUNDLED / "2023" / "1502-UBND-KGVX.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_a_path_that_names_nothing_is_an_error_inside_or_outside_the_store(cli, tmp_path):
    for typo in (tmp_path / "nope.yaml", BUNDLED / "2023" / "1502-UBND-KGVZ.yaml"):
        result = cli("--dir", str(BUNDLED), "check", str(typo))
        assert result.exit_code == 1, (typo, result.output)
        assert result.stdout.strip().endswith("1502-UBND-KGVZ.yaml:1:1: error: no such file") or \
            result.stdout.strip().endswith("nope.yaml:1:1: error: no such file")


def test_a_folder_given_is_the_directive_files_under_it(cli):
    # `dtrack check directives/2024` said "checked 0 file(s)" and exit 0 whatever the files held.
    result, data = _findings(cli, str(BROKEN / "2024"))
    assert data["files"] == len(list((BROKEN / "2024").glob("*.yaml"))) > 1
    assert result.exit_code == 1 and {Path(f["path"]).parent.name for f in data["findings"]} == {"2024"}
    whole = cli("--dir", str(BUNDLED), "check", str(BUNDLED))
    assert whole.exit_code == 0 and whole.stderr.startswith("checked 5 file(s)"), whole.output


def test_a_yml_file_in_the_store_is_a_warning(cli, tmp_path):
    store = tmp_path / "d"
    shutil.copytree(BUNDLED, store)
    (store / "2024" / "x.yml").write_text("number: 1\n", encoding="utf-8")
    result = cli("--dir", str(store), "check")
    assert result.exit_code == 0
    assert result.stdout == f"{store / '2024' / 'x.yml'}:1:1: warning: dtrack reads only .yaml files; rename it to " \
                            ".yaml or move it out of the store\n".replace(str(Path.cwd()) + "/", "")


def test_registry_alias_claimed_twice(cli, tmp_path):
    store = tmp_path / "d"
    store.mkdir()
    (store / "agencies.yaml").write_text("- name: Sở Tài chính\n  aliases: [STC]\n- name: Sở Tư pháp\n  "
                                         "aliases: [STP, STC]\n- aliases: [X]\n", encoding="utf-8")
    result = cli("--dir", str(store), "check", cwd=store)
    assert result.stdout.splitlines() == [
        "agencies.yaml:4:18: warning: 'STC' already names Sở Tài chính; an abbreviation must name one agency",
        "agencies.yaml:5:3: error: entry 3 has no name; write '- name: ...'"]
    assert result.exit_code == 1


def test_done_in_the_future_is_a_warning(cli, tmp_path):
    store = tmp_path / "d"
    shutil.copytree(BUNDLED, store)
    path = store / "2023" / "1502-UBND-KGVX.yaml"
    text = path.read_text(encoding="utf-8").replace("    status: open", "    status: done\n    done: 2024-07-25", 1)
    path.write_text(text, encoding="utf-8")
    result = cli("--dir", str(store), "--as-of", "2024-07-20", "check", str(path))
    assert result.exit_code == 0
    assert "1502-UBND-KGVX.yaml:23:11: warning: task 1 is done on 2024-07-25, after today (2024-07-20)" in result.stdout


def test_check_of_one_path_reads_that_file_and_a_full_check_of_a_generated_store_is_clean(cli, tmp_path):
    out = tmp_path / "big"
    subprocess.run(["python3", str(REPO / "benchmarks" / "gen_store.py"), str(out), "--directives", "2000"],
                   check=True, capture_output=True)
    one = next(out.rglob("*-*.yaml"))
    result = cli("--dir", str(out), "check", "--json", str(one))
    data = json.loads(result.stdout)
    assert data["files"] == 1 and data["errors"] == 0, data
    full = cli("--dir", str(out), "check", "--json")
    assert json.loads(full.stdout)["errors"] == 0, full.stdout[:2000]


# ---------------------------------------------------------------------------- the JSON Schema

def _schema(name: str) -> dict:
    from importlib import resources
    return json.loads(resources.files("dtrack").joinpath("schema", f"{name}.schema.json").read_text("utf-8"))


def _as_json_data(path: Path):
    # YAML dates become date objects; an editor (and JSON) sees them as the text in the file.
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")),
                                 default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def test_schema_command_prints_the_packaged_schemas(cli):
    for name in ("directive", "agencies"):
        result = cli("schema", name)
        assert result.exit_code == 0
        assert json.loads(result.stdout) == _schema(name)
    assert cli("schema", "nope").exit_code == 2


def test_schema_describes_every_key_the_model_reads():
    # The schema drives editor completion: a key the model knows but the schema lacks is never offered.
    from dtrack.domain.model import DIRECTIVE_KEYS, TASK_KEYS
    schema = _schema("directive")
    assert set(schema["properties"]) == set(DIRECTIVE_KEYS)
    assert set(schema["$defs"]["task"]["properties"]) == set(TASK_KEYS)
    # number and tasks may be left out (an unnumbered notice, a directive not yet broken into tasks).
    assert schema["required"] == ["kind", "issuer", "issued", "title"]
    assert schema["$defs"]["task"]["required"] == ["n", "text", "lead"]


def test_schemas_are_valid_draft_2020_12():
    jsonschema = pytest.importorskip("jsonschema")
    for name in ("directive", "agencies"):
        jsonschema.Draft202012Validator.check_schema(_schema(name))


def test_bundled_and_generated_files_match_the_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    directive = jsonschema.Draft202012Validator(_schema("directive"))
    agencies = jsonschema.Draft202012Validator(_schema("agencies"))
    out = tmp_path / "gen"
    subprocess.run(["python3", str(REPO / "benchmarks" / "gen_store.py"), str(out), "--directives", "300"],
                   check=True, capture_output=True)
    checked = 0
    for root in (BUNDLED, out):
        assert not list(agencies.iter_errors(_as_json_data(root / "agencies.yaml")))
        for path in root.rglob("*.yaml"):
            if path.name != "agencies.yaml":
                errors = list(directive.iter_errors(_as_json_data(path)))
                assert not errors, (path, [e.message for e in errors])
                checked += 1
    assert checked == 305


def test_schema_accepts_lifecycle_fields_and_unknown_keys_and_rejects_defects():
    jsonschema = pytest.importorskip("jsonschema")
    v = jsonschema.Draft202012Validator(_schema("directive"))
    doc = {"number": "1/UBND", "kind": "cong-van", "issuer": "UBND", "issued": "2024-01-10", "title": "T",
           "custom": {"any": 1},
           "tasks": [{"n": 1, "text": "A", "lead": ["Sở Tài chính", "Sở Nội vụ"], "due": "2024-02-01",
                      "status": "done", "done": "2024-02-02", "x-owner": "clerk",
                      "extensions": [{"to": "2024-03-01", "from": "2024-02-01", "on": "2024-01-20", "by": "CV 1"}],
                      "every": "1 month on day 20", "until": "2024-12-31",
                      "occurrences": [{"due": "2024-01-20", "done": "2024-01-19"}]}]}
    assert not list(v.iter_errors(doc))
    for key, bad in (("kind", "cong-van-den"), ("issued", "10/01/2024")):
        assert list(v.iter_errors({**doc, key: bad}))
    task = doc["tasks"][0]
    for change in ({"status": "finished"}, {"n": 0}, {"lead": []}, {"done": None, "status": "done"},
                   {"extensions": [{"on": "2024-01-20"}]}):
        broken = {**task, **change}
        if change.get("done", 1) is None:
            del broken["done"]
        assert list(v.iter_errors({**doc, "tasks": [broken]})), change
