"""The tasks of a directive's body: which paragraphs assign work, to whom, with what deadline.

The body is read as a tree of list items (I., Điều 1., 1., a), -, +) and unmarked paragraphs.
A task is a paragraph that assigns an action; headings ("a) Sở Tài chính:", "2. Nhiệm vụ trọng
tâm") and intros ("... lưu ý một số nội dung sau:") give their lead, support and deadline to the
items under them. The conventions follow tests/fixtures/seeds/HANDCOUNT.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dtrack.domain.deadlines import Deadline, find_deadlines
from dtrack.domain.text import fold
from dtrack.importer.mentions import Finder, Mention
from dtrack.importer.paragraphs import NUMBER, Para

_OPENING = re.compile(r"(kết luận|ý kiến|chỉ đạo|như sau|sau đây|đề nghị|yêu cầu|quyết định|chỉ thị|"
                      r"giao nhiệm vụ|thống nhất)[^:]{0,80}:\s*$", re.I)
_CLOSING = re.compile(r"thông báo\s+(?:để|đến|cho|kết luận|ý kiến)|^Nay thông báo|^Thừa lệnh|^Trên đây là|"
                      r"^Nơi nhận|^Kính gửi|^(?:TM|TL|KT)\.|"
                      r"^Trong quá trình (?:tổ chức )?(?:triển khai )?thực hiện,? (?:nếu|trường hợp) có", re.I)
# The formula that ends a letter: "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện./."
_FORMULA = re.compile(r"\./\.\s*$")
_BOILERPLATE = re.compile(r"^(?:Phê duyệt|Ban hành kèm theo|Ban hành)\b|chịu trách nhiệm thi hành|"
                          r"có hiệu lực(?: thi hành)?(?: kể)? từ|^Căn cứ\b", re.I)
_GENERAL = re.compile(r"chịu (?:hoàn toàn )?trách nhiệm|^Thời gian (?:hoàn thành|thực hiện)", re.I)
_NON_TASK_TITLE = re.compile(r"^(?:quan diem|danh gia|ket qua|tinh hinh|muc dich|muc tieu|yeu cau|boi canh|"
                             r"thuc trang|can cu|pham vi|doi tuong|kinh phi|du toan)")
_CUE = re.compile(r"\b(?:[Gg]iao|[Yy]êu cầu|[Đđ]ề nghị)\s+(?:cho\s+)?")
_CHU_TRI = re.compile(r"\s*(?:(?:khẩn trương|chủ động|trực tiếp)\s*,?\s*)?chủ trì\b")
_SUPPORT = re.compile(r"\bphối hợp(?:\s+chặt chẽ)?\s+(?:với|cùng)\s+")
_WORK_WITH = re.compile(r"\blàm việc\s+với\s+")
_ABOUT = re.compile(r"^(?:Về|Đối với|Riêng|Liên quan)\b[^:]{0,400}:\s*")
_CHAIN_SEP = re.compile(r"^\s*(?:,|;|và|,\s*và|cùng)\s*$")
_ANAPHOR = re.compile(r"^(Trung tâm|Sở|Phòng|Ban|Văn phòng|Cục|Chi cục|Đơn vị)\s+(?=[a-zà-ỹđ])")
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_ACTION = re.compile(r"\b(?:" + "|".join(re.escape(v) for v in (
    "triển khai", "thực hiện", "rà soát", "xây dựng", "hoàn thành", "hoàn chỉnh", "hoàn thiện", "báo cáo",
    "tham mưu", "chủ trì", "phối hợp", "nghiên cứu", "đề xuất", "tổ chức", "chỉ đạo", "tăng cường", "đẩy mạnh",
    "theo dõi", "kiểm tra", "làm rõ", "xem xét", "tiếp thu", "ưu tiên", "chủ động", "tập trung", "quán triệt",
    "chịu trách nhiệm", "cung cấp", "gửi", "trình", "lựa chọn", "bố trí", "sắp xếp", "cân đối", "hướng dẫn",
    "đôn đốc", "giám sát", "tuyên truyền", "mở", "cập nhật", "đánh giá", "tổng hợp", "rà soát", "ban hành",
    "khẩn trương", "tiếp tục", "nâng cao", "nâng cấp", "bảo đảm", "đảm bảo", "phê duyệt", "thẩm định",
    "xử lý", "giải quyết", "khắc phục", "củng cố", "kiện toàn", "phân công", "giao", "yêu cầu", "đề nghị",
    "vận hành", "duy trì", "số hóa", "số hoá", "lập", "soạn thảo", "dự thảo", "tích cực", "bám sát",
    "đẩy nhanh", "cụ thể hóa", "cụ thể hoá", "chuẩn bị", "nghiệm thu", "thanh toán", "giải ngân", "cần")) + r")\b",
    re.I)


# A recurrence is a task's deadline when it times a deliverable ("báo cáo định kỳ hằng tháng",
# "định kỳ 02 tuần/lần"); "tuyên truyền hàng tuần" is how often an activity runs, not a due.
_DELIVERABLE = re.compile(r"báo cáo|gửi|nộp|tổng hợp|cập nhật|họp|giao ban|kiểm tra|đánh giá|thống kê", re.I)


def find_deadline(text: str, ref: date) -> Deadline | None:
    """The deadline that governs a paragraph: the last due, else the last recurrence of a
    deliverable, else the last start."""
    found = find_deadlines(text, ref)
    for kind in ("due", "recurrence", "start"):
        for d in reversed(found):
            if d.kind != kind:
                continue
            if kind == "recurrence" and not fold(d.phrase).startswith("dinh ky") \
                    and not _DELIVERABLE.search(text[max(0, d.span[0] - 60):d.span[0]]):
                continue
            return d
    return None


# "trong 05 ngày làm việc kể từ ngày kết thúc đợt tuyên truyền": counted from an event whose
# date the document does not give, so there is no date to write yet.
_EVENT_ANCHOR = re.compile(r"\s*,?\s*(?:kể từ|tính từ|sau khi)\s+(?!ngày\s+(?:ký|ban hành|nhận được|có hiệu lực)\b)"
                           r"(?!ngày\s+\d)", re.I)


@dataclass
class Roles:
    lead: tuple[str, ...] = ()
    how: str = ""                  # giao | chu-tri | subject | heading | anaphor
    support: tuple[str, ...] = ()
    anaphor: str = ""
    after_lead: str = ""           # the text after the lead's name
    unknown: tuple[str, ...] = ()


@dataclass
class Node:
    para: Para
    rank: float
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)
    roles: Roles = field(default_factory=Roles)
    deadline: Deadline | None = None
    is_task: bool = False
    skip: bool = False
    mentions: list[Mention] = field(default_factory=list)
    above: tuple[str, ...] = ()     # the lead of the nearest earlier sibling that names one


@dataclass
class DraftTask:
    text: str
    lead: tuple[str, ...]
    support: tuple[str, ...] = ()
    due: date | None = None
    due_text: str | None = None
    every: str | None = None
    lead_from: str = ""            # how the lead was found, for the review
    warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _chains(text: str, mentions: list[Mention]) -> list[tuple[int, int, tuple[str, ...], bool]]:
    """Runs of mentions joined by commas or "và": (start, end, names, all known)."""
    out = []
    for m in mentions:
        if out and _CHAIN_SEP.match(text[out[-1][1]:m.start]):
            s, _, names, known = out[-1]
            out[-1] = (s, m.end, names + m.names, known and m.known)
        else:
            out.append((m.start, m.end, m.names, m.known))
    return out


def _chain_at(chains, pos: int):
    for c in chains:
        if c[0] == pos:
            return c
    return None


def analyse(text: str, finder: Finder, issuer: str = "") -> tuple[Roles, list[Mention]]:
    mentions = [m for m in finder.find(text) if fold(" ".join(m.names)) != fold(issuer)]
    chains = _chains(text, mentions)
    r = Roles()
    start = 0
    about = _ABOUT.match(text)
    if about:
        start = about.end()
    subject = _chain_at(chains, start) or (_chain_at(chains, 0) if start else None)
    if subject is not None:
        rest = text[subject[1]:]
        r.lead, r.after_lead = subject[2], rest
        r.how = "heading" if re.match(r"\s*:", rest) else "subject"
        r.unknown = tuple(n for n in subject[2] if finder.lookup(n) is None)
    if r.how != "subject":
        for cue in _CUE.finditer(text):
            c = _chain_at(chains, cue.end())
            if c:
                r.lead, r.how, r.after_lead = c[2], "giao", text[c[1]:]
                r.unknown = tuple(n for n in c[2] if finder.lookup(n) is None)
                break
    if not r.lead:
        for c in chains:
            if _CHU_TRI.match(text, c[1]):
                r.lead, r.how, r.after_lead = c[2], "chu-tri", text[c[1]:]
                r.unknown = tuple(n for n in c[2] if finder.lookup(n) is None)
                break
    if not r.lead and (a := _ANAPHOR.match(text[start:])):
        r.anaphor, r.how = a.group(1), "anaphor"
    support: list[str] = []
    cues = list(_SUPPORT.finditer(text))
    if r.how in ("giao", "chu-tri") or (r.how == "subject" and _CHU_TRI.match(r.after_lead)):
        cues += list(_WORK_WITH.finditer(text))
    for cue in cues:
        c = _chain_at(chains, cue.end())
        if c:
            support += [n for n in c[2] if n not in r.lead and n not in support]
    r.support = tuple(support)
    return r, mentions


def _is_title(p: Para) -> bool:
    return p.rank is not None and len(p.text.split()) <= 15 and not re.search(r"[.;:!?]$", p.text)


def _has_action(text: str) -> bool:
    return _ACTION.search(_QUOTED.sub(" ", text)) is not None


def body_range(paras: list[Para], title_index: int) -> tuple[int, int, int | None]:
    """(first, end) paragraph indexes of the body, and the opening paragraph if there is one."""
    opening = None
    for i in range(title_index + 1, len(paras)):
        p = paras[i]
        if p.rank is None and _OPENING.search(p.text):
            opening = i
            break
        if p.rank is not None:
            break
    first = opening + 1 if opening is not None else next(
        (i for i in range(title_index + 1, len(paras)) if paras[i].rank is not None), title_index + 1)
    if opening is None and first == title_index + 1:
        # No list and no opening: skip the meeting paragraphs (they open with a date).
        while first < len(paras) and re.match(r"^(?:(?:Sáng|Chiều|Tối)\s+)?(?:ngày\s+)?\d{1,2}[/ ]|^Sau khi",
                                              paras[first].text, re.I):
            first += 1
    end = len(paras)
    for i in range(first, len(paras)):
        text = paras[i].text
        if _CLOSING.search(text) or (paras[i].rank is None and _FORMULA.search(text) and len(text.split()) <= 30
                                     and not re.search(r"\d{1,2}/\d{1,2}|\bSở\b|\bUBND\b", text)):
            end = i
            break
    return first, end, opening


# Ranks rise along a branch, so capping them caps the tree's depth (at most ~80 levels): what each
# task inherits from its ancestors then costs a bounded walk, whatever the document.
_MAX_RANK = 8.0


def build_tree(paras: list[Para]) -> Node:
    root = Node(Para("", None), -1.0)
    stack = [root]
    prev: Node | None = None
    for p in paras:
        if p.rank is not None:
            rank = min(float(p.rank) + (0.1 * p.marker.count(".") if p.rank == NUMBER else 0.0), _MAX_RANK)
        elif prev is not None and (prev.para.text.endswith(":") or _is_title(prev.para)):
            rank = min(prev.rank + 0.5, _MAX_RANK)
        elif prev is not None:
            rank = prev.rank
        else:
            rank = 0.5
        while len(stack) > 1 and stack[-1].rank >= rank:
            stack.pop()
        node = Node(p, rank, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
        prev = node
    return root


def _walk(node: Node):
    """The nodes below `node` in document order; iterative, as a document may nest deep."""
    stack = list(reversed(node.children))
    while stack:
        c = stack.pop()
        yield c
        stack.extend(reversed(c.children))


def extract_tasks(paras: list[Para], title_index: int, finder: Finder, ref: date, issuer: str = "",
                  ) -> tuple[list[DraftTask], list[str]]:
    notes: list[str] = []
    first, end, opening = body_range(paras, title_index)
    body = paras[first:end]
    # A closing general provision ("Sở X chịu hoàn toàn trách nhiệm ... Thời gian hoàn thành trước
    # ngày ...") is not a task: its deadline applies to the tasks that have none.
    default_due: Deadline | None = None
    default_for: tuple[str, ...] = ()
    if body and body[-1].rank is None and any(p.rank is not None for p in body) and _GENERAL.search(body[-1].text):
        last = body.pop()
        default_due = find_deadline(last.text, ref)
        r, _ = analyse(last.text, finder, issuer)
        default_for = r.lead
    root = build_tree(body)
    if opening is not None:
        root.roles, root.mentions = analyse(paras[opening].text, finder, issuer)
        if root.roles.how not in ("giao", "chu-tri"):
            root.roles = Roles()
    doc_lead = _document_lead(paras, first, end, finder, issuer)
    nodes = list(_walk(root))
    for n in nodes:
        n.roles, n.mentions = analyse(n.para.text, finder, issuer)
        n.deadline = find_deadline(n.para.text, ref)
        if _is_title(n.para) and _NON_TASK_TITLE.match(fold(n.para.text)):
            for x in [n, *_walk(n)]:
                x.skip = True
    for parent in (root, *nodes):
        above: tuple[str, ...] = ()
        for c in parent.children:
            c.above = above
            if _own_lead(c) and not c.skip:
                above = _own_lead(c)
    for n in nodes:
        if n.skip:
            continue
        n.is_task = _is_task(n)
    tasks = []
    for n in nodes:
        if not n.is_task:
            continue
        tasks.append(_draft(n, root, doc_lead, default_due, default_for, ref, finder))
    return tasks, notes


def _is_task(n: Node) -> bool:
    p = n.para
    text = p.text
    if _is_title(p) or _BOILERPLATE.search(text):
        return False
    r = n.roles
    if r.how == "heading" and not r.after_lead.strip(" :"):
        return False
    if n.children and text.endswith(":"):
        if r.how not in ("giao", "chu-tri", "subject"):
            return False
        action = re.sub(r"[,;]?\s*(?:trong đó|cụ thể|gồm|bao gồm)?[^,;.]*:\s*$", "", r.after_lead)
        action = re.sub(r"^\s*(?:chỉ đạo|giao|hướng dẫn)\s*$", "", action)
        return len(action.split()) >= 6
    if text.endswith(":") and r.how not in ("giao", "chu-tri", "subject", "heading"):
        return False
    return _has_action(text)


def _ancestors(n: Node):
    x = n.parent
    while x is not None:
        yield x
        x = x.parent


def _own_lead(x: Node) -> tuple[str, ...]:
    return x.roles.lead if x.roles.how in ("giao", "chu-tri", "subject", "heading") else ()


def _draft(n: Node, root: Node, doc_lead, default_due, default_for, ref: date, finder: Finder) -> DraftTask:
    warnings: list[str] = []
    lead, how = _own_lead(n), n.roles.how
    if not lead and n.roles.anaphor:
        for x in _ancestors(n):
            hit = next((m for m in reversed(x.mentions) for name in m.names
                        if name.startswith(n.roles.anaphor)), None)
            if hit:
                lead, how = (next(nm for nm in hit.names if nm.startswith(n.roles.anaphor)),), "anaphor"
                break
    if not lead and n.parent is not None and not _own_lead(n.parent) and n.above:
        lead, how = n.above, "above"
    if not lead:
        for x in _ancestors(n):
            if _own_lead(x):
                lead, how = _own_lead(x), "parent"
                break
    if not lead and doc_lead:
        lead, how = doc_lead, "document"
        warnings.append("lead suy ra từ văn bản (không nêu trong đoạn)")
    if not lead:
        lead, how = ("Chưa xác định",), "none"
        warnings.append("không tìm thấy cơ quan chủ trì")
    support = n.roles.support
    if not support:
        for x in _ancestors(n):
            if x.roles.support and (not _own_lead(n) or _own_lead(n) == _own_lead(x)):
                support = tuple(s for s in x.roles.support if s not in lead)
                break
    deadline = n.deadline
    if deadline is None:
        for x in _ancestors(n):
            if x.deadline is not None:
                deadline = x.deadline
                break
    if deadline is None and default_due is not None and (not default_for or set(default_for) & set(lead)):
        deadline = default_due
    for name in (*lead, *support):
        if finder.lookup(name) is None and name != "Chưa xác định":
            warnings.append(f"cơ quan chưa có trong danh mục: {name}")
    task = DraftTask(text=n.para.text, lead=tuple(dict.fromkeys(lead)), support=support, lead_from=how,
                     warnings=warnings)
    if deadline is not None:
        task.due_text = deadline.phrase
        if deadline.error:
            warnings.append(f"hạn không hợp lệ: {deadline.phrase}")
        elif deadline.kind == "due" and _EVENT_ANCHOR.match(n.para.text, deadline.span[1]) and deadline.precision == "relative":
            warnings.append(f"hạn tính từ một sự kiện, chưa có ngày: {deadline.phrase}")
        elif deadline.kind == "due":
            task.due = deadline.due
        elif deadline.kind == "recurrence":
            task.every = deadline.every + (f" on day {deadline.day}" if deadline.day else "")
            task.due = first_occurrence(ref, deadline.every, deadline.day)
    return task


def first_occurrence(ref: date, every: str, day: int | None) -> date:
    """The first due of a series that starts with the document: one interval after it, or the
    next given day of the month."""
    from dtrack.domain.deadlines import month_end
    n_s, unit = every.split()
    n = int(n_s)
    if day:
        y, m = ref.year, ref.month
        if ref.day >= min(day, month_end(y, m).day):
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return date(y, m, min(day, month_end(y, m).day))
    if unit.startswith("day"):
        return ref + timedelta(days=n)
    if unit.startswith("week"):
        return ref + timedelta(weeks=n)
    from dtrack.domain.dates import add_months
    return add_months(ref, n * (12 if unit.startswith("year") else 1))


def _document_lead(paras, first, end, finder, issuer) -> tuple[str, ...]:
    """Who the document is addressed to, for tasks that name no agency: the closing ("thông báo
    để Sở X ... thực hiện"), else "Kính gửi", else the agency that reported at the meeting."""
    for p in paras[end:end + 3]:
        if _CLOSING.search(p.text) and not p.text.startswith(("Nơi nhận", "TL.", "KT.", "TM.")):
            ms = [m for m in finder.find(p.text) if m.known]
            if ms:
                return ms[0].names[:1]
    for p in paras[:first]:
        if p.text.startswith("Kính gửi"):
            ms = [m for m in finder.find(p.text) if m.known]
            if len(ms) == 1 and len(ms[0].names) == 1:
                return ms[0].names
    for p in paras[:first]:
        m = re.search(r"nghe\s+(?:lãnh đạo\s+|đại diện\s+)?(.{0,80}?)\s+báo cáo", p.text)
        if m:
            ms = [x for x in finder.find(m.group(1)) if x.known]
            if ms:
                return ms[0].names[:1]
    return ()
