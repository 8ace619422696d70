"""Every command, by name: where its function lives and the line `dtrack --help` shows for it.

Modelled on pip's `commands_dict`: the group lists commands from here without importing them, and
imports a command's module only when that command runs or shows its own help. A command module
defines plain functions (typer parameters as defaults) and registers nothing; adding a command is one
line here. The summary is the first sentence of the function's help (tests/cli/test_registry.py
keeps the two in step).
"""
from __future__ import annotations

from typing import NamedTuple, Optional


class CommandInfo(NamedTuple):
    module: str
    attr: str
    summary: str
    help: Optional[str] = None      # instead of the function's docstring (an alias)
    hidden: bool = False


commands_dict: dict[str, CommandInfo] = {
    "list": CommandInfo("dtrack.cli.tasks", "list_command", "List the open tasks that are overdue or due soon."),
    "due": CommandInfo("dtrack.cli.tasks", "list_command", "Same as 'dtrack list'.",
                       help="Same as 'dtrack list'.\n\n\b\nExample:\n  dtrack due --within 30d"),
    "show": CommandInfo("dtrack.cli.tasks", "show_command",
                        "Show a directive or one task in full, with its git history."),
    "done": CommandInfo("dtrack.cli.tasks", "done_command",
                        "Mark tasks done: only their lines change, and one git commit records it."),
    "reopen": CommandInfo("dtrack.cli.tasks", "reopen_command",
                          "Open a done or cancelled task again (its done date is removed)."),
    "check": CommandInfo("dtrack.cli.supervise", "check_command",
                         "Validate the store: one line per problem, 'path:line:col: error|warning: message'."),
    "schema": CommandInfo("dtrack.cli.supervise", "schema_command",
                          "Print the JSON Schema of directive files (or of agencies.yaml), for editors."),
    "report": CommandInfo("dtrack.cli.supervise", "report_command",
                          "Count assigned tasks per lead agency: done on time / late, open in time / overdue."),
    "log": CommandInfo("dtrack.cli.supervise", "log_command",
                       "The audit trail from git: when, who, what (done, extend, cancel, add, ...), which task, "
                       "note."),
    "remind": CommandInfo("dtrack.cli.supervise", "remind_command",
                          "Draft a follow-up letter (\"công văn đôn đốc\") listing an agency's overdue tasks."),
    "init": CommandInfo("dtrack.cli.lifecycle", "init_command",
                        "Start a store: directives/ with agencies.yaml and a README, a git repository (or the "
                        "enclosing one), .gitattributes and a pre-commit hook that refuses invalid directive files."),
    "add": CommandInfo("dtrack.cli.lifecycle", "add_command",
                       "Record a new directive: creates directives/<year>/<number>.yaml and commits it."),
    "add-task": CommandInfo("dtrack.cli.lifecycle", "add_task_command",
                            "Add a task to a directive, numbered after the last one."),
    "edit": CommandInfo("dtrack.cli.lifecycle", "edit_command",
                        "Edit a directive file in $EDITOR, at the task's line; it is checked before it is saved."),
    "extend": CommandInfo("dtrack.cli.lifecycle", "extend_command",
                          "Move a task's deadline (gia hạn), keeping the history in the task."),
    "cancel": CommandInfo("dtrack.cli.lifecycle", "cancel_command",
                          "Cancel tasks withdrawn by a later directive (status cancelled, with when, why and by "
                          "what)."),
    "reassign": CommandInfo("dtrack.cli.reassign", "reassign_command",
                            "Hand a task's lead to another agency (chuyển giao nhiệm vụ), keeping who held it before."),
    "agencies": CommandInfo("dtrack.cli.agencies", "agencies_command",
                            "The agency registry: list, show, add, rename, succeed (mergers from a day, by a document)."),
    "export-ics": CommandInfo("dtrack.cli.export", "export_ics_command",
                              "Export the deadlines of open tasks as an iCalendar (.ics) file."),
    "import": CommandInfo("dtrack.cli.importing", "import_command",
                          "Read directives and write their tasks as directive files, for you to check."),
    "hook-check": CommandInfo("dtrack.cli.lifecycle", "hook_check_command",
                              "Validate the staged directive files (the pre-commit hook runs this).", hidden=True),
    "sync": CommandInfo("dtrack.cli.sync", "sync_command",
                        "Exchange changes with the office's git server: fetch, rebase your commits on the server's, push."),
    "review": CommandInfo("dtrack.cli.sync", "review_command",
                          "What changed in a range of commits, task by task: added, done (on time / late), reopened, "
                          "extended."),
    "resolve": CommandInfo("dtrack.cli.sync", "resolve_command",
                           "Settle a merge conflict on a task by keeping one of its two versions."),
    "setup-merge": CommandInfo("dtrack.cli.sync", "setup_merge_command",
                               "Register the task-level merge driver in this clone (init does it for a new store)."),
    "completion": CommandInfo("dtrack.cli.completion", "completion_command",
                              "Print the shell completion script: commands, options, references and agency names."),
    "help": CommandInfo("dtrack.cli.helping", "help_command",
                        "Show the help of dtrack, or of one command (as --help does)."),
    "merge-file": CommandInfo("dtrack.cli.sync", "merge_file_command",
                              "Merge three versions of a directive file task by task (git calls this: merge=dtrack).",
                              hidden=True),
}
