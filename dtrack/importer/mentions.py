"""Where a text names agencies: registry names and abbreviations, enumerations ("các Sở: TTTT,
NV, TC", "các xã, phường: Phổ Ninh, Phổ Hòa"), and agency-shaped names the registry does not know.

Matching runs on a folded copy of the text with the same length (case and diacritics
removed character by character), so every mention keeps exact offsets into the original.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from dtrack.domain.agencies import Registry
from dtrack.domain.text import fold


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    names: tuple[str, ...]     # canonical names (an enumeration gives several)
    known: bool = True         # every name is in the registry
    whole: bool = False        # a group kept whole ("UBND các xã, phường, đặc khu") over a shorter registry name


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x)).lower()
    return base if len(base) == 1 else c.lower()[:1] or "?"


def fold_same_length(s: str) -> str:
    out = "".join(_fold_char(c) for c in s)
    return out.replace("\u2013", "-").replace("\u2014", "-")


def _pattern(label: str) -> str:
    words = re.split(r"\s+", fold_same_length(label.strip()))
    parts = []
    for w in words:
        parts.append(r"\s*-\s*" if w == "-" else re.escape(w))
    out = ""
    for i, p in enumerate(parts):
        if i and not p.startswith(r"\s*-") and not parts[i - 1].startswith(r"\s*-"):
            out += r"\s+"
        out += p
    return out


# Heads of agency names, for names the registry does not know.
_HEADS = (r"Sở|Ban|Phòng|Trung tâm|Văn phòng|Công an|Bộ Chỉ huy|Bộ|Cục|Chi cục|Đài|Báo|Kho bạc|"
          r"Bảo hiểm|Viễn thông|Hội|Liên đoàn|Tỉnh đoàn|Thanh tra|Ngân hàng|Điện lực|Bưu điện|Cảng vụ|"
          r"Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Hội đồng nhân dân|HĐND|Đoàn|Trường|Bệnh viện|Chi nhánh|"
          r"Tổng công ty|Công ty|Hợp tác xã|Tỉnh ủy|Tỉnh uỷ|Thành đoàn|Thành ủy|Huyện ủy|Huyện đoàn|Ủy ban Mặt trận|Ủy ban MTTQ|Quỹ|Viện|Học viện|Cảng|"
          r"Bộ đội Biên phòng|Ban Chỉ huy|Ban Chỉ đạo|Đài Phát thanh|Ban Quản lý")
_CAP = r"[A-ZÀ-ỸĐ][\wÀ-ỹ&]*"
_LOW = r"[a-zà-ỹđ][\wà-ỹ]*"
# Lower-case words and two-word verbs that end a name: what follows a subject ("Sở Văn hóa, Thể
# thao và Du lịch chủ trì", "Trung tâm Kiểm soát bệnh tật khẩn trương ..."). Two-word verbs are
# matched as pairs, so "soát" of "rà soát" never cuts "Kiểm soát".
_STOP_WORDS = set((
    "có trên tại về của cho với để và các được là đã đang sẽ cần phải gửi trình thuộc từ đến trong năm ngày "
    "tháng giao lập nộp theo căn nhằm này đó khi nếu hoặc cùng những mỗi ban hành"
).split()) - {"ban", "hành"}
_STOP_PAIRS = set((
    "chủ trì|phối hợp|tham mưu|khẩn trương|thực hiện|triển khai|tổ chức|chỉ đạo|rà soát|xây dựng|báo cáo|"
    "hướng dẫn|theo dõi|kiểm tra|nghiên cứu|đề xuất|chịu trách|tiếp tục|chủ động|tích cực|hoàn thành|hoàn chỉnh|"
    "hoàn thiện|lựa chọn|xem xét|thẩm định|đôn đốc|giám sát|quản lý|cung cấp|bố trí|đảm bảo|bảo đảm|tăng cường|"
    "đẩy mạnh|nâng cao|nâng cấp|liên quan|trực thuộc|cập nhật|tổng hợp|đánh giá|tuyên truyền|phổ biến|xử lý|"
    "giải quyết|khắc phục|kiện toàn|củng cố|vận hành|duy trì|chuẩn bị|nghiệm thu|tập trung|quán triệt|bám sát|"
    "đẩy nhanh|sắp xếp|cân đối|phân bổ|thống kê|ưu tiên|rà lại|chỉ huy trưởng|có trách|có nhiệm|phân công|"
    "lập danh|ban hành|trình ký|đề nghị|yêu cầu|thông báo|tăng cường|mở rộng|thành lập|điều chỉnh|bổ sung|"
    "hỗ trợ|tiếp nhận|thẩm tra|xác minh|thanh tra|kiểm soát dịch|làm việc|làm rõ|vận động|kết nối|tiến hành|"
    "tham gia|tham dự|phát động|phát hiện|sửa chữa|công bố|ký kết|mua sắm|phân loại|thu hồi|giải ngân|"
    "thanh toán|quyết toán|lắp đặt|vận chuyển|bảo vệ|quan tâm|nắm bắt|nắm chắc|thường xuyên|kịp thời|sớm|"
    "trực tiếp|khẩn cấp|nghiêm túc|quyết liệt|tích hợp|chia sẻ|số hóa|ứng dụng|tiếp thu|thống nhất|"
    "đề ra|ra soát|dự thảo|soạn thảo|rà lại|chấn chỉnh|tập huấn|bồi dưỡng|đào tạo cán|phòng ngừa|ngăn chặn|"
    "dừng|tạm dừng|đình chỉ|cấp phát|cấp phép|cấp điện|cấp nước|bàn giao|tiếp tục thực|khảo sát|điều tra|"
    "thu thập|lấy ý|đăng tải|đưa tin|phát hành|gia cố|di dời|sơ tán|tuần tra|truy xuất|thu hái|xét nghiệm|"
    "cung ứng|kiểm định|đối thoại|công khai|dọn dẹp|ra quân|sửa đổi|phê duyệt|lập danh|lập kế|lập hồ|"
    "hoàn tất|bổ sung|tổng kết|sơ kết|rà soát|kiểm đếm|cưỡng chế|vận hành|ban hành|kiểm soát|sẵn sàng|"
    "siết chặt|niêm yết|phấn đấu|rà soát lại|lập tức|tăng thời|thông tin cho|phát tin|đưa vào|ra soát"
).split("|"))
# A name's lower-case words: "Ban Quản lý dự án đầu tư xây dựng" has four in a row.
_MAX_LOWER = 5


def _stops(w: str, nxt: str) -> bool:
    # Exact lower-case words: folded, "giáo" (Tôn giáo) would be "giao" (to assign).
    a = w.lower()
    return a in _STOP_WORDS or f"{a} {nxt.lower()}" in _STOP_PAIRS


_LEVEL = r"(?:tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn)"
_UBND = r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)"
_PLACE = rf"{_CAP}(?:\s+{_CAP}){{0,3}}"
_ENUM_HEAD = re.compile(
    r"\b(?:các|Các)\s+(?P<head>Sở|sở|Phòng|phòng|(?:xã|phường|thị trấn|huyện|thị xã)"
    r"(?:\s*,\s*(?:xã|phường|thị trấn|huyện|thị xã|thành phố))*)\s*:\s*")


# The provincial departments before and after the 2025 reorganisation: what an abbreviation such
# as "Sở NN&MT" stands for when the office's registry does not list the department yet.
DEPARTMENTS = (
    "Nội vụ", "Tư pháp", "Tài chính", "Công Thương", "Nông nghiệp và Môi trường", "Xây dựng", "Y tế",
    "Văn hóa, Thể thao và Du lịch", "Khoa học và Công nghệ", "Giáo dục và Đào tạo", "Dân tộc và Tôn giáo",
    "Ngoại vụ", "Kế hoạch và Đầu tư", "Thông tin và Truyền thông", "Lao động - Thương binh và Xã hội",
    "Nông nghiệp và Phát triển nông thôn", "Tài nguyên và Môi trường", "Giao thông vận tải", "Văn hóa và Thể thao",
    "Du lịch")
_ABBR = re.compile(r"(?<![\wÀ-ỹ&])(?:Sở\s+(?P<a>[A-ZĐ]{1,4}(?:\s*[&\-–]\s*[A-ZĐ]{1,4}){0,3})"
                   r"|S(?P<b>[A-ZĐ]{3,7}))(?![\wÀ-ỹ&])")


_OFFICE = re.compile(r"(?<![\wÀ-ỹ])(?:VP\s*UBND|VPUBND|VPUB)(?:\s+tỉnh)?(?![\wÀ-ỹ])")


def initials(name: str) -> str:
    """'Sở Lao động - Thương binh và Xã hội' -> 'LDTBXH': the letters an abbreviation keeps."""
    words = [w for w in re.split(r"[\s,\-–&]+", name) if w and w.lower() not in ("và", "sở")]
    return "".join(fold(w)[:1] for w in words).upper()


# Groups that stand for several agencies at once: "UBND các xã, phường, đặc khu", "Giám đốc các sở",
# "Thủ trưởng các cơ quan, đơn vị", "Hiệu trưởng các trường" (a person for the body they head).
_LEVELS = r"(?:tỉnh|huyện|thị xã|thành phố|quận|xã|phường|thị trấn|đặc khu)"
_UBND_GROUP = re.compile(rf"(?<![\wÀ-ỹ])(?:Chủ tịch\s+)?(?P<u>(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
                         rf"(?:cấp\s+(?:huyện|xã)|các\s+{_LEVELS}(?:\s*(?:,|và)\s*{_LEVELS}(?![\wÀ-ỹ]))*))")
# Boards carry long lower-case names: "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và
# công nghiệp tỉnh", "Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh" run to their level word.
_UPPER = "[A-ZÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬĐÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ]"
_PROJECT_BOARD = re.compile(rf"(?<![\wÀ-ỹ])(?:Ban Quản lý (?:các )?(?:dự án|khu)|Ban Chỉ (?:huy|đạo))(?:[^,;.:()]|,(?!\s+{_UPPER}))"
                            r"{0,90}?\s(?:tỉnh|thành phố|huyện|thị xã)"
                            r"(?:\s+[A-ZÀ-ỸĐ][\wÀ-ỹ]*){0,3}(?![\wÀ-ỹ])")
_PERSON = r"(?:Giám đốc|Thủ trưởng|Hiệu trưởng|Người đứng đầu|Trưởng)"
_PERSON_GROUP = re.compile(rf"(?<![\wÀ-ỹ]){_PERSON}\s+(?P<g>các\s+(?:sở\s*,\s*(?:Thủ trưởng\s+)?(?:các\s+)?ban,\s*ngành(?:,\s*đoàn thể)?|sở,\s*ngành|"
                           rf"sở|cơ quan,\s*đơn vị(?:,\s*địa phương)?|cơ quan|đơn vị|trường(?:\s+học)?|"
                           rf"ban,\s*ngành|phòng,\s*ban|phòng,\s*đơn vị))(?:\s+(?:tỉnh|thành phố|thuộc tỉnh|trực thuộc))?(?![\wÀ-ỹ])"
                           rf"(?!\s+(?:có\s+)?liên quan)"
                           rf"|(?<=[Gg]iao\s)(?P<g3>các\s+sở,\s*ngành)(?![\wÀ-ỹ])"
                           rf"|(?<![\wÀ-ỹ])(?P<g2>Các\s+(?:cơ quan,\s*đơn vị(?:,\s*địa phương)?|cơ quan chuyên môn|đơn vị|"
                           rf"địa phương|sở,\s*ngành))(?![\wÀ-ỹ,])")


class Finder:
    def __init__(self, registry: Registry):
        self.registry = registry
        self._by_initials: dict[str, str] = {}
        self._departments = sorted(DEPARTMENTS, key=len, reverse=True)
        # Folded once: a paragraph names hundreds of agencies, each checked against every department.
        self._department_keys = [fold_same_length("Sở " + dept) for dept in self._departments]
        for dept in DEPARTMENTS:
            self._by_initials.setdefault(initials(dept), "Sở " + dept)
        for agency in registry.agencies:
            if agency.name.startswith("Sở "):
                self._by_initials[initials(agency.name)] = agency.name
        labels: list[tuple[str, str, bool]] = []     # (label, canonical, case-sensitive)
        for agency in registry.agencies:
            labels.append((agency.name, agency.name, False))
            for alias in agency.aliases:
                if " " in alias or not alias.isupper():
                    labels.append((alias, agency.name, False))
                else:
                    if agency.name.startswith("Sở "):
                        labels.append(("Sở " + alias, agency.name, False))
                    if len(alias) >= 3 and alias[0] in "SV":
                        labels.append((alias, agency.name, True))
        labels.sort(key=lambda x: -len(x[0]))
        insensitive = [(label, name) for label, name, cs in labels if not cs]
        self._names = dict((fold_same_length(label).strip(), name) for label, name in reversed(insensitive))
        self._re = re.compile(r"(?<![\w])(?:" + "|".join(f"(?:{_pattern(lb)})" for lb, _ in insensitive) + r")(?![\w])") \
            if insensitive else None
        sensitive = [(label, name) for label, name, cs in labels if cs]
        self._cs = {label: name for label, name in sensitive}
        self._cs_re = re.compile(r"(?<![\w&])(?:" + "|".join(re.escape(lb) for lb, _ in sensitive) + r")(?![\w&])") \
            if sensitive else None
        # Sở names without "Sở", for enumerations: "các Sở: Tài chính, Nội vụ".
        self._by_fold = {}
        for agency in registry.agencies:
            for label in (agency.name, *agency.aliases):
                self._by_fold.setdefault(fold(label), agency.name)

    # -- single lookups

    def lookup(self, label: str) -> str | None:
        return self._by_fold.get(fold(label))

    def _department_end(self, text: str, folded: str, start: int, end: int) -> int:
        """A department the registry lacks ends where its standard name does ("Sở Công Thương kiểm
        soát ..." is "Sở Công Thương"), else after at most two lower-case words of its own."""
        if not text.startswith("Sở ", start):
            return end
        for key in self._department_keys:
            if folded.startswith(key, start) and not folded[start + len(key):start + len(key) + 1].isalnum():
                return start + len(key)
        return end

    def plural_subject(self, text: str, pos: int = 0) -> tuple[int, str] | None:
        """(end, name) of "Các chủ đầu tư", "Các doanh nghiệp": "Các" and the words before its verb."""
        m = re.compile(r"Các\s+").match(text, pos)
        if not m:
            return None
        words = list(_TOKEN.finditer(text[m.end():m.end() + 60]))
        for k, w in enumerate(words[:5]):
            nxt = words[k + 1].group(1) if k + 1 < len(words) else ""
            if not w.group(1)[:1].isalpha() or _stops(w.group(1), nxt):
                if k == 0:
                    return None
                end = m.end() + words[k - 1].end()
                return end, text[pos:end]
        return None

    def abbreviation(self, abbr: str) -> str | None:
        """'NN&PTNT', 'TN&MT', 'LĐ-TB&XH': the department whose initials these are."""
        known = self.lookup("Sở " + abbr) or (self.lookup(abbr) if len(abbr) >= 3 else None)
        if known:
            return known
        return self._by_initials.get(fold(re.sub(r"[\s&\-–]", "", abbr)).upper())

    # -- scanning

    def find(self, text: str) -> list[Mention]:
        """Every agency mention, left to right, longest first where they overlap."""
        folded = fold_same_length(text)
        found: list[Mention] = []
        for m in _ENUM_HEAD.finditer(text):
            found.extend(self._enumeration(text, folded, m))
        if self._re is not None:
            for m in self._re.finditer(folded):
                name = self._names.get(re.sub(r"\s+", " ", m.group(0)))
                if name is None:
                    name = self._resolve_folded(m.group(0))
                if name:
                    # "Sở Y tế các tỉnh, thành phố": the department of every province, a group.
                    group = _LEVEL_GROUP.match(text, m.end())
                    if group:
                        raw = text[m.start():group.end()]
                        found.append(Mention(m.start(), group.end(), (raw,), False, True))
                    else:
                        found.append(Mention(m.start(), m.end(), (name,)))
        if self._cs_re is not None:
            for m in self._cs_re.finditer(text):
                found.append(Mention(m.start(), m.end(), (self._cs[m.group(0)],)))
        for m in _ABBR.finditer(text):
            name = self.abbreviation(m.group("a") or m.group("b"))
            if name:
                found.append(Mention(m.start(), m.end(), (name,), self.lookup(name) is not None))
        for m in _OFFICE.finditer(text):
            name = self.lookup(m.group(0)) or self.lookup("Văn phòng UBND tỉnh")
            found.append(Mention(m.start(), m.end(), (name or "Văn phòng UBND tỉnh",), name is not None))
        for m in _UBND_GROUP.finditer(text):
            raw = re.sub(r"\s*,\s*", ", ", re.sub(r"^(?:Ủy|Uỷ) ban nhân dân", "UBND", m.group("u")))
            name = self.lookup(raw)
            found.append(Mention(m.start(), m.end(), (name or raw,), name is not None, True))
        for m in _PROJECT_BOARD.finditer(text):
            raw = m.group(0)
            while raw.split()[-1][:1].islower() and raw.split()[-1] not in ("tỉnh", "phố", "huyện", "xã"):
                raw = raw.rsplit(None, 1)[0]
            name = self.lookup(raw)
            found.append(Mention(m.start(), m.start() + len(raw), (name or raw,), name is not None, True))
        for m in _PERSON_GROUP.finditer(text):
            g = re.sub(r"\s*,\s*", ", ", m.group("g") or m.group("g2") or m.group("g3"))
            if fold(g).startswith("cac so, ") and ("ban" in fold(g) or fold(g) == "cac so, nganh"):
                g = "các sở, ban, ngành"
            name = self.lookup(g) or self.lookup(g + " tỉnh") or (self.lookup("Các sở, ban, ngành")
                                                                 if fold(g) == "cac so" else None)
            found.append(Mention(m.start(), m.end(), (name or g[:1].upper() + g[1:],), name is not None))
        for start, end in _generic_names(text):
            end = self._department_end(text, folded, start, end)
            raw = re.sub(r"^(?:Ủy|Uỷ) ban nhân dân\b", "UBND", text[start:end])
            raw = re.sub(r"^Trưởng phòng\b", "Phòng", raw)
            name = self.lookup(raw)
            found.append(Mention(start, end, (name or raw,), name is not None))
        return _non_overlapping(found)

    def _resolve_folded(self, s: str) -> str | None:
        key = re.sub(r"\s*-\s*", " - ", re.sub(r"\s+", " ", s)).strip()
        for label, name in self._names.items():
            if re.sub(r"\s*-\s*", " - ", label) == key:
                return name
        return None

    def _enumeration(self, text: str, folded: str, head) -> list[Mention]:
        """'các Sở: Thông tin và Truyền thông, Tài chính' or 'Các xã, phường: Phổ Ninh, Phổ Hòa và ...'."""
        kinds = [k.strip() for k in head.group("head").lower().split(",")]
        pos = head.end()
        names: list[str] = []
        end = pos
        while pos < len(text):
            item, item_end = self._enum_item(text, pos, kinds)
            if item is None:
                break
            names.append(item)
            end = item_end
            sep = re.compile(r"\s*(?:,|;)\s*(?!và\b)|\s+và\s+").match(text, item_end)
            if not sep:
                break
            nxt = sep.end()
            # A registered agency after "và" is a new subject, not an item of this list.
            if self._re is not None and self._re.match(folded, nxt):
                break
            pos = nxt
        if len(names) < 1:
            return []
        known = all(self.lookup(n) for n in names)
        return [Mention(head.start(), end, tuple(names), known)]

    def _enum_item(self, text: str, pos: int, kinds: list[str]):
        if kinds[0] in ("sở", "phòng"):
            prefix = "Sở " if kinds[0] == "sở" else "Phòng "
            # The longest run of words that, with the prefix, names a registered agency.
            words = list(re.finditer(r"[^\s,;.:()]+", text[pos:pos + 120]))
            for k in range(min(len(words), 10), 0, -1):
                piece = text[pos:pos + words[k - 1].end()]
                if re.search(r"[,;.:]", piece):
                    continue
                name = self.lookup(prefix + piece) or ((self.lookup(piece) or self.abbreviation(piece))
                                                       if piece.isupper() and prefix == "Sở " else None)
                if name:
                    return name, pos + words[k - 1].end()
            m = re.compile(rf"{_CAP}(?:\s+(?:{_LOW}|{_CAP}))*").match(text, pos)
            if not m:
                return None, pos
            piece = m.group(0)
            cut = re.search(r"\s+và\s+", piece)
            if cut:
                piece = piece[:cut.start()]
            known = self.lookup(piece)
            return (known or prefix + piece), pos + len(piece)
        m = re.compile(rf"{_CAP}(?:\s+{_CAP}){{0,3}}").match(text, pos)
        if not m or _HEAD_RE.match(text, pos):
            return None, pos
        piece = m.group(0)
        for kind in kinds:
            for label in (f"UBND {kind} {piece}", f"{kind} {piece}"):
                name = self.lookup(label)
                if name:
                    return name, m.end()
        kind = _kind_in_text(text, piece) or kinds[0]
        return f"UBND {kind} {piece}", m.end()


_HEAD_RE = re.compile(rf"(?:{_HEADS})(?![\wÀ-ỹ])")
_GENERIC_HEAD = re.compile(rf"(?<![\wÀ-ỹ])(?:Trưởng phòng|{_HEADS})(?![\wÀ-ỹ])")
_TOKEN = re.compile(r"\s*([,&]|[-–](?=\s)|[\wÀ-ỹ&]+)")
_LEVEL_TAIL = {"tỉnh"}
# Heads that are a whole name by themselves.
_WHOLE_HEADS = {"Tỉnh đoàn", "Tỉnh ủy", "Tỉnh uỷ", "Thành đoàn", "Thành ủy", "Huyện ủy", "Huyện đoàn"}
# After "và" or a comma a name ends soon: "và Tôn giáo", "và Phát triển nông thôn".
_MAX_LOWER_AFTER_JOINER = 2
_LEVEL_GROUP = re.compile(rf"\s+các\s+{_LEVELS}(?:\s*(?:,|và)\s*{_LEVELS}(?![\wÀ-ỹ]))*")
_LEVEL_WORDS = {"tỉnh", "huyện", "thị", "xã", "thành", "phố", "quận", "phường", "trấn", "các"}


# The longest agency names run to 17 words ("Ban Quản lý dự án đầu tư xây dựng các công trình
# dân dụng và công nghiệp tỉnh ..."): a name is read that far at most, so a run of thousands of
# capitalised words costs each head a bounded walk, not the rest of the run.
_MAX_NAME_WORDS = 20


def _generic_names(text: str):
    """Spans of agency-shaped names: a head (Sở, Phòng, UBND ...) and the words of its name.

    A name goes on through capitalised words, at most two lower-case words in a row (not verbs
    or particles: "Sở Văn hóa, Thể thao và Du lịch chủ trì" stops before "chủ trì"), and joiners
    (và, -, ",") that are followed by a capitalised word that does not start another agency."""
    tokens: dict[int, re.Match | None] = {}

    def token(at: int):
        # The walks of neighbouring heads cross the same words: each is matched once.
        if at not in tokens:
            tokens[at] = _TOKEN.match(text, at)
        return tokens[at]

    for head in _GENERIC_HEAD.finditer(text):
        pos = head.end()
        end = None
        lower_run = 0
        words = 0
        joined = False
        while words < _MAX_NAME_WORDS:
            tok = token(pos)
            if not tok:
                break
            w = tok.group(1)
            if w in (",", "&", "-", "–", "và"):
                nxt = token(tok.end())
                after = token(nxt.end()) if nxt else None
                resume = tok.end()
                if w == "và" and nxt and nxt.group(1) == "các" and after and after.group(1)[:1].isupper() \
                        and not _HEAD_RE.match(text, after.start(1)) and words:
                    # "Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi": one board.
                    resume = nxt.end()
                    nxt, after = after, token(after.end())
                # "Phòng Công chức, viên chức": a comma inside a name, before a word that is no verb.
                inner = w == "," and nxt is not None and nxt.group(1)[:1].islower() and words > 0 \
                    and nxt.group(1) not in _STOP_WORDS and not _stops(nxt.group(1), after.group(1) if after else "") \
                    and nxt.group(1).isalpha() and text[head.start():pos].count(",") == 0
                if not inner and (not nxt or not nxt.group(1)[:1].isupper() or _HEAD_RE.match(text, nxt.start(1))
                                  or (w == "," and words == 0)):
                    break
                pos = resume
                joined, lower_run = True, 0
                continue
            nxt_tok = token(tok.end())
            if w[:1].isupper():
                lower_run = 0
            elif words and w in _LEVEL_TAIL:
                # "Bệnh viện Đa khoa tỉnh": the level word closes the name.
                words += 1
                end = pos = tok.end()
                break
            elif words and not _stops(w, nxt_tok.group(1) if nxt_tok else "") \
                    and lower_run < (_MAX_LOWER_AFTER_JOINER if joined else _MAX_LOWER) \
                    and not w[:1].isdigit():
                lower_run += 1
            elif words == 0 and w in _LEVEL_WORDS:
                lower_run += 1
            else:
                break
            words += 1
            pos = tok.end()
            end = pos
        if end is not None:
            # "Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố": one body in every district.
            group = _LEVEL_GROUP.match(text, end)
            if group:
                end = group.end()
        tail = text[head.end():end].strip() if end is not None else ""
        # "Bưu điện tỉnh", "Kho bạc tỉnh": a body of the province named by its head alone.
        alone = tail in ("tỉnh", "huyện", "thị xã", "thành phố", "quận") \
            and not re.match(r"UBND|Ủy|Uỷ|Hội đồng|HĐND|Sở|Phòng", head.group(0))
        if end is None and head.group(0) in _WHOLE_HEADS:
            end = head.end()
        if end is not None and (words >= 2 or tail[:1].isupper() or alone or head.group(0) in _WHOLE_HEADS):
            raw = text[head.start():end]
            if not _is_generic_head_only(raw):
                yield head.start(), end


def _kind_in_text(text: str, place: str) -> str | None:
    m = re.search(rf"\b(xã|phường|thị trấn|huyện|thị xã)\s+{re.escape(place)}\b", text)
    return m.group(1) if m else None


def _is_generic_head_only(raw: str) -> bool:
    return fold(raw) in {"uy ban nhan dan", "ubnd", "hoi dong nhan dan"}


def _non_overlapping(found: list[Mention]) -> list[Mention]:
    """Groups first, then registry matches (longest at each place), then unknown names where no known one is.

    The mentions kept never overlap, so they are kept sorted by start and a new one is checked against
    its two neighbours only: a paragraph naming thousands of agencies costs n log n, not n squared."""
    from bisect import bisect_left
    starts: list[int] = []
    kept: list[Mention] = []
    for rank in ("whole", True, False):
        for m in sorted((m for m in found if (m.whole if rank == "whole" else m.known == rank and not m.whole)),
                        key=lambda m: (m.start, m.start - m.end)):
            at = bisect_left(starts, m.start)
            if at < len(kept) and kept[at].start < m.end or at and m.start < kept[at - 1].end:
                continue
            starts.insert(at, m.start)
            kept.insert(at, m)
    return kept
