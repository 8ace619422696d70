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
          r"Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Hội đồng nhân dân|HĐND|Đoàn|Trường|Bệnh viện|Chi nhánh")
_CAP = r"[A-ZÀ-ỸĐ][\wÀ-ỹ&]*"
_LOW = r"[a-zà-ỹđ][\wà-ỹ]*"
# Lower-case words that end a name: verbs and particles that follow a subject.
_STOP = set(fold(w) for w in (
    "chủ trì phối hợp tham mưu khẩn trương thực hiện triển khai tổ chức chỉ đạo rà soát xây dựng báo cáo "
    "hướng dẫn theo dõi kiểm tra nghiên cứu đề xuất chịu trách nhiệm có trên tại về của cho với để và các "
    "được là đã đang sẽ cần phải tiếp tục chủ động tích cực hoàn thành hoàn chỉnh gửi trình lựa chọn xem xét "
    "thẩm định đôn đốc giám sát quản lý cung cấp bố trí đảm bảo bảo đảm tăng cường đẩy mạnh nâng cao "
    "liên quan thuộc trực thuộc từ đến trong năm ngày tháng"
).split())
_LEVEL = r"(?:tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn)"
_UBND = r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)"
_PLACE = rf"{_CAP}(?:\s+{_CAP}){{0,3}}"
_ENUM_HEAD = re.compile(
    r"\b(?:các|Các)\s+(?P<head>Sở|sở|Phòng|phòng|(?:xã|phường|thị trấn|huyện|thị xã)"
    r"(?:\s*,\s*(?:xã|phường|thị trấn|huyện|thị xã|thành phố))*)\s*:\s*")


class Finder:
    def __init__(self, registry: Registry):
        self.registry = registry
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
                    found.append(Mention(m.start(), m.end(), (name,)))
        if self._cs_re is not None:
            for m in self._cs_re.finditer(text):
                found.append(Mention(m.start(), m.end(), (self._cs[m.group(0)],)))
        for start, end in _generic_names(text):
            raw = re.sub(r"^(?:Ủy|Uỷ) ban nhân dân\b", "UBND", text[start:end])
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
                name = self.lookup(prefix + piece) or (self.lookup(piece) if piece.isupper() else None)
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
_TOKEN = re.compile(r"\s*([,&]|[-–](?=\s)|[\wÀ-ỹ&]+)")
_LEVEL_WORDS = {"tỉnh", "huyện", "thị", "xã", "thành", "phố", "quận", "phường", "trấn", "các"}


def _generic_names(text: str):
    """Spans of agency-shaped names: a head (Sở, Phòng, UBND ...) and the words of its name.

    A name goes on through capitalised words, at most two lower-case words in a row (not verbs
    or particles: "Sở Văn hóa, Thể thao và Du lịch chủ trì" stops before "chủ trì"), and joiners
    (và, -, ",") that are followed by a capitalised word that does not start another agency."""
    for head in re.finditer(rf"(?<![\wÀ-ỹ])(?:{_HEADS})(?![\wÀ-ỹ])", text):
        pos = head.end()
        end = None
        lower_run = 0
        words = 0
        while True:
            tok = _TOKEN.match(text, pos)
            if not tok:
                break
            w = tok.group(1)
            if w in (",", "&", "-", "–", "và"):
                nxt = _TOKEN.match(text, tok.end())
                if not nxt or not nxt.group(1)[:1].isupper() or _HEAD_RE.match(text, nxt.start(1)) \
                        or (w == "," and words == 0):
                    break
                pos = tok.end()
                continue
            if w[:1].isupper():
                lower_run = 0
            elif words and fold(w) not in _STOP and lower_run < 2 and not w[:1].isdigit():
                lower_run += 1
            elif words == 0 and w in _LEVEL_WORDS:
                lower_run += 1
            else:
                break
            words += 1
            pos = tok.end()
            end = pos
        if end is not None and (words >= 2 or text[head.end():end].strip()[:1].isupper()):
            raw = text[head.start():end]
            if not _is_generic_head_only(raw):
                yield head.start(), end


def _kind_in_text(text: str, place: str) -> str | None:
    m = re.search(rf"\b(xã|phường|thị trấn|huyện|thị xã)\s+{re.escape(place)}\b", text)
    return m.group(1) if m else None


def _is_generic_head_only(raw: str) -> bool:
    return fold(raw) in {"uy ban nhan dan", "ubnd", "hoi dong nhan dan"}


def _non_overlapping(found: list[Mention]) -> list[Mention]:
    """Registry matches first (longest at each place), then unknown names where no known one is."""
    out: list[Mention] = []
    for known in (True, False):
        for m in sorted((m for m in found if m.known == known), key=lambda m: (m.start, m.start - m.end)):
            if not any(m.start < o.end and o.start < m.end for o in out):
                out.append(m)
    return sorted(out, key=lambda m: m.start)
