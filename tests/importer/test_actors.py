"""Who acts: every form in which a directive names the lead and the support of a task, and what is
not a task at all. Each case is a small document of its own, read with a small registry."""
from __future__ import annotations

from datetime import date

from dtrack.domain.agencies import Registry
from dtrack.importer.draft import extract

HEAD = """UBND TỈNH HƯNG YÊN

Số: 45/TB-UBND

Hưng Yên, ngày 03 tháng 3 năm 2025

THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban tháng 3

Chủ tịch UBND tỉnh kết luận như sau:

"""
REGISTRY = Registry.from_data([
    {"name": "Sở Tài chính"}, {"name": "Sở Nội vụ"}, {"name": "Sở Y tế"}, {"name": "Sở Xây dựng"},
    {"name": "Sở Giáo dục và Đào tạo"}, {"name": "Công an tỉnh"}, {"name": "Văn phòng UBND tỉnh"},
    {"name": "Sở Nông nghiệp và Phát triển nông thôn"}, {"name": "Sở Tài nguyên và Môi trường"},
    {"name": "Sở Lao động - Thương binh và Xã hội"}, {"name": "Sở Kế hoạch và Đầu tư"},
    {"name": "UBND các huyện, thị xã, thành phố"}, {"name": "UBND các xã, phường"},
    {"name": "Các sở, ban, ngành"}])[0]


def _tasks(body: str, head: str = HEAD):
    return extract(head + body, REGISTRY, today=date(2026, 12, 1)).tasks


def _leads(body: str, head: str = HEAD):
    return [(t.lead, t.support) for t in _tasks(body, head)]


def test_giao_chu_tri_phoi_hop():
    assert _leads("1. Giao Sở Xây dựng chủ trì, phối hợp với Sở Tài chính, Công an tỉnh và các cơ quan liên "
                  "quan kiểm tra chất lượng công trình.\n") == [(("Sở Xây dựng",), ("Sở Tài chính", "Công an tỉnh"))]


def test_heading_lead_is_inherited_by_the_items_under_it():
    body = "1. Sở Y tế:\n- Kiểm tra các cơ sở khám bệnh tư nhân.\n- Rà soát danh mục thuốc thiết yếu.\n" \
           "2. Sở Tài chính: bố trí kinh phí mua sắm trang thiết bị.\n"
    assert _leads(body) == [(("Sở Y tế",), ()), (("Sở Y tế",), ()), (("Sở Tài chính",), ())]


def test_cues_and_responsibility_forms():
    body = ("1. Yêu cầu Sở Nội vụ hoàn thiện đề án vị trí việc làm.\n2. Đề nghị Công an tỉnh bảo đảm an ninh "
            "trật tự.\n3. Sở Xây dựng có trách nhiệm hướng dẫn thủ tục cấp phép.\n4. Sở Tài chính chịu trách "
            "nhiệm thẩm định dự toán kinh phí.\n")
    assert [x[0] for x in _leads(body)] == [("Sở Nội vụ",), ("Công an tỉnh",), ("Sở Xây dựng",), ("Sở Tài chính",)]


def test_shared_head_noun_is_several_agencies_and_a_level_list_is_one_group():
    body = ("1. Các Sở: Y tế, Giáo dục và Đào tạo, Nội vụ rà soát phương án phòng dịch.\n"
            "2. UBND các huyện, thị xã, thành phố tổ chức tuyên truyền cho người dân.\n")
    assert [x[0] for x in _leads(body)] == [("Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nội vụ"),
                                            ("UBND các huyện, thị xã, thành phố",)]


def test_people_stand_for_the_bodies_they_head():
    body = ("1. Giám đốc các sở, Thủ trưởng các ban, ngành tỉnh quán triệt cán bộ về kỷ luật hành chính.\n"
            "2. Chủ tịch UBND các xã, phường kiện toàn tổ công tác.\n"
            "3. Giám đốc Công an tỉnh chỉ đạo tuần tra ban đêm.\n"
            "4. Hiệu trưởng các trường rà soát cơ sở vật chất.\n")
    assert [x[0] for x in _leads(body)] == [("Các sở, ban, ngành",), ("UBND các xã, phường",), ("Công an tỉnh",),
                                            ("Các trường",)]


def test_abbreviations_name_the_department():
    body = ("1. Sở NN-PTNT vận hành cống ngăn mặn.\n2. Sở TN&MT hướng dẫn khai thác nước ngầm.\n"
            "3. Sở KH&ĐT tham mưu phân bổ vốn.\n4. Sở LĐ-TB&XH đề xuất hỗ trợ hộ nghèo.\n"
            "5. VP UBND tỉnh theo dõi, đôn đốc thực hiện.\n")
    assert [x[0] for x in _leads(body)] == [("Sở Nông nghiệp và Phát triển nông thôn",),
                                            ("Sở Tài nguyên và Môi trường",), ("Sở Kế hoạch và Đầu tư",),
                                            ("Sở Lao động - Thương binh và Xã hội",), ("Văn phòng UBND tỉnh",)]


def test_bodies_outside_the_registry_are_kept_whole_and_flagged_new():
    body = ("1. Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Sở Dân tộc và Tôn giáo khảo sát vùng sạt lở.\n"
            "2. UBND các xã, phường, đặc khu khẩn trương lập danh sách hộ cần di dời.\n"
            "3. Sở NN&MT hướng dẫn người dân gia cố chuồng trại.\n"
            "4. Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh đẩy nhanh tiến độ thi công.\n")
    tasks = _tasks(body)
    assert [(t.lead, t.support) for t in tasks] == [
        (("Sở Nông nghiệp và Môi trường",), ("Sở Dân tộc và Tôn giáo",)),
        (("UBND các xã, phường, đặc khu",), ()), (("Sở Nông nghiệp và Môi trường",), ()),
        (("Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh",), ())]
    assert "new agency (not in the registry): Sở Dân tộc và Tôn giáo" in tasks[0].flags
    assert all(any(f.startswith("new agency") for f in t.flags) for t in tasks)


CONG_VAN = """UBND TỈNH HƯNG YÊN

Số: 310/UBND-VX

Hưng Yên, ngày 10 tháng 3 năm 2025

V/v phòng, chống dịch sởi

Kính gửi:
- Sở Y tế;
- Sở Giáo dục và Đào tạo.

UBND tỉnh đề nghị các đơn vị:

- Rà soát danh sách trẻ chưa tiêm đủ mũi vắc xin.
- Tổ chức tiêm bù cho trẻ tại trường học.
"""


def test_kinh_gui_addressees_are_the_leads_when_the_body_names_none():
    tasks = extract(CONG_VAN, REGISTRY, today=date(2026, 12, 1)).tasks
    assert [t.lead for t in tasks] == [("Sở Y tế", "Sở Giáo dục và Đào tạo")] * 2
    assert all("lead guessed from Kính gửi" in t.flags for t in tasks)


def test_a_chain_is_two_tasks():
    body = ("1. Sở Y tế báo cáo số liệu về Sở Nội vụ trước ngày 10/3/2025; Sở Nội vụ tổng hợp, báo cáo UBND "
            "tỉnh trước ngày 20/3/2025.\n")
    assert [(t.lead, t.due) for t in _tasks(body)] == [(("Sở Y tế",), date(2025, 3, 10)),
                                                        (("Sở Nội vụ",), date(2025, 3, 20))]


def test_what_is_not_a_task():
    body = ("Năm 2024, công tác cải cách hành chính đã đạt được nhiều kết quả; tuy nhiên còn một số hạn chế.\n\n"
            "1. Đồng ý chủ trương bổ sung biên chế cho ngành y tế.\n"
            "2. Sở Nội vụ xây dựng kế hoạch tuyển dụng viên chức y tế.\n"
            "3. UBND tỉnh sẽ xem xét hỗ trợ kinh phí khi có đề xuất.\n\n"
            "Đoàn công tác kiểm tra trạm y tế xã. Ảnh: H.L\n\n"
            "Văn phòng UBND tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.\n\n"
            "Nơi nhận:\n- Sở Nội vụ;\n- Lưu: VT.\n")
    assert _leads(body) == [(("Sở Nội vụ",), ())]


def test_support_named_after_the_generic_related_bodies_and_whole_name_heads():
    body = ("1. Giao Sở Y tế chủ trì, phối hợp với các sở, ngành liên quan và UBND các huyện, thị xã, thành phố "
            "hướng dẫn cách ly y tế.\n2. Tỉnh đoàn phát động phong trào thanh niên tình nguyện.\n"
            "3. Ban Quản lý các khu công nghiệp tỉnh rà soát nhu cầu lao động của doanh nghiệp.\n")
    assert _leads(body) == [(("Sở Y tế",), ("UBND các huyện, thị xã, thành phố",)), (("Tỉnh đoàn",), ()),
                            (("Ban Quản lý các khu công nghiệp tỉnh",), ())]


def test_groups_after_a_cue_and_related_units_that_are_no_lead():
    body = ("1. Giao các sở, ngành theo chức năng, nhiệm vụ được giao rà soát thủ tục hành chính.\n"
            "2. Yêu cầu các sở, ban, ngành tỉnh, UBND các huyện, thị xã, thành phố tăng cường kiểm tra.\n"
            "3. Yêu cầu Giám đốc Sở Xây dựng và Thủ trưởng các đơn vị liên quan phối hợp đánh giá chất lượng "
            "công trình.\n")
    assert [x[0] for x in _leads(body)] == [("Các sở, ban, ngành",),
                                            ("Các sở, ban, ngành", "UBND các huyện, thị xã, thành phố"),
                                            ("Sở Xây dựng",)]
