"""The 34 provinces and centrally-run cities from 1 July 2025 (Nghị quyết 202/2025/QH15), each with
the provinces merged into it, so that `dtrack init --province` finds a province by its old name too."""
from __future__ import annotations

from dataclasses import dataclass

from dtrack.domain.text import name_key
from dtrack.errors import UsageError
from dtrack.i18n import t


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    city: bool = False                      # thành phố trực thuộc trung ương
    merged: tuple[str, ...] = ()            # the pre-2025 provinces that joined it

    @property
    def unit(self) -> str:
        """The word before the name: 'UBND tỉnh Gia Lai', 'UBND thành phố Huế'."""
        return "thành phố" if self.city else "tỉnh"

    @property
    def full(self) -> str:
        return f"{self.unit} {self.name}"


PROVINCES: tuple[Province, ...] = (
    Province("Hà Nội", True), Province("Huế", True),
    Province("Hải Phòng", True, ("Hải Dương",)), Province("Đà Nẵng", True, ("Quảng Nam",)),
    Province("Hồ Chí Minh", True, ("Bình Dương", "Bà Rịa - Vũng Tàu")),
    Province("Cần Thơ", True, ("Sóc Trăng", "Hậu Giang")),
    Province("Lai Châu"), Province("Điện Biên"), Province("Sơn La"), Province("Lạng Sơn"),
    Province("Cao Bằng"), Province("Quảng Ninh"), Province("Thanh Hóa"), Province("Nghệ An"),
    Province("Hà Tĩnh"),
    Province("Tuyên Quang", merged=("Hà Giang",)), Province("Lào Cai", merged=("Yên Bái",)),
    Province("Thái Nguyên", merged=("Bắc Kạn",)), Province("Phú Thọ", merged=("Vĩnh Phúc", "Hòa Bình")),
    Province("Bắc Ninh", merged=("Bắc Giang",)), Province("Hưng Yên", merged=("Thái Bình",)),
    Province("Ninh Bình", merged=("Hà Nam", "Nam Định")), Province("Quảng Trị", merged=("Quảng Bình",)),
    Province("Quảng Ngãi", merged=("Kon Tum",)), Province("Gia Lai", merged=("Bình Định",)),
    Province("Khánh Hòa", merged=("Ninh Thuận",)), Province("Lâm Đồng", merged=("Đắk Nông", "Bình Thuận")),
    Province("Đắk Lắk", merged=("Phú Yên",)), Province("Đồng Nai", merged=("Bình Phước",)),
    Province("Tây Ninh", merged=("Long An",)), Province("Vĩnh Long", merged=("Bến Tre", "Trà Vinh")),
    Province("Đồng Tháp", merged=("Tiền Giang",)), Province("Cà Mau", merged=("Bạc Liêu",)),
    Province("An Giang", merged=("Kiên Giang",)),
)

_PREFIXES = ("tinh ", "thanh pho ", "tp ", "tp. ")


def _bare(query: str) -> str:
    key = name_key(query)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def find(query: str) -> tuple[Province | None, list[Province]]:
    """The province a clerk typed ('gia lai', 'TP. Hồ Chí Minh', 'Thừa Thiên Huế'), or None and the
    closest ones (a pre-2025 province's name gives the province it joined)."""
    from rapidfuzz import fuzz, process

    key = _bare(query)
    if key in ("thua thien hue",):
        key = "hue"
    for p in PROVINCES:
        if key == name_key(p.name) or key == name_key(p.full):
            return p, []
    joined = [p for p in PROVINCES if key in {name_key(m) for m in p.merged}]
    choices = {name_key(p.name): p for p in PROVINCES}
    for p in PROVINCES:
        for m in p.merged:
            choices.setdefault(name_key(m), p)
    close = process.extract(key, list(choices), scorer=fuzz.WRatio, limit=5, score_cutoff=70)
    out = joined + [choices[c] for c, _score, _i in close]
    return None, list(dict.fromkeys(out))[:3]


def choose(query: str) -> Province:
    """find() for `init --province`: the province, or a usage error with the closest ones."""
    province, close = find(query)
    if province is not None:
        return province
    hint = t("Did you mean: {names}?", names=", ".join(_shown(p) for p in close)) if close else \
        t("One of the 34 provinces and cities from 1 July 2025, e.g. 'Gia Lai' or 'Hồ Chí Minh'.")
    raise UsageError(t("--province: '{name}' is not a province", name=query), hint=hint)


def _shown(p: Province) -> str:
    return t("{name} (with {merged})", name=p.name, merged=", ".join(p.merged)) if p.merged else p.name
