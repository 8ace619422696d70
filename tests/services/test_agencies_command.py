"""Successors in the views of the bundled store, `dtrack agencies`, init --province, check and
--new-agency: through the CLI, on real git stores."""
import json
import re

import yaml

from conftest import BUNDLED, git

LATER = {"DTRACK_TODAY": "2026-12-01"}
THEN = {"DTRACK_TODAY": "2024-07-20"}
TTTT = "Sở Thông tin và Truyền thông"


def _refs(result) -> set[str]:
    return {line.split()[0] for line in result.stdout.splitlines() if "#" in line.split(" ")[0]}


def test_the_tttt_tasks_are_the_successors_today_and_tttt_s_in_2024(cli):
    new = cli("--dir", str(BUNDLED), "list", "-f", "table", "--all", "--agency", "so khoa hoc va cong nghe", env=LATER)
    old = cli("--dir", str(BUNDLED), "list", "-f", "table", "--all", "--agency", "STTTT", env=LATER)
    assert new.exit_code == 0 and _refs(new) == _refs(old) and len(_refs(new)) == 20    # 19 led, 1 supported
    assert "Sở KH&CN (formerl" in new.stdout          # the lead column is narrow; show and report say it all
    then = cli("--dir", str(BUNDLED), "list", "-f", "table", "--all", "--agency", "STTTT", env=THEN)
    assert _refs(then) == _refs(old) and "formerly" not in then.stdout
    assert cli("--dir", str(BUNDLED), "list", "-f", "table", "--all", "--agency", "so khoa hoc va cong nghe",
               env=THEN).stdout.startswith("No tasks")

    def rows(env, *extra):
        out = cli("--dir", str(BUNDLED), "report", "--format", "json", *extra, env=env)
        return {r["agency"]: (r["assigned"], r["open_overdue"]) for r in json.loads(out.stdout)["rows"]}
    # 19 tasks, 9 of them overdue; the report counts each missed occurrence of the fortnightly series too.
    assert rows(LATER)["Sở Khoa học và Công nghệ"] == (89, 79) and TTTT not in rows(LATER)
    assert rows(THEN)[TTTT][0] == 27 and "Sở Khoa học và Công nghệ" not in rows(THEN)
    assert rows(LATER, "--as-written")[TTTT] == (89, 79)
    table = cli("--dir", str(BUNDLED), "report", "-f", "table", env={**LATER, "COLUMNS": "160"})
    assert "Sở KH&CN (formerly: STTTT)" in table.stdout
    vi = cli("--dir", str(BUNDLED), "report", "-f", "table", env={**LATER, "COLUMNS": "160", "DTRACK_LANG": "vi"})
    assert "Sở KH&CN (trước: STTTT)" in vi.stdout
    show = cli("--dir", str(BUNDLED), "show", "1502#1", env=LATER)
    assert f"Sở Khoa học và Công nghệ (formerly: STTTT)" in show.stdout


def test_the_letter_and_the_calendar_go_to_the_agency_in_charge(cli, tmp_path):
    letter = cli("--dir", str(BUNDLED), "remind", "--agency", "Sở KH&CN", env={**LATER, "DTRACK_LANG": "vi"})
    assert letter.exit_code == 0 and "Kính gửi: Sở Khoa học và Công nghệ." in letter.stdout
    assert "Sở Khoa học và Công nghệ còn 9 nhiệm vụ" in letter.stdout
    ics = tmp_path / "kh.ics"
    r = cli("--dir", str(BUNDLED), "export-ics", "--agency", "SKHCN", "-o", str(ics), env=LATER)
    assert r.exit_code == 0, r.output
    text = ics.read_text(encoding="utf-8").replace("\r\n ", "")
    assert "SUMMARY:[Sở KH&CN (formerly: STTTT)]" in text


def test_init_writes_the_province_s_registry_and_agencies_keeps_it(cli, tmp_path):
    root = tmp_path / "gl"
    bad = cli("init", str(root), "--province", "Binh Dinh", "--lang", "en")
    assert bad.exit_code == 2 and "Gia Lai (with Bình Định)" in bad.stderr and not root.exists()
    assert cli("init", str(root), "--province", "gia lai").exit_code == 0
    path = root / "directives/agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = [x["name"] for x in data]
    assert "UBND tỉnh Gia Lai" in names and "Sở Nông nghiệp và Môi trường" in names
    before, head = path.read_bytes(), git(root, "rev-parse", "HEAD").strip()

    typo = cli("agencies", "add", "so tai chin", cwd=root)
    assert typo.exit_code == 2 and "Sở Tài chính?" in typo.stderr
    bare = cli("agencies", "add", "Chi cuc Thuy san", cwd=root)
    assert bare.exit_code == 2 and "không dấu" in bare.stderr       # the store init made speaks Vietnamese
    assert git(root, "rev-parse", "HEAD").strip() == head and path.read_bytes() == before

    steps = [("add", "Chi cục Thủy sản", "--kind", "đơn vị sự nghiệp", "--alias", "CCTS"),
             ("rename", "CCTS", "Chi cục Thủy sản tỉnh"),
             ("succeed", "chi cuc thuy san", "--to", "Sở NN&MT", "--on", "1/10/2026", "--by", "Quyết định 9/QĐ-UBND")]
    for step in steps:
        r = cli("agencies", *step, cwd=root, env=LATER)
        assert r.exit_code == 0, r.output
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "3"
    after = path.read_bytes()
    assert after.startswith(before)                                   # only the new entry's lines
    entry = yaml.safe_load(after[len(before):])[0]
    assert entry["name"] == "Chi cục Thủy sản tỉnh" and entry["aliases"] == ["Chi cục Thủy sản", "CCTS"]
    assert entry["replaced_by"] == [{"name": "Sở Nông nghiệp và Môi trường", True: __import__("datetime").date(2026, 10, 1),
                                     "by": "Quyết định 9/QĐ-UBND"}]
    assert cli("check", cwd=root).exit_code == 0
    shown = cli("agencies", "show", "CCTS", cwd=root, env=LATER)
    assert "Sở Nông nghiệp và Môi trường" in shown.stdout and "01/10/2026" in shown.stdout

    new = cli("add", "--number", "7/UBND-KGVX", "--kind", "cong-van", "--issuer", "UBND tỉnh Gia Lai",
              "--issued", "2/11/2026", "--title", "Thử", cwd=root, env=LATER)
    assert new.exit_code == 0, new.output
    refused = cli("add-task", "7", "--text", "Báo cáo", "--lead", "so tai chin", "--new-agency", cwd=root, env=LATER)
    assert refused.exit_code == 2 and "Sở Tài chính?" in refused.stderr
    ok = cli("add-task", "7", "--text", "Báo cáo", "--lead", "STNMT", cwd=root, env=LATER)
    assert ok.exit_code == 0, ok.output
    # Import of a text in today's names gets them whole.
    doc = tmp_path / "cv.txt"
    doc.write_text("ỦY BAN NHÂN DÂN TỈNH GIA LAI\n\nSố: 812/UBND-KGVX\n\nGia Lai, ngày 10 tháng 11 năm 2026\n\n"
                   "V/v triển khai chuyển đổi số\n\nKính gửi:\n- Sở Nông nghiệp và Môi trường;\n"
                   "- Sở Dân tộc và Tôn giáo;\n- UBND các xã, phường.\n\n"
                   "1. Sở Nông nghiệp và Môi trường chủ trì dựng cơ sở dữ liệu đất đai trước ngày 30/12/2026.\n\n"
                   "2. Sở Dân tộc và Tôn giáo hỗ trợ đồng bào tiếp cận dịch vụ công; báo cáo trước ngày 15/12/2026.\n\n"
                   "3. UBND các xã, phường tuyên truyền cho người dân trong tháng 12/2026.\n\nNơi nhận:\n- Lưu: VT.\n",
                   encoding="utf-8")
    r = cli("import", str(doc), "--stdout", cwd=root, env=LATER)
    assert r.exit_code == 0, r.output
    leads = [x["lead"] for x in yaml.safe_load(r.stdout)["tasks"]]
    assert leads == ["Sở Nông nghiệp và Môi trường", "Sở Dân tộc và Tôn giáo", "UBND các xã, phường, đặc khu"]


def test_agencies_list_counts_open_and_overdue_by_the_agency_in_charge(cli):
    out = cli("--dir", str(BUNDLED), "agencies", "list", env={**LATER, "COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    lines = {line.split("  ")[0].strip(): line for line in out.stdout.splitlines()}
    assert lines["Sở Khoa học và Công nghệ"].split()[-2:] == ["19", "9"]
    assert re.search(r"STTTT\s+0\s+0\s+→ Sở Khoa học và Công nghệ$", lines[TTTT].rstrip())


def test_check_refuses_an_unknown_agency_and_a_circle_of_successions(cli, repo):
    f = repo / "directives/2023/1502-UBND-KGVX.yaml"
    f.write_bytes(f.read_bytes().replace("lead: Sở Thông tin và Truyền thông".encode(), "lead: Sở Thông tin và Truyền thôn".encode(), 1))
    r = cli("--dir", str(repo / "directives"), "check")
    assert r.exit_code == 1 and "error: unknown agency 'Sở Thông tin và Truyền thôn' in lead. Did you mean: " \
        "Sở Thông tin và Truyền thông?" in r.stdout
    git(repo, "checkout", "--", ".")
    reg = repo / "directives/agencies.yaml"
    reg.write_text(reg.read_text(encoding="utf-8") + "- name: Ban A\n  replaced_by: [{name: Ban B, on: 2025-01-01}]\n"
                   "- name: Ban B\n  replaced_by: [{name: Ban A, on: 2025-01-01}]\n", encoding="utf-8")
    r = cli("--dir", str(repo / "directives"), "check")
    assert r.exit_code == 1 and "go round in a circle" in r.stdout
