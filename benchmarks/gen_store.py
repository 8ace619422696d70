#!/usr/bin/env python3
"""Generate a synthetic store of directive files (format v1), for tests and benchmarks.

    python benchmarks/gen_store.py OUT_DIR --directives 10000 [--seed 1] [--git]

The project's own copy of the shared corpus generator: the same format and, for the same
arguments, the same bytes (OUT_DIR/<year>/<stem>.yaml, 3-8 tasks each, ~2 KB a file, plus
OUT_DIR/agencies.yaml). Standard library only, so it runs before dtrack is installed.
"""
import argparse
import datetime as dt
import os
import random
import subprocess

AGENCIES = [
    ("Sở Thông tin và Truyền thông", ["TTTT", "STTTT", "Sở TTTT"]),
    ("Sở Tài chính", ["TC", "STC"]),
    ("Sở Nội vụ", ["NV", "SNV"]),
    ("Sở Kế hoạch và Đầu tư", ["KHĐT", "Sở KH&ĐT"]),
    ("Sở Tư pháp", ["TP", "STP"]),
    ("Sở Y tế", ["YT", "SYT"]),
    ("Sở Giáo dục và Đào tạo", ["GDĐT", "Sở GD&ĐT"]),
    ("Sở Lao động - Thương binh và Xã hội", ["LĐTBXH"]),
    ("Sở Nông nghiệp và Phát triển nông thôn", ["NN&PTNT"]),
    ("Sở Xây dựng", ["XD", "SXD"]),
    ("Sở Giao thông vận tải", ["GTVT"]),
    ("Sở Tài nguyên và Môi trường", ["TNMT"]),
    ("Văn phòng UBND tỉnh", ["VPUB", "VP UBND tỉnh"]),
    ("Ban Dân tộc tỉnh", ["BDT"]),
    ("Công an tỉnh", ["CA"]),
    ("Trung tâm Công nghệ thông tin và Truyền thông", ["Trung tâm CNTT&TT"]),
    ("UBND các huyện, thị xã, thành phố", ["UBND cấp huyện"]),
]
ISSUERS = ["UBND tỉnh Quảng Ngãi", "UBND tỉnh Lâm Hải Giang", "UBND thị xã Đức Phổ"]
KINDS = [("thong-bao", "TB-UBND"), ("cong-van", "UBND-KGVX"), ("ke-hoach", "KH-UBND"),
         ("cong-van", "UBND-KTTH"), ("quyet-dinh", "QĐ-UBND")]
SIGNERS = ["Đặng Văn Minh", "Trần Phước Hiền", "Hồ Quang Bửu", "Võ Gia Nghĩa", "Nguyễn Phước Bình"]
TOPICS = ["chuyển đổi số", "cải cách hành chính", "giải ngân vốn đầu tư công", "Đề án 06",
          "an toàn, an ninh mạng", "số hóa hồ sơ hộ tịch", "dịch vụ công trực tuyến",
          "hạ tầng công nghệ thông tin", "phòng, chống thiên tai", "y tế cơ sở"]
ACTIONS = ["Rà soát, tổng hợp danh mục nhiệm vụ về {t}, báo cáo UBND tỉnh xem xét, cho ý kiến",
           "Chủ trì, phối hợp với các cơ quan liên quan xây dựng kế hoạch triển khai {t} năm {y}",
           "Tham mưu UBND tỉnh ban hành danh mục nhiệm vụ {t} ưu tiên triển khai năm {y}",
           "Hoàn thiện dự toán kinh phí thực hiện {t}, lấy ý kiến các ngành liên quan, trình phê duyệt",
           "Báo cáo tình hình triển khai {t} trên địa bàn; đề xuất giải pháp tháo gỡ khó khăn, vướng mắc",
           "Tăng cường nhân lực cho công tác thẩm định các dự án {t}, bảo đảm tiến độ theo quy định",
           "Đẩy mạnh công tác tuyên truyền về {t} trên đài truyền thanh xã, phường"]
STATUS = ["open"] * 6 + ["done"] * 3 + ["cancelled"]


def flow(name):
    """An agency name as an item of a YAML flow list: quoted where it holds a comma."""
    return f'"{name}"' if "," in name else name


def fold(text, width=88, indent="      "):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(indent + ln for ln in lines)


def directive(rnd, i):
    year = rnd.choice([2022, 2023, 2024, 2025, 2026])
    kind, suffix = rnd.choice(KINDS)
    number = f"{i + 1}/{suffix}"
    stem = number.replace("/", "-")
    issued = dt.date(year, 1, 1) + dt.timedelta(days=rnd.randrange(365))
    topic = rnd.choice(TOPICS)
    out = [f"# Văn bản số {number} — theo dõi thực hiện",
           f"number: {number}", f"kind: {kind}", f"issuer: {rnd.choice(ISSUERS)}",
           f"issued: {issued.isoformat()}", f"signer: {rnd.choice(SIGNERS)}",
           "title: >-", fold(f"Kết luận của Phó Chủ tịch UBND tỉnh tại cuộc họp nghe báo cáo "
                             f"tình hình triển khai {topic} năm {year}", indent="  "),
           "tasks:"]
    for n in range(1, rnd.randint(3, 8) + 1):
        lead = rnd.choice(AGENCIES)[0]
        support = rnd.sample([a for a, _ in AGENCIES if a != lead], rnd.randint(0, 3))
        text = rnd.choice(ACTIONS).format(t=rnd.choice(TOPICS), y=year)
        out += [f"  - n: {n}", "    text: >-", fold(text), f"    lead: {lead}"]
        if support:
            out.append("    support: [" + ", ".join(flow(a) for a in support) + "]")
        if rnd.random() < 0.8:
            due = issued + dt.timedelta(days=rnd.randint(5, 120))
            out += [f"    due: {due.isoformat()}",
                    f"    due_text: trước ngày {due.day}/{due.month}/{due.year}"]
            status = rnd.choice(STATUS)
            out.append(f"    status: {status}")
            if status == "done":
                out.append(f"    done: {(due + dt.timedelta(days=rnd.randint(-20, 10))).isoformat()}")
        else:
            if rnd.random() < 0.3:
                out.append(f"    every: {rnd.choice(['2 weeks', '1 month', '3 months'])}")
                out.append(f"    due: {(issued + dt.timedelta(days=14)).isoformat()}")
            out.append("    status: open")
    return year, stem, "\n".join(out) + "\n"


def generate(out_dir, directives, seed=1, git=False):
    """Write the store; returns the number of tasks."""
    rnd = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "agencies.yaml"), "w", encoding="utf-8", newline="\n") as f:
        for name, aliases in AGENCIES:
            f.write(f"- name: {flow(name)}\n  aliases: [{', '.join(map(flow, aliases))}]\n")
    tasks = 0
    for i in range(directives):
        year, stem, text = directive(rnd, i)
        os.makedirs(os.path.join(out_dir, str(year)), exist_ok=True)
        with open(os.path.join(out_dir, str(year), stem + ".yaml"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        tasks += text.count("\n  - n: ")
    if git:
        env = dict(os.environ, GIT_AUTHOR_DATE="2026-01-01T00:00:00", GIT_COMMITTER_DATE="2026-01-01T00:00:00")

        def run(*c):
            subprocess.run(["git", "-C", out_dir, *c], check=True, env=env, stdout=subprocess.DEVNULL)
        run("init", "-q")
        run("add", "-A")
        run("-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm", "corpus")
    return tasks


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--directives", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--git", action="store_true", help="make OUT a git repository with one commit")
    a = ap.parse_args()
    tasks = generate(a.out, a.directives, a.seed, a.git)
    print(f"{a.directives} directives, {tasks} tasks in {a.out}")


if __name__ == "__main__":
    main()
