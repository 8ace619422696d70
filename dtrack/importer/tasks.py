"""The tasks of a directive's body: which paragraphs assign work, to whom, with what deadline.

The body is read as a tree of list items (I., Điều 1., 1., a), -, +) and unmarked paragraphs.
A task is a paragraph that assigns an action; headings ("a) Sở Tài chính:", "2. Nhiệm vụ trọng
tâm") and intros ("... lưu ý một số nội dung sau:") give their lead, support and deadline to the
items under them. The conventions follow tests/fixtures/seeds/HANDCOUNT.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dtrack.domain.deadlines import Deadline, find_deadlines, governing
from dtrack.domain.text import fold
from dtrack.i18n import t
from dtrack.importer.mentions import Finder, Mention
from dtrack.importer.paragraphs import ARTICLE, DASH, NUMBER, Bound, Para

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
                             r"thuc trang|can cu|pham vi|doi tuong|kinh phi|du toan|thoi gian|dia diem|thanh phan)")
# Not tasks: approvals, the issuer's own follow-up, assessments of what was done, photo captions.
_APPROVAL = re.compile(r"^(?:Đồng ý|Thống nhất|Chấp thuận|Ghi nhận|Biểu dương|Hoan nghênh|Đánh giá cao)\b", re.I)
_OWN_FOLLOWUP = re.compile(r"^(?:(?:Chủ tịch|Thường trực|Lãnh đạo)\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
                           r"(?:tỉnh|thành phố|huyện|thị xã|xã|phường)\s+(?:sẽ|thống nhất|đồng ý|ghi nhận|đánh giá cao|"
                           r"biểu dương|hoan nghênh|thông báo|ban hành|tiếp tục theo dõi)\b", re.I)
_ASSESSMENT = re.compile(r"\b(?:đã được|đã đạt|được triển khai|đạt được|tuy nhiên|còn (?:một số )?(?:hạn chế|tồn tại|chậm)|"
                         r"chưa được|thời gian qua|kết quả đạt|đã hoàn thành|đã triển khai)\b|^(?:Năm|Trong năm|Qua)\s+\d{4}\b",
                         re.I)
# "Theo số liệu của Sở Tài chính, đến ngày 15/3 ... mới giải ngân được 8%": a report, not an order.
_STATISTIC = re.compile(r"^(?:Theo (?:số liệu|báo cáo|thống kê|kết quả)|Tính đến|Đến nay)\b", re.I)
# What an article of a decision decides, to no one in particular: "Điều 1. Giao chỉ tiêu ... cho các huyện".
_DECISION = re.compile(r"^(?:Phê duyệt|Ban hành|Giao chỉ tiêu|Giao kế hoạch|Phân bổ|Công nhận|Thành lập|Kiện toàn|"
                       r"Bổ nhiệm|Điều chỉnh|Sửa đổi|Bãi bỏ|Quy định|Chấp thuận|Cho phép)\b")
_CAPTION = re.compile(r"(?:^|[\s.(])Ảnh\s*:\s*\S|^\(?Ảnh minh họa|^(?:Nguồn|Theo)\s*:?\s*\S+\.(?:vn|com)\b", re.I)
_CLOSING_FORMULA = re.compile(r"^[^.;]{0,60}\b(?:đề nghị|yêu cầu)\s+(?:Thủ trưởng\s+)?các\s+(?:cơ quan|đơn vị|địa phương|sở)"
                              r"[^.;]{0,80}(?:thực hiện|triển khai)[^.;]{0,40}\./\.\s*$", re.I)
_TO_ADDRESSEES = re.compile(r"\b(?:[Đđ]ề nghị|[Yy]êu cầu|[Gg]iao)\s+(?:Thủ trưởng\s+)?các\s+(?:cơ quan|đơn vị|địa phương)\b")
_THE_UNITS = re.compile(r"^Các\s+(?:cơ quan,\s*)?(?:đơn vị|cơ quan|địa phương)$")
_PERSON_TITLE = re.compile(r"(?:Giám đốc|Thủ trưởng|Chủ tịch|Hiệu trưởng|Chánh Văn phòng|Chỉ huy trưởng|Tổng Giám đốc|"
                           r"Người đứng đầu|Trưởng)\s+(?=[A-ZÀ-ỸĐ])")
_CUE = re.compile(r"\b(?:[Gg]iao|[Yy]êu cầu|[Đđ]ề nghị)\s+(?:cho\s+)?")
_CHU_TRI = re.compile(r"\s*(?:(?:khẩn trương|chủ động|trực tiếp)\s*,?\s*)?chủ trì\b")
_SUPPORT = re.compile(r"\bphối hợp(?:\s+chặt chẽ)?\s+(?:với|cùng)\s+")
_RELATED = re.compile(r"các\s+[^;.:]{0,40}?liên quan\s*(?:,\s*|\s+và\s+|\s+cùng\s+)")
_CO_WORKER = re.compile(r"\s*(?:cùng\s+|tham gia\s+)?phối hợp\b(?!\s+(?:với|cùng)\b)")
_WORK_WITH = re.compile(r"\blàm việc\s+với\s+")
_ABOUT = re.compile(r"^(?:Về|Đối với|Riêng|Liên quan)\b[^:]{0,400}:\s*"
                    r"|^(?:Theo đó|Đồng thời|Bên cạnh đó|Ngoài ra|Mặt khác|Cụ thể|Trong đó|Tiếp đó|Cùng với đó|"
                    r"Cũng theo (?:kế hoạch|công văn|văn bản|chỉ thị|quyết định|thông báo)(?: này)?)\s*,\s*", re.I)
# "Đối với Sở Khoa học và Công nghệ: ...", "Về phía Công an tỉnh: ...": the body the paragraph is about.
_REGARDING = re.compile(r"(?:Đối với|Về phía|Riêng|Riêng đối với)\s+")
_CHAIN_SEP = re.compile(r"^\s*(?:tỉnh|thành phố)?\s*(?:,|;|và|,\s*và|cùng)\s*$")
_ANAPHOR = re.compile(r"^(Trung tâm|Sở|Phòng|Ban|Văn phòng|Cục|Chi cục|Đơn vị)\s+(?=[a-zà-ỹđ])")
# A quotation ends before the next one opens: an unclosed “ must not send every later “ to the end.
_QUOTED = re.compile(r"[“\"][^”\"“]*[”\"]")
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
    """The deadline that governs a paragraph: the last due, else the most specific recurrence
    of a deliverable, else the last start."""
    def deliverable(d: Deadline) -> bool:
        # A series on named days ("thứ Sáu hằng tuần", "từ ngày 3 đến ngày 7 hằng tháng") is a due.
        return "recur" not in d.guesses or fold(d.phrase).startswith("dinh ky") or _DELIVERABLE.search(
            text[max(0, d.span[0] - 60):d.span[0] + 60]) is not None
    return governing(text, find_deadlines(text, ref), ref, keep=deliverable)


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
    start: date | None = None      # when the work begins ("từ ngày 5 - 8/10": 5/10), for the review
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
    person = _PERSON_TITLE.match(text, start)
    regarding = _REGARDING.match(text)
    subject = _chain_at(chains, start) or (_chain_at(chains, person.end()) if person else None) \
        or (_chain_at(chains, 0) if start else None) or (_chain_at(chains, regarding.end()) if regarding else None)
    if subject is not None:
        rest = text[subject[1]:]
        r.lead, r.after_lead = subject[2], rest
        r.how = "heading" if re.match(r"\s*:", rest) else "subject"
        r.unknown = tuple(n for n in subject[2] if finder.lookup(n) is None)
    if r.how != "subject":
        for cue in _CUE.finditer(text):
            person = _PERSON_TITLE.match(text, cue.end())
            c = _chain_at(chains, cue.end()) or (_chain_at(chains, person.end()) if person else None)
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
    if not r.lead and (ps := finder.plural_subject(text, start)):
        # "Các chủ đầu tư lập kế hoạch ...": a group the registry cannot hold, named as written.
        r.lead, r.how, r.after_lead, r.unknown = (ps[1],), "subject", text[ps[0]:], (ps[1],)
    if not r.lead and (a := _ANAPHOR.match(text[start:])):
        r.anaphor, r.how = a.group(1), "anaphor"
    support: list[str] = []
    cues = list(_SUPPORT.finditer(text))
    if r.how in ("giao", "chu-tri") or (r.how == "subject" and _CHU_TRI.match(r.after_lead)):
        cues += list(_WORK_WITH.finditer(text))
    for cue in cues:
        # "phối hợp với các sở, ngành liên quan và UBND các huyện": the named ones after the generic.
        generic = _RELATED.match(text, cue.end())
        c = _chain_at(chains, cue.end()) or (_chain_at(chains, generic.end()) if generic else None)
        if c:
            support += [n for n in c[2] if n not in r.lead and n not in support]
    if r.lead:
        # "Sở X chủ trì; Công an tỉnh, Viễn thông Y phối hợp ...": the bodies before "phối hợp".
        for c in chains:
            if _CO_WORKER.match(text, c[1]) and not set(c[2]) & set(r.lead):
                support += [n for n in c[2] if n not in support]
    r.support = tuple(support)
    return r, mentions


def _is_title(p: Para) -> bool:
    return p.rank is not None and len(p.text.split()) <= 15 and not re.search(r"[.;:!?]$", p.text)


def _has_action(text: str) -> bool:
    return _ACTION.search(_QUOTED.sub(" ", text)) is not None


def body_range(paras: list[Para], title_index: int) -> tuple[int, int, int | None]:
    """(first, end) paragraph indexes of the body, and the opening paragraph if there is one."""
    opening = None
    start = title_index + 1
    # The addressees ("Kính gửi:" and its "-" lines) stand between the subject and the body.
    kg = next((i for i in range(start, min(start + 4, len(paras))) if paras[i].text.startswith("Kính gửi")), None)
    if kg is not None:
        start = kg + 1
        while start < len(paras) and paras[start].rank is not None and paras[start].rank >= DASH:
            start += 1
    for i in range(start, len(paras)):
        p = paras[i]
        if p.rank is None and _OPENING.search(p.text):
            opening = i
            break
        if p.rank is not None:
            break
    first = opening + 1 if opening is not None else next(
        (i for i in range(start, len(paras)) if paras[i].rank is not None), start)
    if opening is None and first == start:
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
                  ref_from: str = "issued") -> tuple[list[DraftTask], list[str]]:
    notes: list[str] = []
    first, end, opening = body_range(paras, title_index)
    body = _split_chains(paras[first:end], finder, issuer)
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
    share_deadlines(root, nodes)
    for parent in (root, *nodes):
        above: tuple[str, ...] = ()
        for c in parent.children:
            c.above = above
            if _own_lead(c) and not c.skip:
                above = _own_lead(c)
    for n in nodes:
        if n.skip:
            continue
        n.is_task = _is_task(n) and not _issuer_will(n.para.text, issuer)
    tasks = []
    for n in nodes:
        if not n.is_task:
            continue
        tasks.append(_draft(n, root, doc_lead, default_due, default_for, ref, finder, ref_from))
    addressees = _addressees(paras[:first], finder, issuer)
    for task in tasks:
        # "Trưởng các phòng, đơn vị" addressed as "Các phòng, đơn vị thuộc Sở": the letter's own name.
        task.lead = tuple(next((a for a in addressees if fold(a).startswith(fold(x)) and a != x), x) for x in task.lead)
    return tasks, notes


# "A báo cáo về B trước d1; B tổng hợp, báo cáo UBND tỉnh trước d2": a new subject after ";" or
# after a full stop starts a task of its own.
_CHU_TRI_END = re.compile(r"chủ trì\s*[;,]?\s*$")
_CLAUSE_CUT = re.compile(r"(?<=[;.])\s+(?=[A-ZÀ-ỸĐ])")


# What the body may hold to be read, paragraphs and the clauses they are cut into: twice the tasks
# one document may give (model.MAX_TASKS), each costing an analysis, checked before that work is done.
MAX_PIECES = 4_000


def _split_chains(body: list[Para], finder: Finder, issuer: str) -> list[Para]:
    out: list[Para] = []
    if len(body) > MAX_PIECES:
        raise Bound("pieces", len(body), MAX_PIECES)
    for k, p in enumerate(body):
        if p.text.endswith(":"):
            out.append(p)
            continue
        starts = [0] + [m.end() for m in _CLAUSE_CUT.finditer(p.text) if _starts_with_subject(p.text[m.end():])]
        if len(out) + len(starts) + len(body) - k - 1 > MAX_PIECES:
            raise Bound("pieces", len(out) + len(starts) + len(body) - k - 1, MAX_PIECES)
        if len(starts) == 1:
            out.append(p)
            continue
        clauses = [p.text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(p.text)])]
        pieces = [clauses[0]]
        lead = None
        # Each clause is read once, against the piece before it: linear in the paragraph's length.
        for clause in clauses[1:]:
            # "X chủ trì; Y, Z phối hợp ...": one task, its lead and support.
            acts = _has_action(pieces[-1]) and not _CHU_TRI_END.search(pieces[-1])
            r = analyse(clause, finder, issuer)[0] if acts else None
            if r is not None and r.how in ("subject", "giao") and r.lead \
                    and (_has_action(r.after_lead) or len(r.after_lead.split()) >= 4):
                if lead is None:
                    lead = analyse(pieces[-1], finder, issuer)[0].lead
                if set(r.lead) != set(lead):
                    pieces.append(clause)
                    lead = r.lead
                    continue
            pieces[-1] += " " + clause
        out.append(Para(pieces[0], p.rank, p.marker, p.index))
        out += [Para(x, None, "", p.index) for x in pieces[1:]]
    return out


def _starts_with_subject(text: str) -> bool:
    return bool(re.match(r"^(?:(?:Giao|Yêu cầu|Đề nghị)\s+)?(?:Giám đốc\s+|Thủ trưởng\s+|Chủ tịch\s+)?"
                         r"(?:Sở|Ban|Cục|Chi cục|Công an|UBND|Ủy ban|Văn phòng|Trung tâm|Kho bạc|Bộ|Đài|Báo|Bảo hiểm|"
                         r"Công ty|Tổng công ty|Ngân hàng|Điện lực|Các|Hội|Liên đoàn|Tỉnh đoàn|Phòng|Trường|Bệnh viện|"
                         r"Thanh tra|Đoàn)\b", text))


def _issuer_will(text: str, issuer: str) -> bool:
    """'Bộ Y tế sẽ tổ chức ...' in a letter of Bộ Y tế: the issuer's own follow-up."""
    return bool(issuer) and fold(text[:len(issuer)]) == fold(issuer) and re.match(r"\s+sẽ\b", text[len(issuer):]) is not None


def _is_task(n: Node) -> bool:
    p = n.para
    text = p.text
    if _is_title(p) or _BOILERPLATE.search(text):
        return False
    r = n.roles
    if _CAPTION.search(text) or _OWN_FOLLOWUP.match(text) or _CLOSING_FORMULA.search(text) \
            or (_STATISTIC.match(text) and not _CUE.search(text)) \
            or (_APPROVAL.match(text) and not _CUE.search(text)):
        return False
    # An assessment opens with what it is about ("Năm 2024, công tác ..."); a task with its verb.
    if p.rank == ARTICLE and not r.how and _DECISION.match(text):
        return False
    if not r.how and n.deadline is None and _ASSESSMENT.search(text) and not _ACTION.match(text):
        return False
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
    # A named subject and a predicate: a task, even with a verb the list does not hold.
    return _has_action(text) or (r.how in ("subject", "giao", "chu-tri") and len(r.after_lead.split()) >= 4)


def _ancestors(n: Node):
    x = n.parent
    while x is not None:
        yield x
        x = x.parent


def _own_lead(x: Node) -> tuple[str, ...]:
    return x.roles.lead if x.roles.how in ("giao", "chu-tri", "subject", "heading") else ()


def _draft(n: Node, root: Node, doc_lead, default_due, default_for, ref: date, finder: Finder,
           ref_from: str = "issued") -> DraftTask:
    warnings: list[str] = []
    lead, how = _own_lead(n), n.roles.how
    if not lead and n.roles.anaphor:
        for x in _ancestors(n):
            hit = next((m for m in reversed(x.mentions) for name in m.names
                        if name.startswith(n.roles.anaphor)), None)
            if hit:
                lead, how = (next(nm for nm in hit.names if nm.startswith(n.roles.anaphor)),), "anaphor"
                break
    flags: list[str] = []
    if doc_lead[1] == "kinh-gui" and (not lead and _TO_ADDRESSEES.search(n.para.text)
                                      or len(lead) == 1 and _THE_UNITS.match(lead[0])):
        # "Đề nghị các đơn vị ...": the units are the addressees, whoever the item above named.
        lead, how = doc_lead[0], "document"
        flags.append(t("lead guessed from Kính gửi"))
    if not lead and n.parent is not None and not _own_lead(n.parent) and n.above:
        lead, how = n.above, "above"
    if not lead:
        for x in _ancestors(n):
            if _own_lead(x):
                lead, how = _own_lead(x), "parent"
                break
    if not lead and doc_lead[0]:
        lead, how = doc_lead[0], "document"
        flags.append(t("lead guessed from Kính gửi") if doc_lead[1] == "kinh-gui"
                     else t("lead guessed from the document, not named in the paragraph"))
    if not lead:
        lead, how = ("Chưa xác định",), "none"
        flags.append(t("no lead found"))
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
    for name in dict.fromkeys((*lead, *support)):
        if finder.lookup(name) is None and name != "Chưa xác định":
            flags.append(t("new agency (not in the registry): {name}", name=name))
    task = DraftTask(text=n.para.text, lead=tuple(dict.fromkeys(lead)), support=support, lead_from=how,
                     warnings=warnings, flags=flags)
    if deadline is not None:
        own = n.para.text[deadline.span[0]:deadline.span[1]] == deadline.phrase
        assign_deadline(task, deadline, ref_from, inherited=not own)
    return task


# "Các nhiệm vụ trên hoàn thành trước ngày 15/4/2020": one deadline written once after the tasks
# it times, as its own paragraph (then no task) or at the end of the last of them.
_SHARED = re.compile(r"\b(?:các|những|toàn bộ)\s+(?:nhiệm vụ|nội dung|công việc|việc)\s+(?:nêu\s+|kể\s+)?(?:trên|tại\s+các\s+"
                     r"(?:điểm|khoản|mục)\s+trên)\b", re.I)


def share_deadlines(root: Node, nodes: list[Node]) -> None:
    for parent in (root, *nodes):
        for i, c in enumerate(parent.children):
            m = _SHARED.search(c.para.text)
            if c.deadline is None or c.deadline.kind != "due" or m is None or m.start() > c.deadline.span[0]:
                continue
            if m.start() < 3:
                c.skip = True       # the paragraph only times the tasks above it
            for x in parent.children[:i]:
                for y in (x, *_walk(x)):
                    if y.deadline is None:
                        y.deadline = c.deadline


def assign_deadline(task: DraftTask, deadline: Deadline, ref_from: str = "issued", inherited: bool = False) -> None:
    """Write a deadline into a task: due, due_text, every, and a flag for every guess behind them."""
    from dtrack.importer.dateflags import flags_for
    task.due_text = deadline.phrase
    if deadline.error:
        task.warnings.append(f"hạn không hợp lệ: {deadline.phrase}")
    elif deadline.kind in ("due", "recurrence"):
        task.due = deadline.due
    task.start = deadline.start
    if deadline.kind == "recurrence":
        task.every = deadline.every + (f" on day {deadline.day}" if deadline.day else "")
    task.flags.extend(flags_for(deadline, ref_from, inherited))


def _document_lead(paras, first, end, finder, issuer) -> tuple[tuple[str, ...], str]:
    """Who the document is addressed to, for tasks that name no agency, and where that was read:
    the closing ("thông báo để Sở X ... thực hiện"), else every addressee of "Kính gửi", else the
    agency that reported at the meeting."""
    for p in paras[end:end + 3]:
        if _CLOSING.search(p.text) and not p.text.startswith(("Nơi nhận", "TL.", "KT.", "TM.")):
            ms = [m for m in finder.find(p.text) if m.known]
            if ms:
                return ms[0].names[:1], "closing"
    addressees = _addressees(paras[:first], finder, issuer)
    if addressees:
        return addressees, "kinh-gui"
    for p in paras[:first]:
        m = re.search(r"nghe\s+(?:lãnh đạo\s+|đại diện\s+)?(.{0,80}?)\s+báo cáo", p.text)
        if m:
            ms = [x for x in finder.find(m.group(1)) if x.known]
            if ms:
                return ms[0].names[:1], "meeting"
    return (), ""


def _addressees(paras, finder, issuer) -> tuple[str, ...]:
    """Every body named after "Kính gửi:", on its line or one per "-" line below it."""
    at = next((i for i, p in enumerate(paras) if re.match(r"^Kính gửi\b", p.text)), None)
    if at is None:
        return ()
    texts = [re.sub(r"^Kính gửi\s*:?\s*", "", paras[at].text)]
    for p in paras[at + 1:]:
        if p.rank is None:
            break
        texts.append(p.text)
    names: list[str] = []
    for text in texts:
        for part in re.split(r"\s*;\s*", text):
            found = finder.find(part)
            # An addressee no pattern names ("Các phòng, đơn vị thuộc Sở") is taken as written.
            raw = part.strip(" .;,")
            got = [n for m in found for n in m.names] or ([raw] if 3 <= len(raw) <= 80 and raw[:1].isupper() else [])
            names += [n for n in got if n not in names and fold(n) != fold(issuer)]
    return tuple(names)
