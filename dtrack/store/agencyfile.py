"""agencies.yaml as text: the registry `init` writes for a province, and the one-entry edits of
`dtrack agencies add|rename|succeed` (an entry's lines replaced or appended, every other byte kept)."""
from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from dtrack.domain.agencies import Agency, agency_from_data
from dtrack.domain.provinces import Province
from dtrack.domain.text import name_key
from dtrack.i18n import t
from dtrack.store.yamledit import _compose, _Lines, flow_item, newline_of, render_scalar

HEADER = ("# Danh mục cơ quan (agencies.yaml) — do 'dtrack init' tạo, văn thư sửa cho phù hợp với {where}.\n"
          "# Mỗi mục: name = tên chuẩn; kind = loại cơ quan; aliases = tên viết tắt hoặc cách viết khác mà văn\n"
          "# bản dùng; short = tên ngắn để hiển thị; replaced_by = cơ quan kế nhiệm và ngày (on) tiếp nhận\n"
          "# nhiệm vụ. Nhiệm vụ giữ tên cơ quan như văn bản ghi; dtrack tính cho cơ quan kế nhiệm từ ngày đó.\n"
          "# Thêm, đổi tên, hợp nhất: dtrack agencies add|rename|succeed (hoặc sửa tệp rồi chạy dtrack check).\n")


def province_registry(province: Province | None) -> bytes:
    """The registry text `init` writes: the 2025 template with the province's names filled in."""
    unit = province.unit if province else "tỉnh"
    of = f" {province.name}" if province else ""
    raw = resources.files("dtrack").joinpath("data", "agencies-2025.yaml").read_text("utf-8")
    template = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    where = province.full if province else t("the province")
    out = [HEADER.format(where=where)]
    for item in template:
        if "section" in item:
            out.append(f"\n# --- {item['section'].format(unit=unit)} ---\n")
            continue
        out.append(entry_text(agency_from_data(_filled(item, unit, of))))
    return "".join(out).encode("utf-8")


def _filled(value: Any, unit: str, of: str) -> Any:
    if isinstance(value, str):
        return value.replace("{unit}", unit).replace("{of}", of)
    if isinstance(value, list):
        return [_filled(x, unit, of) for x in value]
    if isinstance(value, dict):
        return {k: _filled(v, unit, of) for k, v in value.items()}
    return value


def entry_text(agency: Agency, newline: str = "\n") -> str:
    """One block-style entry; aliases equal to the name (once a province is filled in) left out."""
    data = agency.as_data()
    seen = {name_key(agency.name)}
    aliases = [a for a in data.pop("aliases", []) if not (name_key(a) in seen or seen.add(name_key(a)))]
    lines = []
    for key, value in data.items():
        if key == "replaced_by":
            lines.append("replaced_by:")
            lines += ["  - {" + ", ".join(f"{k}: {flow_item(v)}" for k, v in s.items()) + "}" for s in value]
            continue
        lines.append(f"{key}: {render_scalar(value)}")
        if key == "kind" or (key == "name" and "kind" not in data):
            if aliases:
                lines.append("aliases: [" + ", ".join(flow_item(a) for a in aliases) + "]")
    return "".join(("- " if i == 0 else "  ") + line + newline for i, line in enumerate(lines))


def entry_span(text: str, index: int) -> tuple[int, int]:
    """The character offsets of entry `index` of the list: from its line's start to the line after its
    last value (a comment after it stays). Lines end at every YAML line break, as the marks count them
    (a CR-only file had its entry cut at an LF that was not there)."""
    item = _compose(text).value[index]          # libyaml's parser: yaml.compose was pure Python (3 s of 7)
    lines = _Lines(text)
    start = lines.start(item.start_mark.line)
    last = item
    while isinstance(last, (yaml.MappingNode, yaml.SequenceNode)) and not last.flow_style and last.value:
        last = last.value[-1][1] if isinstance(last, yaml.MappingNode) else last.value[-1]
    mark = last.end_mark
    if mark.column == 0:
        return start, mark.index
    return start, lines.after(mark.line)


def replaced(text: str, index: int, agency: Agency) -> str:
    """`text` with entry `index` rewritten as `agency`, every other byte as it was."""
    start, end = entry_span(text, index)
    return text[:start] + entry_text(agency, newline_of(text)) + text[end:]


def appended(text: str, agency: Agency) -> str:
    newline = newline_of(text)
    if text and not text.endswith(("\n", "\r", "\x85", "\u2028", "\u2029")):
        text += newline
    return text + entry_text(agency, newline)
