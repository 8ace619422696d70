"""The follow-up letter ("công văn đôn đốc") of `dtrack remind`, as Markdown.

The letter follows the usual layout of an administrative letter (Nghị định 30/2020/NĐ-CP):
issuer and number block, place and date line, "V/v" subject, "Kính gửi", the body with the
list of overdue tasks, the request to report by a date, recipients and signature. What dtrack
cannot know (the letter's number, the signer) is left as dotted placeholders to fill in.
The letter is Vietnamese whatever DTRACK_LANG says: it is an official document.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from dtrack.domain.dates import fmt
from dtrack.domain.model import Directive
from dtrack.output.report_formats import md_escape
from dtrack.services.remind import Overdue


def _date_words(d: date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _directive_label(d: Directive) -> str:
    kinds = {"thong-bao": "Thông báo", "cong-van": "Công văn", "ke-hoach": "Kế hoạch",
             "quyet-dinh": "Quyết định", "chi-thi": "Chỉ thị", "khac": "Văn bản"}
    kind = kinds.get(d.kind, "Văn bản")
    number = f" số {d.number}" if d.number else ""
    return f"{kind}{number} ngày {fmt(d.issued)} của {d.issuer}"


def markdown(agency: str, items: Sequence[Overdue], *, as_of: date, reply_by: date | None,
             issuer: str | None = None, place: str | None = None) -> str:
    e = md_escape
    issuer = issuer or "……………………"
    place = place or "……………"
    lines = [
        f"**{e(issuer.upper())}**", "",
        "Số: ……/……", "",
        f"*{e(place)}, {_date_words(as_of)}*", "",
        "V/v đôn đốc thực hiện nhiệm vụ được giao", "",
        f"Kính gửi: {e(agency)}.", "",
        (f"Theo dõi tình hình thực hiện các nhiệm vụ được giao, đến {_date_words(as_of)}, {e(agency)} "
         f"còn {len(items)} nhiệm vụ đã quá thời hạn nhưng chưa hoàn thành, cụ thể như sau:"), "",
        "| STT | Văn bản giao nhiệm vụ | Nội dung nhiệm vụ | Hạn ban đầu | Hạn hiện tại | Số ngày quá hạn |",
        "|---:|---|---|---|---|---:|",
    ]
    for i, o in enumerate(items, 1):
        d, task = o.unit.directive, o.unit.task
        lines.append(f"| {i} | {e(_directive_label(d))} | {e(task.text)} | {fmt(o.original) or '–'} | "
                     f"{fmt(o.current) or '–'} | {o.days} |")
    reply = (f"trước {_date_words(reply_by)}" if reply_by else "trong thời gian sớm nhất")
    lines += [
        "",
        (f"Đề nghị {e(agency)} khẩn trương tổ chức thực hiện các nhiệm vụ nêu trên và báo cáo kết quả "
         f"thực hiện (nêu rõ nguyên nhân chậm trễ, giải pháp và thời gian hoàn thành) {reply}."), "",
        "Trân trọng./.", "",
        "*Nơi nhận:*", "",
        "- Như trên;",
        "- Lưu: VT, ……", "",
        "**CHỨC VỤ NGƯỜI KÝ**", "",
        "*(Ký, ghi rõ họ tên)*", "",
        "……………………", "",
    ]
    return "\n".join(lines)
