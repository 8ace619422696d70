"""The header of a directive: kind, number, issuer, place and date, subject, meeting, chair, signer.

Every field is read from the text; what had to be inferred is said in `notes`, which the
importer writes as comments at the top of the file and shows in the review.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dtrack.domain.text import fold
from dtrack.importer.paragraphs import Para

KIND_WORDS = (("thông báo", "thong-bao"), ("công văn", "cong-van"), ("kế hoạch", "ke-hoach"),
              ("quyết định", "quyet-dinh"), ("chỉ thị", "chi-thi"))
KIND_CODES = {"TB": "thong-bao", "KH": "ke-hoach", "QĐ": "quyet-dinh", "QD": "quyet-dinh", "CT": "chi-thi",
              "BC": "khac", "TTr": "khac", "KL": "thong-bao"}
_NUMBER = re.compile(r"^Số\s*:\s*(?P<n>.*)$", re.I)
_PLACE_DATE = re.compile(
    r"^(?P<place>[^\W\d][^,\d]{1,40}),\s*ngày\s*(?P<d>\d{1,2})?\s*(?:/|tháng)\s*(?P<m>\d{1,2})\s*(?:/|năm)\s*(?P<y>\d{4})",
    re.I)
_DATE = (r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(?P<m>\d{1,2})\s*(?:/|-|\.|\s+năm\s+|,\s*năm\s+)(?P<y>\d{4})")
_MEETING = re.compile(rf"^(?:(?:Sáng|Chiều|Tối|Trưa)\s+)?(?:ngày\s+)?{_DATE}", re.I)
_MEETING_WORDS = re.compile(r"họp|làm việc|hội nghị|chủ trì|kiểm tra|buổi", re.I)
_ISSUER_LINE = re.compile(
    r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s+(?P<level>TỈNH|THÀNH\s+PHỐ|HUYỆN|THỊ\s+XÃ|QUẬN|XÃ|PHƯỜNG|THỊ\s+TRẤN)\s+(?P<place>.+)$"
    r"|^UBND\s+(?P<level2>TỈNH|THÀNH\s+PHỐ|HUYỆN|THỊ\s+XÃ|QUẬN|XÃ|PHƯỜNG|THỊ\s+TRẤN)\s+(?P<place2>.+)$")
_OTHER_ISSUER = re.compile(r"^(?:SỞ|BAN|VĂN\s+PHÒNG|BỘ|CỤC)\s+[A-ZÀ-ỸĐ ,&\-–]+$")
_TITLE_PREFIX = re.compile(r"^(?:V/v|Về việc|V/V)\s*:?\s*", re.I)
_LEVEL = r"(?P<level>tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn)"
_UBND_LEVEL = re.compile(rf"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+{_LEVEL}\b")
_NAME = r"[A-ZÀ-ỸĐ][a-zà-ỹđ]+(?: [A-ZÀ-ỸĐ][a-zà-ỹđ]+){1,4}"
_CHAIR = re.compile(
    rf"(?:đồng\s+chí\s+(?P<a>{_NAME}))"
    rf"|(?:(?:Phó\s+)?Chủ\s+tịch\s+(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+{_LEVEL}\s+(?P<b>{_NAME}))")
# The family names that cover almost every Vietnamese: a capitalised run that starts with one
# after "Chủ tịch UBND tỉnh" is a person, otherwise it is a place.
SURNAMES = set(fold(x) for x in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trương Lương Mai Cao "
    "Tạ Hà Thái Tô Châu Trịnh Văn Kiều Quách Lưu Chu Vương Tăng Triệu Diệp Từ Hứa Thân Nghiêm Lại").split())
_SIGN_SKIP = re.compile(r"^(?:TM\.|TL\.|KT\.|Q\.|TUQ\.|Nơi nhận|Lưu\b|Tin liên quan|Như trên)", re.I)


@dataclass
class Header:
    kind: str = "khac"
    number: str = ""
    issuer: str = ""
    place: str = ""
    issued: date | None = None
    title: str = ""
    meeting: date | None = None
    chair: str = ""
    signer: str = ""
    notes: list[str] = field(default_factory=list)
    title_index: int = -1       # the paragraph of the title (the body starts after it)


def _date(m) -> date | None:
    try:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except (TypeError, ValueError):
        return None


def _title_case(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split())


def is_person(name: str) -> bool:
    first = name.split()[0] if name.split() else ""
    return fold(first) in SURNAMES


def read_header(lines: list[str], paras: list[Para], known_issuers: list[str] = ()) -> Header:
    h = Header()
    top = [x for x in lines if x][:40]
    level = place = ""
    # -- number, place/date, issuer line, kind word: in the first lines
    for line in top:
        if not h.number and (m := _NUMBER.match(line)):
            raw = m.group("n").strip().rstrip(".")
            h.number = "" if not raw or raw.startswith("/") else raw
            if not raw or raw.startswith("/"):
                h.notes.append("Số để trống (văn bản chưa ghi số).")
            code = re.search(r"/([A-Za-zĐđ]+)-", raw + "-")
            if code and code.group(1) in KIND_CODES:
                h.kind = KIND_CODES[code.group(1)]
            elif raw and re.search(r"/UBND-", raw):
                h.kind = "cong-van"
        elif not place and (m := _PLACE_DATE.match(line)):
            place = m.group("place").strip()
            h.place = place
            if m.group("d"):
                h.issued = _date(m)
            else:
                h.issued = None
                h._blank_month = (int(m.group("y")), int(m.group("m")))  # type: ignore[attr-defined]
        elif not level and (m := _ISSUER_LINE.match(line)):
            level = (m.group("level") or m.group("level2")).lower()
            h.issuer = f"UBND {level} {_title_case(m.group('place') or m.group('place2'))}"
        elif not h.issuer and _OTHER_ISSUER.match(line) and len(line) < 80:
            h.issuer = line[:1] + line[1:].lower()
    # -- kind and title
    kind_at = None
    for i, p in enumerate(paras[:15]):
        key = fold(p.text).strip(" :.")
        for word, kind in KIND_WORDS:
            if key == fold(word):
                h.kind = kind if h.kind in ("khac", "cong-van") or kind != "cong-van" else h.kind
                kind_at = i
                break
        if kind_at is not None:
            break
    vv = next((i for i, p in enumerate(paras[:15]) if _TITLE_PREFIX.match(p.text) and p.rank is None), None)
    if vv is not None and kind_at is None:
        if h.kind == "khac":
            h.kind = "cong-van"
        h.title = _TITLE_PREFIX.sub("", paras[vv].text)
        h.title_index = vv
    elif kind_at is not None and kind_at + 1 < len(paras):
        h.title_index = kind_at + 1
        h.title = _TITLE_PREFIX.sub("", paras[kind_at + 1].text)
    else:
        for i, p in enumerate(paras[:6]):
            if re.match(r"^(?:Ý kiến\s+)?kết luận\b", p.text, re.I) and len(p.text) < 400:
                h.title, h.title_index = p.text, i
                if h.kind == "khac":
                    h.kind = "thong-bao"
                    h.notes.append("Không có tiêu đề văn bản: loại (thông báo) suy ra từ \"Kết luận\".")
                break
    if not h.title and paras:
        h.title, h.title_index = paras[0].text[:200], 0
        h.notes.append("Không tìm thấy trích yếu: lấy đoạn đầu làm tiêu đề.")
    h.title = h.title.rstrip(" .")
    # -- meeting: the first paragraph after the title that opens with a date and speaks of a meeting
    for p in paras[h.title_index + 1:h.title_index + 6]:
        m = _MEETING.match(p.text)
        if m and _MEETING_WORDS.search(p.text[:400]):
            h.meeting = _date(m)
            break
    # -- chair: in the title, the meeting paragraph or the conclusion opening
    for p in paras[max(h.title_index, 0):h.title_index + 6]:
        for m in _CHAIR.finditer(p.text):
            name = m.group("a") or m.group("b")
            if name and is_person(name):
                h.chair = name
                break
        if h.chair:
            break
    # -- issued
    if h.issued is None:
        blank = getattr(h, "_blank_month", None)
        if h.meeting:
            h.issued = h.meeting
            h.notes.append("Ngày ban hành để trống hoặc không có: issued lấy theo ngày họp.")
        elif blank:
            h.issued = date(blank[0], blank[1], 1)
            h.notes.append("Ngày ban hành để trống: issued tạm lấy ngày đầu tháng; cần kiểm tra.")
    # -- issuer, inferred when the header has none
    if not h.issuer:
        h.issuer = _infer_issuer(paras, place, known_issuers, h)
    h.signer = _signer(lines)
    return h


def _infer_issuer(paras: list[Para], place: str, known: list[str], h: Header) -> str:
    text = "\n".join(p.text for p in paras)
    m = _UBND_LEVEL.search(text)
    if not m:
        return ""
    level = m.group("level")
    # "UBND tỉnh Lâm Hải Giang", "thị xã Đức Phổ": a named place of that level that is not a person.
    for m2 in re.finditer(rf"(?:UBND\s+|Ủy ban nhân dân\s+|Uỷ ban nhân dân\s+|\b){re.escape(level)}\s+(?P<p>{_NAME})", text):
        if not is_person(m2.group("p")):
            h.notes.append(f"Cơ quan ban hành suy ra từ nội dung (\"{level} {m2.group('p')}\").")
            return f"UBND {level} {m2.group('p')}"
    if place:
        h.notes.append(f"Cơ quan ban hành suy ra từ địa danh \"{place}\" và cấp \"{level}\".")
        return f"UBND {level} {place}"
    prefix = f"UBND {level} "
    same = [x for x in known if x.startswith(prefix)]
    if same:
        best = max(set(same), key=same.count)
        h.notes.append(f"Cơ quan ban hành không có trong văn bản: lấy \"{best}\", cơ quan thường gặp trong kho; cần kiểm tra.")
        return best
    h.notes.append("Cơ quan ban hành không rõ địa danh; cần bổ sung.")
    return f"UBND {level}"


def _signer(lines: list[str]) -> str:
    """The last line that is a person's name, looking back from the end over the signature block."""
    seen = 0
    for line in reversed(lines):
        if not line:
            continue
        seen += 1
        if seen > 25:
            break
        if _SIGN_SKIP.match(line) or line.startswith(("-", "+")):
            continue
        if re.fullmatch(_NAME, line) and not line.isupper():
            return line
        if len(line.split()) > 8 and not line.startswith(("-",)):
            break
    return ""
