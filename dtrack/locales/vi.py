"""Giao diện tiếng Việt (DTRACK_LANG=vi). Keys are the English message ids used with i18n.t()."""

MESSAGES = {
    "Ref": "Mã",
    "Due": "Hạn",
    "Left": "Còn",
    "Lead": "Chủ trì",
    "Task": "Nhiệm vụ",
    "today": "hôm nay",
    "{n}d late": "trễ {n} ngày",
    "{n}d left": "còn {n} ngày",
    "no deadline": "không hạn",
    "done": "xong",
    "cancelled": "đã hủy",
    "{n} overdue": "{n} quá hạn",
    "{n} due within {days} days": "{n} đến hạn trong {days} ngày",
    "{n} open in all": "{n} đang mở",
    "No tasks to show.": "Không có nhiệm vụ nào.",
    "error": "lỗi",
    "warning": "cảnh báo",
    "no directives folder here": "không thấy thư mục directives",
    "Run dtrack in a folder that has directives/, or pass --dir PATH (or set DTRACK_DIR).":
        "Chạy dtrack trong thư mục có directives/, hoặc dùng --dir ĐƯỜNG_DẪN (hay đặt DTRACK_DIR).",
    "no directive matches '{key}'": "không có văn bản nào khớp '{key}'",
    "'{raw}' is not a real date.": "'{raw}' không phải ngày có thật.",
    "Dates are day-first: 23/7/2024, 23/07/2024, 23/7, 2024-07-23, today, +3d.":
        "Ngày viết theo kiểu ngày/tháng: 23/7/2024, 23/07/2024, 23/7, 2024-07-23, today, +3d.",
    "already done on {date}; nothing changed": "đã xong ngày {date}; không thay đổi gì",
}
