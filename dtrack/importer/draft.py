"""A directive proposed from a document's text, and its YAML in the style of the hand-made files."""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date

from dtrack.domain.agencies import Registry
from dtrack.domain.text import json_safe, safe_display
from dtrack.importer.header import Header, read_header
from dtrack.importer.mentions import Finder
from dtrack.importer.paragraphs import lines_of, paragraphs
from dtrack.importer.tasks import DraftTask, extract_tasks

WIDTH = 88


@dataclass
class Draft:
    header: Header
    tasks: list[DraftTask]
    source: str = ""
    notes: list[str] = field(default_factory=list)
    ref: date | None = None        # the date the deadlines were read against when the header has none

    @property
    def issued(self) -> date:
        """The header's date; a file needs one, so a missing date holds the reference date (flagged)."""
        return self.header.issued or self.ref or date.today()
    source_hash: str = ""

    @property
    def stem(self) -> str:
        from dtrack.store.files import stem_for
        h = self.header
        return stem_for(h.number, self.issued, h.title)

    def relpath(self) -> str:
        return f"{self.issued.year}/{self.stem}.yaml"

    def to_data(self) -> dict:
        h = self.header
        data: dict = {"number": h.number, "kind": h.kind, "issuer": h.issuer or "Chưa xác định",
                      "issued": self.issued}
        if h.signer:
            data["signer"] = h.signer
        data["title"] = h.title or "(không có trích yếu)"
        if h.meeting:
            data["meeting"] = h.meeting
        if h.chair:
            data["chair"] = h.chair
        if self.source:
            data["source"] = self.source
        if self.source_hash:
            data["source_hash"] = self.source_hash
        tasks = []
        for i, t in enumerate(self.tasks, 1):
            task: dict = {"n": i, "text": t.text, "lead": list(t.lead) if len(t.lead) > 1 else t.lead[0]}
            if t.support:
                task["support"] = list(t.support)
            if t.due:
                task["due"] = t.due
            if t.due_text:
                task["due_text"] = t.due_text
            if t.every:
                task["every"] = t.every
            task["status"] = "open"
            if import_notes(t):
                task["import_notes"] = import_notes(t)
            tasks.append(task)
        data["tasks"] = tasks
        return data


def import_notes(task: DraftTask) -> list[str]:
    """What the clerk should verify in a task: the flags raised on inferred or unsure values, then the
    importer's other warnings, each once."""
    return list(dict.fromkeys(task.flags + task.warnings))


def extract(text: str, registry: Registry, known_issuers: list[str] = (), source: str = "",
            today: date | None = None) -> Draft:
    """The directive a document's text proposes. Pure: never raises on odd text, only `paragraphs.Bound`
    on a document past the bound on the work of reading it."""
    lines = lines_of(text)
    paras = paragraphs(lines)
    h = read_header(lines, paras, list(known_issuers), lambda name: registry.canonical(name)
                    if registry.get(name) else None)
    notes = list(h.notes)
    from dtrack.domain.deadlines import reference_date
    # Deadlines are read against the document: its date, else its meeting's (a conclusion notice is
    # issued days after it), else the date its text gives (a portal's prose, the page's date line, the
    # documents it cites), and only then the day of import. A missing issue date stays missing in
    # the header and is flagged there.
    if h.issued is None and h.meeting is not None:
        ref, ref_from = h.meeting, "text"
    else:
        ref, ref_from = reference_date(text, h.issued)
    if ref is None:
        ref, ref_from = today or date.today(), "import"
    finder = Finder(registry)
    tasks, more = extract_tasks(paras, h.title_index, finder, ref, h.issuer, ref_from)
    return Draft(h, tasks, source, notes + more, ref=ref)


# ---------------------------------------------------------------------------- YAML, hand-file style

def _scalar(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    s = str(value)
    if _plain_ok(s) and not _unsafe(s):
        return s
    return _quoted(s)


def _unsafe(s: str) -> bool:
    """Text a terminal would act on (a bidi override, an escape): `import --stdout` prints the YAML."""
    return safe_display(s) != s


def _quoted(s: str) -> str:
    # JSON's escapes are YAML's: the value reads back exactly, and what a terminal acts on is a \u escape.
    return json_safe(json.dumps(s, ensure_ascii=False))


def _load(text: str):
    """Plain YAML 1.1 (what any tool reads), through libyaml where PyYAML has it: the pure-Python
    parser made a long document's checks take most of the import's time."""
    import yaml
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _plain_ok(s: str, flow: bool = False) -> bool:
    import yaml
    if not s or s != s.strip() or "\n" in s or (flow and re.search(r"[,\[\]{}]", s)):
        return False
    try:
        got = _load(f"[{s}]" if flow else f"k: {s}")
    except yaml.YAMLError:
        return False
    return got == ([s] if flow else {"k": s})


def _flow(items) -> str:
    return "[" + ", ".join(x if _plain_ok(x, flow=True) and not _unsafe(x) else _quoted(x) for x in items) + "]"


def _folded(key: str, s: str, indent: int) -> list[str]:
    pad = " " * indent
    one = " ".join(s.split())
    if _unsafe(one):
        return [f"{pad[:-2]}{key}: {_quoted(one)}"]
    body = textwrap.wrap(one, width=WIDTH, break_long_words=False, break_on_hyphens=False) or [""]
    return [f"{pad[:-2]}{key}: >-"] + [pad + x for x in body]


def to_yaml(draft: Draft) -> str:
    """The directive file: header comments, folded text at ~88 columns, flow lists. The result is
    checked against the data by a YAML parse; anything that would not read back is double-quoted."""
    import yaml
    data = draft.to_data()
    h = draft.header
    out = [f"# {safe_display(h.title[:100])} — {safe_display(data['issuer'])}",
           "# Nhập bằng dtrack import; kiểm tra lại trước khi theo dõi."]
    out += [f"# {safe_display(n)}" for n in draft.notes]
    for key in ("number", "kind", "issuer", "issued", "signer", "title", "meeting", "chair", "source",
                "source_hash"):
        if key not in data:
            continue
        if key == "title":
            out += _folded("title", data["title"], 2)
        elif key == "number":
            out.append(f"number: {json.dumps(data['number'], ensure_ascii=False) if not data['number'] else _scalar(data['number'])}")
        else:
            out.append(f"{key}: {_scalar(data[key])}")
    out.append("tasks:")
    for task in data["tasks"]:
        out.append(f"  - n: {task['n']}")
        out += _folded("text", task["text"], 6)
        lead = task["lead"]
        out.append(f"    lead: {_flow(lead) if isinstance(lead, list) else _scalar(lead)}")
        for key in ("support", "due", "due_text", "every", "status"):
            if key in task:
                v = task[key]
                out.append(f"    {key}: {_flow(v) if isinstance(v, list) else _scalar(v)}")
        if "import_notes" in task:
            out.append("    import_notes:")
            out += [f"      - {_scalar(x)}" for x in task["import_notes"]]
    text = "\n".join(out) + "\n"
    if _load(text) != data:
        # A folded block that does not read back (odd whitespace): fall back to plain safe_dump.
        text = "\n".join(x for x in out if x.startswith("#")) + "\n" + yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False, width=WIDTH)
    return text
