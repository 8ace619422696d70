import glob
import os
import subprocess
import sys
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from dtrack.domain.deadlines import Deadline, find_deadline, find_deadlines, month_end
from dtrack.domain.holidays import add_working_days, is_working_day, working_days_between

D = date
PRECISIONS = {"day", "month", "quarter", "year", "relative"}
KINDS = {"due", "start", "recurrence"}


def check_well_formed(text, found):
    """Invariants every result list must satisfy."""
    last_end = 0
    for d in found:
        assert isinstance(d, Deadline)
        s, e = d.span
        assert last_end <= s < e <= len(text)
        assert text[s:e] == d.phrase
        assert d.phrase == d.phrase.strip()
        assert not d.phrase.startswith(("*", "_")) and not d.phrase.endswith(("*", "_"))
        assert d.precision in PRECISIONS and d.kind in KINDS
        if d.error:
            assert d.due is None
        elif d.kind == "due":
            # A span counted from an event the text does not date keeps no date, and says so.
            assert isinstance(d.due, date) or (d.due is None and "anchor" in d.guesses)
        elif d.kind == "start":
            assert d.due is None and isinstance(d.start, date)
        else:
            # A recurrence carries its series and the first occurrence after the reference.
            assert d.every and isinstance(d.due, date)
        last_end = e


def only(text, ref):
    found = find_deadlines(text, ref)
    check_well_formed(text, found)
    assert len(found) == 1, found
    return found[0]


# --- ground truth from the seed documents ---------------------------------

SEED_000 = D(2024, 7, 17)
SEED_001 = D(2023, 4, 7)
SEED_002 = D(2022, 2, 14)
SEED_003 = D(2024, 3, 11)
SEED_004 = D(2024, 4, 12)


@pytest.mark.parametrize(
    "text, ref, phrase, due",
    [
        (
            "Báo cáo Ủy ban nhân dân tỉnh xem xét, cho ý kiến trước khi hướng dẫn các địa "
            "phương tổ chức thực hiện. Thời gian hoàn thành trước ngày 23 tháng 7 năm 2024**",
            SEED_000, "trước ngày 23 tháng 7 năm 2024", D(2024, 7, 23),
        ),
        (
            "Gửi kết quả về Sở Thông tin và Truyền thông, Sở Nội vụ, Sở Tài chính trước ngày "
            "26 tháng 7 năm 2024 để xem xét, thẩm định.**",
            SEED_000, "trước ngày 26 tháng 7 năm 2024", D(2024, 7, 26),
        ),
        (
            "hành chính của Ủy ban nhân dân các huyện, thị xã, thành phố năm 2024. Thời gian "
            "hoàn thành **trước ngày 01 tháng 8 năm 2024**.",
            SEED_000, "trước ngày 01 tháng 8 năm 2024", D(2024, 8, 1),
        ),
        (
            "Sở Thông tin và Truyền thông chịu hoàn toàn trách nhiệm đối với nội dung thẩm tra "
            "và báo cáo, đề xuất UBND tỉnh xem xét, quyết định. Thời gian hoàn thành "
            "**trước ngày 22/4/2023**./.",
            SEED_001, "trước ngày 22/4/2023", D(2023, 4, 22),
        ),
        (
            "tổ chức triển khai thử nghiệm; hoàn thành, đưa vào sử dụng chính thức từ "
            "**tháng 9/2022**.",
            SEED_002, "từ **tháng 9/2022", D(2022, 9, 30),
        ),
        (
            "c) Sở Thông tin và Truyền thông hoàn chỉnh đề xuất nhiệm vụ nêu trên, trình UBND "
            "tỉnh **trước ngày 28/02/2022** để xem xét, cho ý kiến trước khi hoàn chỉnh, gửi Sở "
            "Tài chính tổng hợp",
            SEED_002, "trước ngày 28/02/2022", D(2022, 2, 28),
        ),
        (
            "Trên cơ sở đó, báo cáo UBND tỉnh xem xét, quyết định **trước ngày 30/6/2022**.",
            SEED_002, "trước ngày 30/6/2022", D(2022, 6, 30),
        ),
        (
            "thẩm tra hồ sơ…); hoàn thành trước ngày 25/3/2024.",
            SEED_003, "trước ngày 25/3/2024", D(2024, 3, 25),
        ),
    ],
)
def test_seed_deadlines(text, ref, phrase, due):
    d = only(text, ref)
    assert (d.phrase, d.due, d.kind, d.error) == (phrase, due, "due", None)
    assert find_deadline(text, ref) == d


def test_seed_003_recurrence():
    text = (
        "Sở Thông tin và Truyền thông: Báo cáo định kỳ 02 tuần/lần về tình hình xây dựng, "
        "triển khai các CSDL chuyên ngành trên địa bàn tỉnh theo các chương trình, kế hoạch "
        "chuyển đổi số của tỉnh được phê duyệt."
    )
    d = only(text, SEED_003)
    assert (d.phrase, d.every, d.due, d.day, d.kind) == (
        "định kỳ 02 tuần/lần", "2 weeks", D(2024, 3, 25), None, "recurrence")


def test_seed_003_deadline_next_to_a_citation():
    text = (
        "Chủ trì, phối hợp với Sở Tài chính xin chủ trương UBND tỉnh bố trí kinh phí sự nghiệp "
        "cho các bước chuẩn bị thực hiện các hoạt động ứng dụng CNTT theo kế hoạch (như thuê "
        "đơn vị tư vấn thực hiện khảo sát, lập đề cương và dự toán chi tiết các dự án CNTT "
        "theo Thông tư số 03/2020/TT-BTTTT ngày 24/02/2020 của Bộ Thông tin và Truyền thông, "
        "thẩm tra hồ sơ…); hoàn thành trước ngày 25/3/2024."
    )
    d = only(text, SEED_003)
    assert d.due == D(2024, 3, 25) and d.phrase == "trước ngày 25/3/2024"


def test_seed_004_start():
    text = (
        "Các xã, phường: Nguyễn Nghiêm, Phổ Ninh, Phổ Hòa, Phổ Khánh, Phổ Phong, Phổ Thuận, "
        "Phổ Văn và Phòng Lao động – Thương binh và Xã hội chủ động, phối hợp với các cơ quan, "
        "đơn vị liên quan để thực hiện nội dung thí điểm có hiệu quả, phù hợp với nguồn lực và "
        "tiềm năng của địa phương. Thời gian triển khai thực hiện mô hình **bắt đầu từ tháng 5 "
        "năm 2024**."
    )
    d = only(text, SEED_004)
    assert (d.phrase, d.start, d.due, d.kind, d.precision) == (
        "bắt đầu từ tháng 5 năm 2024", D(2024, 5, 1), None, "start", "month")
    assert find_deadline(text, SEED_004) == d


def test_seed_004_weekly():
    text = (
        "- Trung tâm Truyền thông – Văn hóa – Thể thao: mở chuyên mục về chuyển đổi số để "
        "tuyên truyền hàng tuần trên đài phát thanh thị xã và các xã, phường về các chủ "
        "trương, văn bản chỉ đạo"
    )
    d = only(text, SEED_004)
    assert (d.phrase, d.every, d.due) == ("hàng tuần", "1 week", D(2024, 4, 19))


@pytest.mark.parametrize(
    "text, ref",
    [
        ("V/v phân khai kinh phí  \nchuyển đổi số tại Quyết  \nđịnh số 1420/QĐ-UBND  \n"
         "ngày 12/12/2022 của  \nUBND tỉnh", SEED_001),
        ("qua xem xét đề nghị của Giám đốc Sở Thông tin và Truyền thông tại Công văn số "
         "426/STTTT-BCVT&CNTT ngày 23/3/2023, đề xuất của Giám đốc Sở Tài chính tại Công văn "
         "số 892/STC-HCSN ngày 29/3/2023, Chủ tịch UBND tỉnh có ý kiến như sau:", SEED_001),
        ("dịch vụ công trực tuyến (*lưu ý các nền tảng số quốc gia đã phê duyệt tại Quyết định "
         "số 186/QĐ-BTTTT ngày 11/02/2022 của Bộ Thông tin và Truyền thông để đảm bảo tính "
         "đồng bộ*).", SEED_002),
        ("- Các đề xuất: Số hoá dữ liệu hộ tịch giai đoạn 2016-2020; số hoá hồ sơ, dữ liệu "
         "ngành Giáo dục và Đào tạo", SEED_002),
        ("nghiên cứu, đề xuất triển khai theo Chương trình mục tiêu quốc gia phát triển kinh "
         "tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi giai đoạn 2021-2025 để đảm "
         "bảo mục tiêu", SEED_002),
        ("làm nền tảng cho phát triển chuyển đổi số của tỉnh trong năm 2022 và các năm tiếp "
         "theo, trong đó làm rõ sự cần thiết", SEED_002),
        ("tính toán, phân kỳ hợp lý tiến độ triển khai từng nhiệm vụ trong năm 2022 và các năm "
         "tiếp theo, đảm bảo yêu cầu và khả năng cân đối ngân sách hàng năm.", SEED_002),
        ("Kết luận của Phó Chủ tịch UBND tỉnh Trần Phước Hiền tại cuộc họp nghe báo cáo và chỉ "
         "đạo nhiệm vụ trọng tâm về chuyển đổi số trong năm 2022", SEED_002),
        ("theo quy định tại Nghị định số 73/2019/NĐ-CP ngày 05/9/2019 của Chính phủ, Thông tư "
         "số 03/2020/TT-BTTTT, 04/2020/TT-BTTTT ngày 24/02/2020 của Bộ Thông tin và Truyền "
         "thông và Quyết định số 2848/QĐ-UBND ngày 24/10/2022 của UBND tỉnh", SEED_003),
        ("Ngày 11/3/2024, Phó Chủ tịch UBND tỉnh Hồ Quang Bửu chủ trì buổi làm việc", SEED_003),
        ("(Kế hoạch số 14/KH-UBND ngày 25/01/2024 của UBND thị xã, Kế hoạch số 16/KH-UBND ngày "
         "25/01/2024 của UBND thị xã, Kế hoạch số 68/KH-UBND ngày 02/4/2024 của UBND thị xã,...)",
         SEED_004),
        ("Chiều ngày 12/4/2024, UBND thị xã tổ chức buổi làm việc với các cơ quan, đơn vị, địa "
         "phương về nội dung đánh giá kết quả thực hiện công tác chuyển đổi số năm 2023; triển "
         "khai nhiệm vụ, giải pháp trọng tâm trong năm 2024 trên địa bàn thị xã Đức Phổ", SEED_004),
        ("Công tác chuyển đổi số của thị xã trong năm 2023 có nhiều chuyển biến tích cực",
         SEED_004),
        ("Để thực hiện tốt công tác chuyển đổi số trong năm 2024, Chủ tịch UBND thị xã đề nghị:",
         SEED_004),
        ("nhằm thực hiện đạt và vượt các chỉ tiêu được giao trong năm 2024.", SEED_004),
        ("Ngày 17 tháng 7 năm 2024, tại Trụ sở Ủy ban nhân dân tỉnh, Phó Chủ tịch Ủy ban nhân "
         "dân tỉnh Lâm Hải Giang đã chủ trì họp nghe báo cáo phương án bổ sung kinh phí cho mục "
         "tiêu chuyển đổi số, cải cách hành chính của Ủy ban nhân dân các huyện, thị xã, thành "
         "phố trong năm 2024.", SEED_000),
        ("rà soát các chương trình, kế hoạch chuyển đổi số, cải cách hành chính năm 2024 của "
         "tỉnh có liên quan", SEED_000),
        ("Số: 1502/UBND-KGVX\n\nQuảng Ngãi, ngày 07 tháng 4 năm 2023", SEED_001),
    ],
)
def test_seed_non_deadlines(text, ref):
    assert find_deadlines(text, ref) == []
    assert find_deadline(text, ref) is None


SEED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "seeds")
SEED_EXPECTED = {
    "000": (SEED_000, [("due", D(2024, 7, 23)), ("due", D(2024, 7, 26)), ("due", D(2024, 8, 1))]),
    "001": (SEED_001, [("due", D(2023, 4, 22))]),
    "002": (SEED_002, [("due", D(2022, 9, 30)), ("due", D(2022, 2, 28)), ("due", D(2022, 6, 30))]),
    "003": (SEED_003, [("recurrence", "2 weeks"), ("due", D(2024, 3, 25))]),
    "004": (SEED_004, [("recurrence", "1 week"), ("start", D(2024, 5, 1))]),
}


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTED))
def test_whole_seed_documents(prefix):
    (path,) = glob.glob(os.path.join(SEED_DIR, prefix + "_*.txt"))
    text = open(path, encoding="utf-8").read()
    ref, expected = SEED_EXPECTED[prefix]
    found = find_deadlines(text, ref)
    check_well_formed(text, found)
    got = [(d.kind, d.every if d.kind == "recurrence" else d.start if d.kind == "start"
            else d.due) for d in found]
    assert got == expected


# --- the phrase classes -----------------------------------------------------

REF = D(2024, 4, 12)


@pytest.mark.parametrize(
    "text, phrase, due, precision",
    [
        # Absolute days in every notation.
        ("trước ngày 23 tháng 7 năm 2024", None, D(2024, 7, 23), "day"),
        ("trước ngày 22/4/2023", None, D(2023, 4, 22), "day"),
        ("trước ngày 22-4-2023", None, D(2023, 4, 22), "day"),
        ("hạn chót 20.7.2020", None, D(2020, 7, 20), "day"),
        ("trước ngày 22 / 4 / 2024", None, D(2024, 4, 22), "day"),
        ("trước ngày 22/4/24", None, D(2024, 4, 22), "day"),
        ("chậm nhất ngày 05/5/2024", None, D(2024, 5, 5), "day"),
        ("chậm nhất là ngày 05/5/2024", None, D(2024, 5, 5), "day"),
        ("chậm nhất vào ngày 05/5/2024", None, D(2024, 5, 5), "day"),
        ("Hạn chót: ngày 30/6/2024", None, D(2024, 6, 30), "day"),
        ("Thời hạn: 30/6/2024", None, D(2024, 6, 30), "day"),
        ("Thời hạn hoàn thành: trước ngày 30/6/2024", None, D(2024, 6, 30), "day"),
        ("Thời gian hoàn thành: ngày 30/6/2024", None, D(2024, 6, 30), "day"),
        ("xong trước ngày 30/4/2024", "trước ngày 30/4/2024", D(2024, 4, 30), "day"),
        ("hoàn thành trước ngày 30/4/2024", "trước ngày 30/4/2024", D(2024, 4, 30), "day"),
        ("hoàn thành ngày 30/4/2024", None, D(2024, 4, 30), "day"),
        ("trước 14 giờ ngày 05/12/2017", None, D(2017, 12, 5), "day"),
        ("trước 17h00, thứ Sáu, ngày 19/4/2024", None, D(2024, 4, 19), "day"),
        ("trước 16 giờ 30 phút ngày 19/4/2024", None, D(2024, 4, 19), "day"),
        ("hoàn thành vào ngày 20/5/2024", "vào ngày 20/5/2024", D(2024, 5, 20), "day"),
        # Day and month without a year.
        ("trước ngày 15/8", None, D(2024, 8, 15), "day"),
        ("hạn chót 25-10", None, D(2024, 10, 25), "day"),
        ("trước ngày 02/4", None, D(2024, 4, 2), "day"),  # 10 days late: same year
        ("trước ngày 15/01", None, D(2025, 1, 15), "day"),  # long past: next year
        ("trước ngày 23 tháng 7", None, D(2024, 7, 23), "day"),
        # Months.
        ("hoàn thành trong tháng 9/2022", "trong tháng 9/2022", D(2022, 9, 30), "month"),
        ("trong tháng 9 năm 2024", None, D(2024, 9, 30), "month"),
        ("trong tháng 02/2024 hoàn thành", None, None, None),  # over at REF, no verb
        ("Thời hạn hoàn thành: tháng 9/2024", None, D(2024, 9, 30), "month"),
        ("hoàn thành tháng 9/2024", None, D(2024, 9, 30), "month"),
        ("chậm nhất trong tháng 2/2025", None, D(2025, 2, 28), "month"),
        ("trong tháng 5", None, D(2024, 5, 31), "month"),
        ("hoàn thành vào cuối tháng 6/2024", "vào cuối tháng 6/2024", D(2024, 6, 30), "month"),
        ("trước tháng 9/2024", None, D(2024, 8, 31), "month"),  # before it begins
        ("hoàn thành, đưa vào sử dụng chính thức từ tháng 9/2022", "từ tháng 9/2022",
         D(2022, 9, 30), "month"),
        # Quarters, years, halves.
        ("trong quý III/2024", None, D(2024, 9, 30), "quarter"),
        ("trong quý 3 năm 2024", None, D(2024, 9, 30), "quarter"),
        ("hoàn thành trong Quý IV/2024", "trong Quý IV/2024", D(2024, 12, 31), "quarter"),
        ("trong quí II-2024", None, D(2024, 6, 30), "quarter"),
        ("chậm nhất trong quý I/2025", None, D(2025, 3, 31), "quarter"),
        ("trước quý III/2024", None, D(2024, 6, 30), "quarter"),
        ("trong quý II", None, D(2024, 6, 30), "quarter"),
        ("hoàn thành trong năm 2025", "trong năm 2025", D(2025, 12, 31), "year"),
        ("tổ chức tổng kết trong năm 2025", "trong năm 2025", D(2025, 12, 31), "year"),
        ("hoàn thành trong năm 2024", "trong năm 2024", D(2024, 12, 31), "year"),
        ("trước năm 2025", None, D(2024, 12, 31), "year"),
        ("hoàn thành vào cuối năm 2024", "vào cuối năm 2024", D(2024, 12, 31), "year"),
        ("hoàn thành trong 6 tháng đầu năm 2024", "trong 6 tháng đầu năm 2024",
         D(2024, 6, 30), "month"),
        ("trong 6 tháng cuối năm 2024", None, D(2024, 12, 31), "month"),
        ("trước 6 tháng cuối năm", None, D(2024, 12, 31), "month"),
        # Relative spans.
        ("trong 30 ngày kể từ ngày ban hành", None, D(2024, 5, 12), "relative"),
        ("trong 30 ngày kể từ ngày ký", None, D(2024, 5, 12), "relative"),
        ("trong 30 ngày, kể từ ngày ký văn bản này", None, D(2024, 5, 12), "relative"),
        ("trong 05 ngày làm việc", None, D(2024, 4, 22), "relative"),  # skips Giỗ Tổ 18/4
        ("trong 02 tuần", None, D(2024, 4, 26), "relative"),
        ("trong thời hạn 10 ngày", None, D(2024, 4, 22), "relative"),
        ("trong vòng 3 tháng kể từ ngày 30/11/2023", None, D(2024, 2, 29), "relative"),
        ("trong 01 năm", None, D(2025, 4, 12), "relative"),
        ("sau 15 ngày kể từ ngày ký", None, D(2024, 4, 27), "relative"),
        ("không quá 10 ngày làm việc", None, add_working_days(REF, 10), "relative"),
        ("trong mười lăm ngày", None, D(2024, 4, 27), "relative"),
        ("trong ba tháng", None, D(2024, 7, 12), "relative"),
    ],
)
def test_due_phrases(text, phrase, due, precision):
    found = find_deadlines(text, REF)
    check_well_formed(text, found)
    if due is None:
        assert found == []
        return
    (d,) = found
    assert (d.phrase, d.due, d.precision, d.kind, d.error) == (
        phrase or text, due, precision, "due", None)


@pytest.mark.parametrize(
    "text",
    [
        "trong 5 năm qua",
        "trong 2 năm vừa qua",
        "trong 30 ngày trước khi hết hạn",
        "trong 2 ngày 15 và 16/7",
        "sau 15 ngày",  # a sequence of steps, not anchored
        "trong 03 cấp chính quyền",
        "trước khi hướng dẫn các địa phương",
        "gia hạn đến ngày 30/6/2024",
        "tồn tại, hạn chế ngày càng giảm",
        "hạn chế 20/7/2024",
        "vào ngày 17/7/2024, tại Trụ sở",  # narrative: no completion verb
        "trong quý I/2024",  # already over at REF
        "trong năm 2023",
        "giai đoạn 2021-2025",
        "thực hiện giai đoạn từ năm 2021 đến năm 2025",
        "trong năm 2025 và các năm tiếp theo",
        "hoàn thành trong năm 2024 - 2025",
        "kết quả hoàn thành năm 2023",
        "Số liệu tính từ ngày 01/01/2024 đến ngày 31/3/2024",  # no verb: a period
        "có hiệu lực kể từ ngày ký",
        "cân đối ngân sách hàng năm",
        "dự toán kinh phí hằng năm",
        "báo cáo định kỳ tháng 5",
        "Quyết định số 1420/QĐ-UBND ngày 12/12/2022",
        "Thông tư số 03/2020/TT-BTTTT ngày 24/02/2020",
        "trước 03/2020/TT-BTTTT",
        "trước 1.500 hồ sơ",
        "",
    ],
)
def test_not_deadlines(text):
    found = find_deadlines(text, REF)
    assert found == [], found


# --- starts and ranges -------------------------------------------------------


@pytest.mark.parametrize(
    "text, phrase, start, due, precision",
    [
        ("bắt đầu từ tháng 5 năm 2024", None, D(2024, 5, 1), None, "month"),
        ("bắt đầu từ ngày 01/6/2024", None, D(2024, 6, 1), None, "day"),
        ("triển khai từ quý III/2024", "từ quý III/2024", D(2024, 7, 1), None, "quarter"),
        ("triển khai thực hiện từ tháng 9/2022", "từ tháng 9/2022", D(2022, 9, 1), None, "month"),
        ("áp dụng kể từ ngày 01/7/2024", "kể từ ngày 01/7/2024", D(2024, 7, 1), None, "day"),
        ("thực hiện từ năm 2025", "từ năm 2025", D(2025, 1, 1), None, "year"),
        ("tổ chức thực hiện từ ngày 01/6 đến ngày 30/6/2024",
         "từ ngày 01/6 đến ngày 30/6/2024", D(2024, 6, 1), D(2024, 6, 30), "day"),
        ("triển khai từ tháng 5/2024 đến hết tháng 9/2024", "từ tháng 5/2024 đến hết tháng 9/2024",
         D(2024, 5, 1), D(2024, 9, 30), "month"),
        ("thực hiện từ 01/12 đến 15/01/2025", "từ 01/12 đến 15/01/2025",
         D(2024, 12, 1), D(2025, 1, 15), "day"),
    ],
)
def test_starts_and_ranges(text, phrase, start, due, precision):
    d = only(text, REF)
    assert (d.phrase, d.start, d.due, d.precision, d.error) == (
        phrase or text, start, due, precision, None)
    assert d.kind == ("start" if due is None else "due")


def test_nearest_verb_decides_between_start_and_completion():
    completion = "tổ chức triển khai thử nghiệm, hoàn thành, đưa vào sử dụng từ tháng 9/2024"
    start = "hoàn thành việc khảo sát, triển khai từ tháng 9/2024"
    assert only(completion, REF).due == D(2024, 9, 30)
    d = only(start, REF)
    assert (d.kind, d.start) == ("start", D(2024, 9, 1))
    # "bắt đầu từ" is a start whatever came before it.
    d = only("hoàn thành khảo sát; bắt đầu từ tháng 9/2024", REF)
    assert (d.kind, d.start) == ("start", D(2024, 9, 1))


# --- recurrence --------------------------------------------------------------


# REF is Friday 12/4/2024: the first occurrence is the series' first date after it; a series
# that names no day falls on the ends of calendar periods (a quarterly report at each quarter's
# end) or one interval later, and says it guessed.
@pytest.mark.parametrize(
    "text, phrase, every, day, due",
    [
        ("Báo cáo định kỳ 02 tuần/lần", "định kỳ 02 tuần/lần", "2 weeks", None, D(2024, 4, 26)),
        ("hằng tuần", None, "1 week", None, D(2024, 4, 19)),
        ("hàng tuần", None, "1 week", None, D(2024, 4, 19)),
        ("HẰNG THÁNG", None, "1 month", 31, D(2024, 4, 30)),
        ("hằng tháng trước ngày 20", None, "1 month", 20, D(2024, 4, 20)),
        ("hàng tháng (trước ngày 25)", "hàng tháng (trước ngày 25", "1 month", 25, D(2024, 4, 25)),
        ("báo cáo trước ngày 20 hằng tháng", "trước ngày 20 hằng tháng", "1 month", 20, D(2024, 4, 20)),
        ("chậm nhất ngày 5 của mỗi tháng", None, "1 month", 5, D(2024, 5, 5)),
        ("hằng quý", None, "3 months", 31, D(2024, 6, 30)),
        ("định kỳ hàng quý", None, "3 months", 31, D(2024, 6, 30)),
        ("hàng năm", None, "1 year", None, D(2024, 12, 31)),
        ("hằng năm", None, "1 year", None, D(2024, 12, 31)),
        ("hằng ngày", None, "1 day", None, D(2024, 4, 13)),
        ("mỗi tuần", None, "1 week", None, D(2024, 4, 19)),
        ("định kỳ 6 tháng", None, "6 months", 31, D(2024, 6, 30)),
        ("định kỳ sáu tháng một lần", None, "6 months", 31, D(2024, 6, 30)),
        ("báo cáo 6 tháng/lần", "6 tháng/lần", "6 months", 31, D(2024, 6, 30)),
        ("01 lần/tuần", None, "1 week", None, D(2024, 4, 19)),
        ("1 lần/2 tuần", None, "2 weeks", None, D(2024, 4, 26)),
        ("định kỳ quý", None, "3 months", 31, D(2024, 6, 30)),
        ("hằng quý trước ngày 15", "hằng quý", "3 months", 31, D(2024, 6, 30)),
        # Named days: no guess.
        ("vào thứ Sáu hằng tuần", None, "1 week", None, D(2024, 4, 19)),
        ("hằng tuần vào sáng thứ Hai", None, "1 week", None, D(2024, 4, 15)),
        ("thứ 5 hàng tuần", None, "1 week", None, D(2024, 4, 18)),
        ("từ ngày 3 đến ngày 7 hằng tháng", None, "1 month", 7, D(2024, 5, 7)),
        ("trước ngày 15/6 và 15/12 hằng năm", None, "6 months", 15, D(2024, 6, 15)),
        ("trước ngày 10/01 hàng năm", None, "1 year", None, D(2025, 1, 10)),
    ],
)
def test_recurrence(text, phrase, every, day, due):
    d = only(text, REF)
    assert (d.phrase, d.every, d.day, d.due, d.kind) == (phrase or text, every, day, due, "recurrence")
    named = day not in (None, 31) or "thứ" in text or ("năm" in text and "/" in text)
    assert ("recur" in d.guesses) == (not named)


def test_a_monthly_window_starts_on_its_first_day():
    d = only("nộp hồ sơ từ ngày 3 đến ngày 7 hằng tháng", D(2024, 5, 5))
    assert (d.start, d.due) == (D(2024, 6, 3), D(2024, 6, 7))  # the May window is already open


def test_two_days_a_year_read_from_their_recurrence_and_days():
    text = "Báo cáo 6 tháng một lần, trước ngày 15/6 và 15/12 hằng năm."
    d = find_deadline(text, D(2024, 7, 2))
    assert (d.every, d.day, d.due, d.guesses) == ("6 months", 15, D(2024, 12, 15), ())
    d = find_deadline("Báo cáo 6 tháng một lần, trước ngày 15/6 và 15/12", REF)
    assert (d.every, d.day, d.due) == ("6 months", 15, D(2024, 6, 15))


def test_recurrence_then_date():
    found = find_deadlines("Báo cáo hằng năm, trước ngày 15/12", REF)
    check_well_formed("Báo cáo hằng năm, trước ngày 15/12", found)
    assert [(d.kind, d.every, d.due) for d in found] == [
        ("recurrence", "1 year", D(2024, 12, 31)), ("due", None, D(2024, 12, 15))]
    d = find_deadline("Báo cáo hằng năm, trước ngày 15/12", REF)
    assert (d.kind, d.every, d.due, d.phrase) == ("recurrence", "1 year", D(2024, 12, 15),
                                                  "hằng năm, trước ngày 15/12")


# --- impossible dates ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, precision",
    [
        ("trước ngày 31/02/2024", "day"),
        ("trước ngày 29/02/2023", "day"),
        ("trước ngày 31 tháng 4 năm 2024", "day"),
        ("trước ngày 32/1/2024", "day"),
        ("trước ngày 30/02", "day"),
        ("trước ngày 15/13/2024", "day"),
        ("trong tháng 13/2024", "month"),
        ("hạn chót 20/7/0202", "day"),
        ("trong 10 ngày kể từ ngày 31/4/2024", "relative"),
        ("hằng tháng trước ngày 35", "relative"),
    ],
)
def test_impossible_dates_are_reported(text, precision):
    d = only(text, REF)
    assert d.due is None and d.error and d.precision == precision and d.phrase == text


def test_impossible_start_is_reported_as_start():
    d = only("bắt đầu từ ngày 31/6/2024", REF)
    assert (d.kind, d.start, d.due) == ("start", None, None) and d.error


def test_leap_day():
    assert only("trước ngày 29/02/2024", REF).due == D(2024, 2, 29)
    # Year-less 29/02 in a non-leap document year moves to the next leap year.
    assert only("trước ngày 29/02", D(2023, 11, 20)).due == D(2024, 2, 29)


# --- text handling --------------------------------------------------------------


def test_markdown_markers_are_trimmed_and_spans_exact():
    text = "Thời gian hoàn thành **trước ngày 01 tháng 8 năm 2024**."
    d = only(text, REF)
    assert d.phrase == "trước ngày 01 tháng 8 năm 2024"
    assert text[d.span[0]:d.span[1]] == d.phrase
    text = "trước ngày __22__/4/2024"
    d = only(text, REF)
    assert (d.phrase, d.due) == ("trước ngày __22__/4/2024", D(2024, 4, 22))


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKD"])
def test_unicode_normal_forms(form):
    text = unicodedata.normalize(
        form, "Sở Tài chính: hoàn thành trong quý III/2024; báo cáo hằng tháng trước ngày 20.")
    found = find_deadlines(text, REF)
    check_well_formed(text, found)
    assert [(d.due, d.every, d.day) for d in found] == [
        (D(2024, 9, 30), None, None), (D(2024, 4, 20), "1 month", 20)]
    assert unicodedata.normalize("NFC", found[0].phrase) == "trong quý III/2024"


def test_case_whitespace_and_leading_zeros():
    text = "THỜI GIAN HOÀN THÀNH:\u00a0TRƯỚC   NGÀY\n05 /\t04 / 2024"
    d = only(text, REF)
    assert d.due == D(2024, 4, 5)
    assert only("Trong 05 Ngày Làm Việc", REF).due == D(2024, 4, 22)


def test_find_deadline_governing_rules():
    text = ("Triển khai từ ngày 01/5/2024; báo cáo hằng tháng; hoàn thành trước ngày "
            "30/6/2024, tổng kết trước ngày 31/7/2024.")
    found = find_deadlines(text, REF)
    check_well_formed(text, found)
    assert [d.kind for d in found] == ["start", "recurrence", "due", "due"]
    assert find_deadline(text, REF).due == D(2024, 7, 31)
    assert find_deadline("báo cáo hằng tháng, bắt đầu từ tháng 5/2024", REF).every == "1 month"
    assert find_deadline("bắt đầu từ tháng 5/2024", REF).start == D(2024, 5, 1)
    # An impossible last deadline is returned, not skipped for an earlier one.
    gov = find_deadline("trước ngày 30/6/2024, báo cáo trước ngày 31/6/2024", REF)
    assert gov.error and gov.due is None
    assert find_deadline("không có hạn", REF) is None


@pytest.mark.parametrize(
    "y, m, end",
    [(2024, 2, 29), (2023, 2, 28), (2024, 12, 31), (2024, 4, 30), (2100, 2, 28), (2000, 2, 29)],
)
def test_month_end(y, m, end):
    assert month_end(y, m) == D(y, m, end)


def test_import_is_light():
    code = (
        "import sys, time; t = time.perf_counter(); import dtrack.domain.deadlines as d; "
        "assert 'dateutil' not in sys.modules; assert d._G is None; "
        "assert 'dtrack.domain.holidays' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))


# --- property tests -------------------------------------------------------------

dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31))
refs = st.dates(min_value=D(2015, 1, 1), max_value=D(2040, 12, 31))

PREFIXES = ["", "Sở Tài chính tổng hợp, báo cáo UBND tỉnh ", "- Giao Sở Nội vụ chủ trì; ",
            "Thời gian hoàn thành ", "**1. Giao Sở TTTT rà soát.** Thời gian: "]
SUFFIXES = ["", ".", "./.", " để xem xét, thẩm định.", "**", ";\nNơi nhận:"]
DAY_CUES = ["trước", "trước ngày", "chậm nhất ngày", "chậm nhất là ngày", "chậm nhất",
            "hạn chót", "hạn chót:", "Hạn chót là ngày", "xong trước ngày",
            "hoàn thành trước ngày", "trước 14 giờ ngày", "trước 17h00, thứ Sáu, ngày",
            "Thời hạn:", "Thời hạn hoàn thành: trước ngày"]


def render_day(d, style, pad_day, pad_month, with_year=True):
    dd = f"{d.day:02d}" if pad_day else str(d.day)
    mm = f"{d.month:02d}" if pad_month else str(d.month)
    if style == "text":
        return f"{dd} tháng {mm}" + (f" năm {d.year}" if with_year else "")
    return style.join([dd, mm] + ([str(d.year)] if with_year else []))


def vary(text, case, form, bold):
    """Same phrase, written differently."""
    if bold:
        text = f"**{text}**"
    text = {"lower": text.lower(), "upper": text.upper(), "as is": text}[case]
    return unicodedata.normalize(form, text)


variants = dict(
    case=st.sampled_from(["as is", "lower", "upper"]),
    form=st.sampled_from(["NFC", "NFD"]),
    bold=st.booleans(),
    prefix=st.sampled_from(PREFIXES),
    suffix=st.sampled_from(SUFFIXES),
)


def governing(prefix, phrase, suffix, ref, case, form, bold):
    text = vary(prefix, case, form, False) + vary(phrase, case, form, bold) + suffix
    found = find_deadlines(text, ref)
    check_well_formed(text, found)
    assert len(found) == 1, (text, found)
    # A completion verb right before "trước" is context, not part of the phrase.
    for verb in ("xong ", "hoàn thành "):
        if phrase.startswith(verb + "trước"):
            phrase = phrase[len(verb):]
    assert unicodedata.normalize("NFC", found[0].phrase).lower() == \
        unicodedata.normalize("NFC", phrase).lower()
    assert find_deadline(text, ref) == found[0]
    return found[0]


@settings(max_examples=300, deadline=None)
@given(d=dates, ref=refs, cue=st.sampled_from(DAY_CUES),
       style=st.sampled_from(["text", "/", "-", ".", " / "]),
       pad_day=st.booleans(), pad_month=st.booleans(), **variants)
def test_day_phrases_round_trip(d, ref, cue, style, pad_day, pad_month, case, form, bold,
                                prefix, suffix):
    if style == "text" and "ngày" not in cue:
        cue += " ngày"
    phrase = f"{cue} {render_day(d, style, pad_day, pad_month)}"
    got = governing(prefix, phrase, suffix, ref, case, form, bold)
    assert (got.due, got.precision, got.error) == (d, "day", None)


@settings(max_examples=300, deadline=None)
@given(ref=refs, offset=st.integers(min_value=-30, max_value=330),
       cue=st.sampled_from(DAY_CUES), style=st.sampled_from(["text", "/", "-", "."]),
       pad_day=st.booleans(), pad_month=st.booleans(), **variants)
@example(ref=D(2023, 12, 20), offset=26, cue="trước ngày", style="/", pad_day=True,
         pad_month=True, case="as is", form="NFC", bold=False, prefix="", suffix="")
def test_day_month_without_year_round_trip(ref, offset, cue, style, pad_day, pad_month,
                                           case, form, bold, prefix, suffix):
    d = ref + timedelta(days=offset)
    # The rule only moves forward: a year-less date is never put in the
    # previous year (early January documents mean the coming December).
    assume(not (d.month == 2 and d.day == 29) and d.year >= ref.year)
    if style == "text" and "ngày" not in cue:
        cue += " ngày"
    phrase = f"{cue} {render_day(d, style, pad_day, pad_month, with_year=False)}"
    got = governing(prefix, phrase, suffix, ref, case, form, bold)
    assert got.due == d


@settings(max_examples=200, deadline=None)
@given(d=dates, ref=refs,
       template=st.sampled_from(["hoàn thành trong tháng {m}/{y}", "trong tháng {m} năm {y}",
                                 "chậm nhất trong tháng {m}/{y}", "Thời hạn: tháng {m}-{y}",
                                 "hoàn thành trong tháng {m}, năm {y}"]),
       pad=st.booleans(), **variants)
def test_month_phrases_round_trip(d, ref, template, pad, case, form, bold, prefix, suffix):
    m = f"{d.month:02d}" if pad else str(d.month)
    text = template.format(m=m, y=d.year)
    phrase = text[text.index("trong"):] if "hoàn thành trong" in text else text
    prefix_ = prefix + ("hoàn thành " if "hoàn thành trong" in text else "")
    if text.startswith("trong") and "hoàn thành" not in prefix:
        # Without a completion verb a month already over is narrative.
        assume(month_end(d.year, d.month) >= ref)
    got = governing(prefix_, phrase, suffix, ref, case, form, bold)
    assert (got.due, got.precision) == (month_end(d.year, d.month), "month")


@settings(max_examples=200, deadline=None)
@given(d=dates, ref=refs, template=st.sampled_from(["bắt đầu từ tháng {m} năm {y}",
                                                    "bắt đầu từ tháng {m}/{y}"]), **variants)
def test_start_month_round_trip(d, ref, template, case, form, bold, prefix, suffix):
    phrase = template.format(m=d.month, y=d.year)
    got = governing(prefix if "Thời gian" not in prefix else "", phrase, suffix, ref, case,
                    form, bold)
    assert (got.kind, got.start, got.due) == ("start", D(d.year, d.month, 1), None)


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@settings(max_examples=200, deadline=None)
@given(y=st.integers(min_value=2000, max_value=2099), q=st.integers(min_value=1, max_value=4),
       ref=refs, roman=st.booleans(), joiner=st.sampled_from(["/", " năm ", "-"]),
       cue=st.sampled_from(["hoàn thành trong", "chậm nhất trong", "Thời hạn hoàn thành:"]),
       **variants)
def test_quarter_phrases_round_trip(y, q, ref, roman, joiner, cue, case, form, bold, prefix,
                                    suffix):
    qs = ROMAN[q] if roman else str(q)
    phrase = f"{cue} quý {qs}{joiner}{y}"
    pre = ""
    if cue.startswith("hoàn thành"):
        pre, phrase = "hoàn thành ", phrase[len("hoàn thành "):]
    got = governing(prefix + pre, phrase, suffix, ref, case, form, bold)
    assert (got.due, got.precision) == (month_end(y, 3 * q), "quarter")


@settings(max_examples=100, deadline=None)
@given(y=st.integers(min_value=2000, max_value=2099), ref=refs, **variants)
def test_year_phrases_round_trip(y, ref, case, form, bold, prefix, suffix):
    got = governing(prefix + "hoàn thành ", f"trong năm {y}", suffix, ref, case, form, bold)
    assert (got.due, got.precision) == (D(y, 12, 31), "year")


UNITS = {"ngày": lambda ref, n: ref + timedelta(days=n),
         "tuần": lambda ref, n: ref + timedelta(weeks=n),
         "ngày làm việc": add_working_days}


@settings(max_examples=200, deadline=None)
@given(ref=refs, n=st.integers(min_value=1, max_value=365), unit=st.sampled_from(sorted(UNITS)),
       cue=st.sampled_from(["trong", "trong vòng", "trong thời hạn", "không quá", "chậm nhất"]),
       anchor=st.sampled_from(["", " kể từ ngày ban hành", " kể từ ngày ký",
                               ", kể từ ngày ký thông báo này"]),
       pad=st.booleans(), **variants)
def test_relative_phrases_round_trip(ref, n, unit, cue, anchor, pad, case, form, bold, prefix,
                                     suffix):
    num = f"{n:02d}" if pad else str(n)
    got = governing(prefix, f"{cue} {num} {unit}{anchor}", suffix, ref, case, form, bold)
    assert (got.due, got.precision) == (UNITS[unit](ref, n), "relative")
    if unit == "ngày làm việc":
        assert is_working_day(got.due) and working_days_between(ref, got.due) == n


@settings(max_examples=200, deadline=None)
@given(ref=refs, n=st.integers(min_value=1, max_value=24),
       unit=st.sampled_from(["ngày", "tuần", "tháng", "quý", "năm"]),
       template=st.sampled_from(["định kỳ {n} {u}/lần", "định kỳ {n} {u}", "{n} {u}/lần",
                                 "định kỳ {n} {u} một lần", "01 lần/{n} {u}"]),
       **variants)
def test_recurrence_round_trip(ref, n, unit, template, case, form, bold, prefix, suffix):
    got = governing(prefix.replace("Thời gian hoàn thành ", ""), template.format(n=n, u=unit),
                    suffix, ref, case, form, bold)
    count, name = {"ngày": (n, "day"), "tuần": (n, "week"), "tháng": (n, "month"),
                   "quý": (3 * n, "month"), "năm": (n, "year")}[unit]
    assert got.every == (f"{count} {name}" if count == 1 else f"{count} {name}s")
    assert got.kind == "recurrence" and ref < got.due <= ref + timedelta(days=366 * 25)


@settings(max_examples=200, deadline=None)
@given(y=st.integers(min_value=2000, max_value=2099), m=st.integers(min_value=1, max_value=12),
       over=st.integers(min_value=1, max_value=3), ref=refs,
       style=st.sampled_from(["text", "/", "-"]))
def test_impossible_dates_never_resolve(y, m, over, ref, style):
    day = month_end(y, m).day + over
    body = f"{day} tháng {m} năm {y}" if style == "text" else style.join(map(str, (day, m, y)))
    d = only(f"hoàn thành trước ngày {body}", ref)
    assert d.due is None and d.error


@settings(max_examples=200, deadline=None)
@given(d=dates, ref=refs, n=st.integers(min_value=1, max_value=9999),
       kind=st.sampled_from(["Quyết định", "Công văn", "Kế hoạch", "Thông báo", "Nghị định"]),
       code=st.sampled_from(["QĐ-UBND", "UBND-KGVX", "KH-UBND", "STTTT-BCVT&CNTT", "NĐ-CP"]),
       style=st.sampled_from(["text", "/", "-"]))
def test_cited_documents_are_never_deadlines(d, ref, n, kind, code, style):
    text = f"theo {kind} số {n}/{code} ngày {render_day(d, style, True, False)} của UBND tỉnh"
    assert find_deadlines(text, ref) == []


VOCAB = ["trước", "ngày", "tháng", "năm", "quý", "trong", "từ", "bắt đầu", "kể từ", "hạn",
         "chót", "chậm nhất", "là", "hằng", "hàng", "định kỳ", "lần", "/", "-", ".", ",", ":",
         "**", "giờ", "h", "đến", "hết", "hoàn thành", "xong", "triển khai", "ký", "ban hành",
         "làm việc", "tuần", "III", "IV", "đầu", "cuối", "sau", "vào", "giai đoạn", "mỗi",
         "0", "1", "02", "12", "13", "29", "31", "99", "2024", "0202", "24", "\n", "ngân sách",
         "mười lăm", "sáu", "thứ", "(", ")"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(VOCAB), max_size=40), st.sampled_from([" ", "", "  "]),
       refs, st.sampled_from(["NFC", "NFD"]))
def test_grammar_soup_never_raises(words, sep, ref, form):
    text = unicodedata.normalize(form, sep.join(words))
    found = find_deadlines(text, ref)
    check_well_formed(text, found)
    gov = find_deadline(text, ref)
    assert gov is None or gov in found


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), refs)
def test_random_text_never_raises(text, ref):
    found = find_deadlines(text, ref)
    check_well_formed(text, found)


@settings(max_examples=50, deadline=None)
@given(refs)
def test_extreme_reference_dates(ref):
    text = "trước ngày 15/8; trong 30 ngày; trong tháng 9; trong 05 ngày làm việc"
    for r in (D(1, 1, 1), D(9999, 12, 31), ref):
        found = find_deadlines(text, r)
        check_well_formed(text, found)
        assert len(found) in (3, 4)
