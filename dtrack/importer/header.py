"""The header of a directive: kind, number, issuer, place and date, subject, meeting, chair, signer.

Every field is read from the text; what had to be inferred is said in `notes`, which the
importer writes as comments at the top of the file and shows in the review.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dtrack.domain.text import fold
from dtrack.i18n import t
from dtrack.importer.paragraphs import Para

KIND_WORDS = (("thông báo", "thong-bao"), ("công văn", "cong-van"), ("kế hoạch", "ke-hoach"),
              ("quyết định", "quyet-dinh"), ("chỉ thị", "chi-thi"))
KIND_CODES = {"TB": "thong-bao", "KH": "ke-hoach", "QĐ": "quyet-dinh", "QD": "quyet-dinh", "CT": "chi-thi",
              "BC": "khac", "TTr": "khac", "KL": "thong-bao"}
_DATE = (r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(?P<m>\d{1,2})\s*(?:/|-|\.|\s+năm\s+|,\s*năm\s+)(?P<y>\d{4})")
_MEETING = re.compile(rf"^(?:(?:Sáng|Chiều|Tối|Trưa)\s+)?(?:ngày\s+)?{_DATE}", re.I)
_MEETING_WORDS = re.compile(r"họp|làm việc|hội nghị|chủ trì|kiểm tra|buổi", re.I)
_ISSUER_LINE = re.compile(
    r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s+(?P<level>TỈNH|THÀNH\s+PHỐ|HUYỆN|THỊ\s+XÃ|QUẬN|XÃ|PHƯỜNG|THỊ\s+TRẤN)\s+(?P<place>.+)$"
    r"|^UBND\s+(?P<level2>TỈNH|THÀNH\s+PHỐ|HUYỆN|THỊ\s+XÃ|QUẬN|XÃ|PHƯỜNG|THỊ\s+TRẤN)\s+(?P<place2>.+)$")
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


def _join_split_dates(top: list[str]) -> list[str]:
    """Header lines a narrow table cell broke: 'Yên Bái, ngày' / '27 tháng 3 năm 2024', 'Sơn La, ngày 16
    tháng 11' / 'năm 2018', 'ỦY' / 'BAN NHÂN DÂN', read as one line each."""
    out: list[str] = []
    for line in top:
        if out and re.search(r",\s*ngày\b", out[-1]) and not re.search(r"\d{4}", out[-1]) \
                and re.match(r"^(?:\d|tháng|năm)", line):
            out[-1] += " " + line
        elif out and out[-1] in ("ỦY", "UỶ", "ỦY BAN") and re.match(r"^(?:BAN\s+)?NHÂN\s+DÂN", line):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def _is_header_line(text: str) -> bool:
    return bool(_MOTTO.match(text) or _NUMBER_ANY.match(text) or _PLACE_DATE_ANY.match(text)
                or (_UPPER.match(text) and len(text) < 80))


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


# The motto, also as web copies break it: "CỘNG" / "HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", dashes lost.
_MOTTO = re.compile(r"^(?:CỘNG\s*H[OÒ]A\s*X.{0,3}HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|CỘNG\s+H[OÒ]A\s+XÃ\s+HỘI|CỘNG|"
                    r"H[OÒ]A\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|CHỦ\s+NGHĨA\s+VIỆT\s+NAM|"
                    r"Độc\s+lập\s*[-–]?\s*Tự\s+do\s*[-–]?\s*Hạnh\s+phúc|[-_=–—*\s]{3,})$")
_NUMBER_ANY = re.compile(r"^Số\s*:?\s*(?P<n>[\w./&\-–Đđ]*?/[\w./&\-–Đđ]*|/?[\w&\-Đđ]*)(?=\s|$)(?P<rest>.*)$", re.I)
_PLACE_DATE_ANY = re.compile(
    r"(?P<place>[^\W\d][^,\d]{1,40}),\s*ngày\s*(?P<d>\d{1,2})?\s*(?:/|tháng)\s*(?P<m>\d{1,2})?\s*(?:/|năm)\s*(?P<y>\d{4})",
    re.I)
# The issuing body, one or two upper-case lines: "ỦY BAN NHÂN DÂN" / "TỈNH X", "UBND TỈNH X" / "VĂN PHÒNG".
_BODY_START = re.compile(r"^(?:(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN|UBND|SỞ|BAN|VĂN\s+PHÒNG|BỘ|CỤC|CHI\s+CỤC|TRUNG\s+TÂM|"
                         r"HỘI\s+ĐỒNG|CÔNG\s+AN|BỘ\s+CHỈ\s+HUY|TỈNH\s+ỦY|THÀNH\s+ỦY|HUYỆN\s+ỦY|ĐẢNG\s+ỦY|PHÒNG)\b")
_LEVEL_LINE = re.compile(r"^(?P<level>TỈNH|THÀNH\s+PHỐ|HUYỆN|THỊ\s+XÃ|QUẬN|XÃ|PHƯỜNG|THỊ\s+TRẤN|ĐẶC\s+KHU)\s+(?P<place>.+)$")
_INNER_PARENT = re.compile(r"^(?P<body>.+?)\s+(?:(?:UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\s+)?"
                           r"(?P<level>TỈNH|THÀNH\s+PHỐ|HUYỆN|THỊ\s+XÃ|QUẬN|XÃ|PHƯỜNG|ĐẶC\s+KHU)\s+(?P<place>[^,]+)$")
_UPPER = re.compile(r"^[A-ZÀ-ỸĐ0-9 ,&\-–.()]+$")
_JOINERS = ("và", "-", "–", "&")


_ABBREVIATIONS = {"UBND", "HĐND", "MTTQ", "CNTT", "TƯ", "TW", "KT-XH", "BCH", "BCĐ", "QLDA", "ĐTXD"}


def _agency_case(s: str) -> str:
    """'SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH' -> 'Sở Văn hóa, Thể thao và Du lịch': a capital after the
    head word, after a comma, "và" or a dash, as agency names are written."""
    words = s.split()
    out = []
    cap_next = True
    heads = {"sở", "ban", "văn", "bộ", "cục", "chi", "trung", "hội", "công", "phòng"}
    for i, w in enumerate(words):
        low = w.lower()
        if w.strip(",") in _ABBREVIATIONS or "&" in w:
            out.append(w)
            cap_next = False
            continue
        if low in _JOINERS:
            out.append(low)
            cap_next = True
            continue
        out.append(low[:1].upper() + low[1:] if cap_next else low)
        cap_next = w.endswith(",") or (i == 0 and low in heads) or (i == 1 and words[0].lower() + " " + low in (
            "văn phòng", "trung tâm", "chi cục", "hội đồng", "công an", "bộ chỉ"))
    return " ".join(out)


def _level_place(level: str, place: str) -> str:
    return " ".join(level.lower().split()) + " " + _title_case(place)


def _issuer_of(lines: list[str], known) -> str:
    """The issuing body from the header lines, its parent prefixed as the office writes it."""
    parent = ""
    for k, line in enumerate(lines):
        m = _ISSUER_LINE.match(line)
        if m:
            parent = "UBND " + _level_place(m.group("level") or m.group("level2"), m.group("place") or m.group("place2"))
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            if nxt and _BODY_START.match(nxt) and _UPPER.match(nxt):
                return _sub_body(nxt, parent, known)
            return parent
        if re.fullmatch(r"(?:ỦY|UỶ|Y)\s+BAN\s+NHÂN\s+DÂN", line):
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            lv = _LEVEL_LINE.match(nxt)
            if lv:
                parent = "UBND " + _level_place(lv.group("level"), lv.group("place"))
                after = lines[k + 2] if k + 2 < len(lines) else ""
                if after and _BODY_START.match(after) and _UPPER.match(after):
                    return _sub_body(after, parent, known)
                return parent
            continue
        inner = _INNER_PARENT.match(line)
        if inner and _BODY_START.match(line) and _UPPER.match(line):
            # "VĂN PHÒNG UBND TỈNH QUẢNG NINH", "SỞ Y TẾ TỈNH X": the body and its parent on one line.
            parent = "UBND " + _level_place(inner.group("level"), inner.group("place"))
            return _sub_body(inner.group("body"), parent, known)
        if _BODY_START.match(line) and _UPPER.match(line) and len(line) < 80:
            body = line
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            # A body name wrapped on two lines: "SỞ NÔNG NGHIỆP" / "VÀ MÔI TRƯỜNG".
            if nxt and _UPPER.match(nxt) and not _BODY_START.match(nxt) and not _LEVEL_LINE.match(nxt) \
                    and not nxt.startswith("SỐ") and len(nxt) < 60:
                body += " " + nxt
            return _sub_body(body, "", known)
    return ""


def _sub_body(line: str, parent: str, known) -> str:
    name = _agency_case(line)
    hit = known(name) if known and not parent else None
    if hit:
        return hit
    if parent and not re.search(r"\b(?:tỉnh|thành phố|huyện|xã|phường)\b", name, re.I):
        if name.lower() == "văn phòng":
            return "Văn phòng " + parent
        place = parent.split(" ", 1)[1]
        return f"{name} {place}"
    return name


# A portal or a newspaper quotes the document in prose: "Ngày 12/6, UBND tỉnh ban hành Công văn số
# 1207/UBND-KT về việc ...", "UBND tỉnh vừa ban hành Kế hoạch số 455/KH-UBND ...".
_PROSE_KINDS = {"công văn": "cong-van", "kế hoạch": "ke-hoach", "thông báo": "thong-bao", "quyết định": "quyet-dinh",
                "chỉ thị": "chi-thi", "thông báo kết luận": "thong-bao", "văn bản": "cong-van", "công điện": "khac"}
_PROSE = re.compile(
    r"(?:(?:(?:Sáng|Chiều|Tối|Trưa|sáng|chiều|tối|trưa)\s+(?:ngày\s+)?|(?:Ngày|ngày)\s+)(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(?P<m>\d{1,2})(?:\s*(?:/|-|\.|\s+năm\s+)(?P<y>\d{4}))?\s*,\s*)?"
    r"(?:(?:thừa lệnh|thay mặt)\s+)?"
    r"(?P<who>(?:Chủ tịch\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Văn phòng UBND|Sở|Ban)[^.;:\n]{0,110}?)\s+"
    r"(?:đã\s+|vừa\s+|mới\s+|chính thức\s+)*(?:có|ban hành|ký ban hành|phát hành|ra|gửi)\s+"
    r"(?P<kind>(?i:thông báo kết luận|công văn|kế hoạch|thông báo|quyết định|chỉ thị|văn bản|công điện))\s+"
    r"(?:(?:hỏa tốc|khẩn)\s+)?số\s+(?P<n>[\w.&\-Đđ]+ ?/[\w./&\-Đđ]+)"
    r"(?:\s+ngày\s+(?P<d2>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(?P<m2>\d{1,2})(?:\s*(?:/|-|\.|\s+năm\s+)(?P<y2>\d{4}))?)?"
    r"(?P<title>[^.;]{0,150}?\s*,?\s*(?:về việc|V/v)\s+[^.;]{5,300}|\s*,?\s*về\s+[^.;]{5,300})?")
_PAGE_DATE = re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})(?!\d)")
_ANY_YEAR = re.compile(r"(?<![\d/])(?:năm\s+|/)(20\d\d)(?!\d)")


# Capitalised words after "tỉnh" that are not a place: "tỉnh Ủy", "tỉnh Đoàn" ...
_NOT_PLACES = {"uy", "doan", "hoi", "ban"}


# A quotation that names its source at the end: "(Theo Công văn số 6202/UBND-KT, ngày 23/11/2023)".
_SOURCE_NOTE = re.compile(
    r"\(?\s*Theo\s+(?P<kind>(?i:công văn|kế hoạch|thông báo|quyết định|chỉ thị|văn bản))\s+số\s+"
    r"(?P<n>[\w.&\-Đđ]+ ?/[\w./&\-Đđ]+?)\s*,?\s*ngày\s+(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})")


def _prose_header(h: "Header", lines: list[str], text: str) -> bool:
    m = _PROSE.search(text[:3000])
    if not m:
        note = _SOURCE_NOTE.search(text)
        if not note:
            return False
        h.number = note.group("n").replace(" ", "").rstrip(".,")
        h.kind = _PROSE_KINDS.get(note.group("kind").lower(), "khac")
        h.issued = _date(note)
        # The page's headline is the title; the quotation under it is the body.
        h.title, h.title_index = text.split("\n", 1)[0][:200], 0
        return True
    h.number = m.group("n").rstrip(".,").replace(" ", "")
    h.kind = _PROSE_KINDS.get(m.group("kind").lower(), "khac")
    who = re.sub(r"^(?:Chủ tịch|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", lambda x: "UBND " if "ban" in x.group(0) else "",
                 m.group("who")).strip()
    who = re.sub(r"^(?:Ủy|Uỷ) ban nhân dân", "UBND", who)
    # "Chủ tịch UBND tỉnh Tuyên Quang, Phó Chánh Văn phòng ... Nguyễn Thanh": the body, not who signed.
    who = re.split(r"\s*,\s*", who)[0]
    bare = re.fullmatch(r"UBND\s+(tỉnh|thành phố|huyện|thị xã|xã|phường)", who)
    if bare:
        # "UBND tỉnh ban hành ..." on a page that names the province elsewhere ("tỉnh Quảng Ngãi").
        for m2 in re.finditer(rf"\b{bare.group(1)}\s+(?P<p>{_NAME})", text):
            if not is_person(m2.group("p")) and fold(m2.group("p").split()[0]) not in _NOT_PLACES:
                who = f"{who} {m2.group('p')}"
                h.notes.append(t("issuer inferred from the text (\"{name}\")", name=who))
                break
    h.issuer = who
    if m.group("title"):
        h.title = re.sub(r"^.*?(?:về việc|V/v)\s+|^\s*,?\s*về\s+", "", m.group("title"), count=1).strip()
    d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (m.group("d2"), m.group("m2"), m.group("y2"))
    if d:
        year = int(y) if y else _year_of_page(lines, text, int(mo))
        try:
            h.issued = date(year, int(mo), int(d)) if year else None
        except ValueError:
            h.issued = None
        if h.issued and not y:
            h.notes.append(t("issue year inferred from the page ({year}); check it", year=year))
    return True


def _year_of_page(lines: list[str], text: str, month: int) -> int | None:
    """The publication date line at the top of the page, else the most frequent year of the text."""
    for line in lines[:8]:
        m = _PAGE_DATE.search(line)
        if m:
            y, pm = int(m.group("y")), int(m.group("m"))
            # Published in January about a December letter: the letter is of the year before.
            return y - 1 if month > pm + 1 else y
    years = [int(x) for x in _ANY_YEAR.findall(text)]
    return max(set(years), key=years.count) if years else None


def read_header(lines: list[str], paras: list[Para], known_issuers: list[str] = (), known=None) -> Header:
    h = Header()
    top = _join_split_dates([x for x in lines if x and not _MOTTO.match(x) and x != "|"][:40])
    place = ""
    # -- number, place/date, issuer lines, kind word: in the first lines
    for line in top:
        if not h.number and (m := _NUMBER_ANY.match(line)):
            raw = m.group("n").strip().rstrip(".,")
            blank = not raw or raw.startswith("/")
            h.number = "" if blank else raw
            if blank:
                h.notes.append(t("the number is blank (a draft or an unnumbered copy)"))
            code = re.search(r"/([A-Za-zĐđ]+)-", raw + "-")
            if code and code.group(1) in KIND_CODES:
                h.kind = KIND_CODES[code.group(1)]
            elif raw and re.search(r"/UBND-", raw):
                h.kind = "cong-van"
            line = m.group("rest").strip()
        if not place and (m := _PLACE_DATE_ANY.search(line)) and m.start() < 3:
            place = m.group("place").strip()
            h.place = place
            h.issued = _date(m) if m.group("d") and m.group("m") else None
    h.issuer = _issuer_of(top[:12], known)
    prose = not h.number and not place and _prose_header(h, lines, "\n".join(p.text for p in paras))
    # -- kind and title
    kind_at = None
    for i, p in enumerate(paras[:25]):
        key = fold(p.text).strip(" :.")
        for word, kind in KIND_WORDS:
            if key == fold(word) or (key.startswith(fold(word) + " ") and p.text[:len(word)].isupper()
                                     and not prose and len(key) > len(word) + 3 and i < 25):
                h.kind = kind if h.kind in ("khac", "cong-van") or kind != "cong-van" else h.kind
                kind_at = i
                break
        if kind_at is not None:
            break
    vv = next((i for i, p in enumerate(paras[:25]) if _TITLE_PREFIX.match(p.text) and p.rank is None), None)
    if prose:
        if h.title_index < 0:
            h.title_index = next((i for i, p in enumerate(paras[:12]) if h.number in p.text), 0)
        if not h.title:
            # No "về việc": the page's headline above the prose, else the prose itself.
            heads = [p.text for p in paras[:h.title_index] if len(p.text) < 200 and not _PAGE_DATE.search(p.text)]
            h.title = heads[-1] if heads else paras[h.title_index].text[:200]
    elif vv is not None and (kind_at is None or vv < kind_at):
        if h.kind == "khac":
            h.kind = "cong-van"
        h.title = _TITLE_PREFIX.sub("", paras[vv].text)
        h.title_index = vv
    elif kind_at is not None and fold(paras[kind_at].text).strip(" :.") not in {fold(w) for w, _ in KIND_WORDS}:
        # "THÔNG BÁO KẾT LUẬN CỦA ..." on one line: the title follows the kind word.
        word = next(w for w, _ in KIND_WORDS if fold(paras[kind_at].text).startswith(fold(w)))
        h.title, h.title_index = paras[kind_at].text[len(word):].strip(" :"), kind_at
    elif kind_at is not None and kind_at + 1 < len(paras):
        h.title_index = kind_at + 1
        h.title = _TITLE_PREFIX.sub("", paras[kind_at + 1].text)
    else:
        for i, p in enumerate(paras[:6]):
            if re.match(r"^(?:Ý kiến\s+)?kết luận\b", p.text, re.I) and len(p.text) < 400:
                h.title, h.title_index = p.text, i
                if h.kind == "khac":
                    h.kind = "thong-bao"
                    h.notes.append(t("no document title: the kind (thông báo) is inferred from \"Kết luận\""))
                break
    if not h.title and paras:
        first = next((i for i, p in enumerate(paras[:12]) if not _is_header_line(p.text)), 0)
        h.title, h.title_index = paras[first].text[:200], first
        h.notes.append(t("no subject line found: the first paragraph is taken as the title"))
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
    # -- issued: never the meeting's date nor a guessed day; a blank stays blank and is flagged
    if h.issued is None:
        h.notes.append(t("the issue date is missing or blank; fill it in"))
    # -- issuer, inferred when the header has none
    if not h.issuer:
        h.issuer = _infer_issuer(paras, place, known_issuers, h)
    # A portal page or a newspaper ends with its reporter's byline, never a signature.
    h.signer = "" if prose else _signer(lines)
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
            h.notes.append(t("issuer inferred from the text (\"{name}\")", name=f"{level} {m2.group('p')}"))
            return f"UBND {level} {m2.group('p')}"
    if place:
        h.notes.append(t("issuer inferred from the place \"{place}\" and the level \"{level}\"", place=place, level=level))
        return f"UBND {level} {place}"
    prefix = f"UBND {level} "
    same = [x for x in known if x.startswith(prefix)]
    if same:
        best = max(set(same), key=same.count)
        h.notes.append(t("issuer not in the document: \"{name}\", the most frequent in the store, is assumed; check it", name=best))
        return best
    h.notes.append(t("issuer inferred without its place; complete it"))
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
