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
    "'dtrack list --all' shows every reference.": "'dtrack list --all' liệt kê mọi mã nhiệm vụ.",
    # show, done, reopen: the fields and summaries a clerk reads most. Not "on {date}": ops.py puts it in
    # commit subjects, which stay English so `git log --grep` works whatever the clerk's language.
    "Directive": "Văn bản",
    "Number": "Số",
    "Kind": "Loại",
    "Issuer": "Cơ quan ban hành",
    "Issued": "Ngày ban hành",
    "Signer": "Người ký",
    "Title": "Trích yếu",
    "File": "Tệp",
    "Support": "Phối hợp",
    "Status": "Trạng thái",
    "Note": "Ghi chú",
    "Extensions": "Gia hạn",
    "Occurrences": "Các kỳ đã thực hiện",
    "Every": "Lặp lại",
    "Cancelled": "Đã hủy",
    "History": "Lịch sử",
    "done {date}": "xong {date}",
    "until {date}": "đến {date}",
    "on time": "đúng hạn",
    "{summary} — committed {commit}": "{summary} — đã commit {commit}",
    "{summary} — written, not committed": "{summary} — đã ghi, chưa commit",
    # the command line's own errors (dtrack/cli/boundary.py)
    "Try '{command} --help'.": "Xem '{command} --help'.",
    "Aborted!": "Đã dừng!",
    "{option}: {message}": "{option}: {message}",
    "DTRACK_LOCK_TIMEOUT={raw}: give a number of seconds from 0 to {max}":
        "DTRACK_LOCK_TIMEOUT={raw}: hãy ghi số giây từ 0 đến {max}",
    "'{raw}' is not a length of time": "'{raw}' không phải là một khoảng thời gian",
    "Write it as 3d, 1w or 16h; 0 for no reminder.": "Ghi dạng 3d, 1w hoặc 16h; 0 nếu không cần nhắc.",
    "0 means no reminder; it cannot be combined with other reminders":
        "0 nghĩa là không nhắc; không ghi kèm các lời nhắc khác",
    "'{value}' is neither a date nor a commit of this repository":
        "'{value}' không phải là ngày, cũng không phải một commit của kho này",
    "cannot reach the git server '{remote}' ({url}): {error}":
        "không kết nối được máy chủ git '{remote}' ({url}): {error}",
    'the sync stopped on a conflict: {where}':
        'đồng bộ dừng lại vì xung đột: {where}',
    'HEAD is not on a branch, so there is nothing to sync':
        'HEAD không ở trên nhánh nào, nên không có gì để đồng bộ',
    'this store has no git server to sync with (no git remote)':
        'kho này chưa có máy chủ git để đồng bộ (không có git remote)',
    "Your {n} local commit(s) are kept; run 'dtrack sync' again when the server can be reached.":
        "{n} commit trên máy này vẫn được giữ; chạy lại 'dtrack sync' khi kết nối được máy chủ.",
    "Keep one version of each task with 'dtrack resolve REF --ours' or '--theirs', then run 'dtrack sync' again (or give up the sync with 'git rebase --abort' / 'git merge --abort'); your commits are kept.":
        "Giữ một phiên bản của từng nhiệm vụ bằng 'dtrack resolve MÃ --ours' hoặc '--theirs', rồi chạy lại 'dtrack sync' (hoặc bỏ lần đồng bộ này bằng 'git rebase --abort' / 'git merge --abort'); các commit của bạn vẫn được giữ.",
    '{path} is not in a git repository, so there is nothing to sync':
        '{path} không nằm trong kho git, nên không có gì để đồng bộ',
    '{n} file(s) edited by hand by {author}':
        '{n} tệp do {author} sửa tay',
    "Go back to your branch (git switch main), then run 'dtrack sync' again.":
        "Quay về nhánh của bạn (git switch main), rồi chạy lại 'dtrack sync'.",
    "Add the office's server once: git remote add origin URL":
        'Thêm máy chủ của cơ quan một lần: git remote add origin URL',
    "Run 'dtrack init' there, or clone the office's store with git clone URL.":
        "Chạy 'dtrack init' ở đó, hoặc sao kho của cơ quan bằng git clone URL.",
    "the server '{remote}' kept changing: {n} attempts to push failed":
        "máy chủ '{remote}' liên tục thay đổi: {n} lần đẩy (push) đều không được",
    '{n} task(s) {action} by {author}: {refs}':
        '{n} nhiệm vụ {action} bởi {author}: {refs}',
    '{action} by {author}':
        '{action} bởi {author}',
    ' task {ref}':
        ' nhiệm vụ {ref}',
    "{files}: changed but not committed; a sync would mix them up with the server's changes":
        '{files}: đã sửa nhưng chưa commit; đồng bộ lúc này sẽ trộn lẫn với thay đổi trên máy chủ',
    "Your commits are kept; run 'dtrack sync' again in a moment.":
        "Các commit của bạn vẫn được giữ; lát nữa chạy lại 'dtrack sync'.",
    'Commit them (git commit -am "...") or set them aside (git stash), then run \'dtrack sync\' again.':
        'Commit chúng (git commit -am "...") hoặc cất tạm (git stash), rồi chạy lại \'dtrack sync\'.',
    '{path}: kept {side} for {n} conflict(s)':
        '{path}: đã giữ bản {side} cho {n} xung đột',
    "; run 'dtrack sync' to finish":
        "; chạy 'dtrack sync' để hoàn tất",
    "no directive file '{stem}' in {root}":
        "không có tệp văn bản '{stem}' trong {root}",
    "'{ref}' is not a task reference (DIRECTIVE#N)":
        "'{ref}' không phải mã nhiệm vụ (VĂNBẢN#N)",
    '; {n} left in the file':
        '; còn {n} trong tệp',
    '{path} is not in a git repository':
        '{path} không nằm trong kho git',
    'the task-level merge driver is already set up; nothing changed':
        'bộ trộn theo nhiệm vụ đã được cài; không thay đổi gì',
    "Give the name 'dtrack list' shows in its error line, e.g. 2022-02-14-nhiem-vu#4.":
        "Ghi tên mà 'dtrack list' nêu ở dòng lỗi, ví dụ 2022-02-14-nhiem-vu#4.",
    '{path}: no conflict on {what} to settle':
        '{path}: không có xung đột nào ở {what} để giải quyết',
    'registered the task-level merge driver (git config merge.dtrack.driver)':
        'đã đăng ký bộ trộn theo nhiệm vụ (git config merge.dtrack.driver)',
    'setup-merge: merge directive files task by task':
        'setup-merge: trộn tệp văn bản theo từng nhiệm vụ',
    'wrote {path}':
        'đã ghi {path}',
    ' — committed {commit}':
        ' — đã commit {commit}',
    'task {n}':
        'nhiệm vụ {n}',
    'any task':
        'nhiệm vụ nào',
    'nothing new on {remote}/{branch}':
        'không có gì mới trên {remote}/{branch}',
    'pushed {n} commit(s) to {remote}/{branch}':
        'đã đẩy {n} commit lên {remote}/{branch}',
    'nothing to push':
        'không có gì để đẩy',
    'say which version to keep: --ours or --theirs':
        'hãy chọn phiên bản cần giữ: --ours hoặc --theirs',
    '{path}: task {old} was added on both sides; theirs is now task {new}':
        '{path}: nhiệm vụ {old} được thêm ở cả hai bên; nhiệm vụ của bên kia nay là số {new}',
    '{path}: conflict on task {n} ({fields}): keep one with dtrack resolve':
        '{path}: xung đột ở nhiệm vụ {n} ({fields}): giữ một bản bằng dtrack resolve',
    ' (task {n}: dtrack resolve <directive>#{n} --ours or --theirs)':
        ' (nhiệm vụ {n}: dtrack resolve <văn bản>#{n} --ours hoặc --theirs)',
    'ours':
        'của mình (ours)',
    'theirs':
        'của bên kia (theirs)',
    'no sync yet to review from':
        'chưa đồng bộ lần nào để xem lại từ đó',
    'Give a range (dtrack review main~10..main) or --since DATE.':
        'Ghi một khoảng commit (dtrack review main~10..main) hoặc --since NGÀY.',
    "'{rev}' is not a commit of this repository":
        "'{rev}' không phải một commit của kho này",
    '{n} change(s) to {tasks} task(s): {done} done ({late} late)':
        '{n} thay đổi ở {tasks} nhiệm vụ: {done} hoàn thành ({late} trễ hạn)',
    '(no lead)':
        '(không có cơ quan chủ trì)',
    ' (late)':
        ' (trễ hạn)',
    'added':
        'thêm mới',
    'reopened':
        'mở lại',
    'extended':
        'gia hạn',
    'reassigned':
        'giao lại',
    'text edited':
        'sửa nội dung',
    'deadline edited':
        'sửa hạn',
    '--by is agency or author, --format is text, md or json':
        '--by là agency hoặc author, --format là text, md hoặc json',
}
