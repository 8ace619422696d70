"""Commands for several clerks on one store: sync, resolve, setup-merge, and the merge driver git calls."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dtrack.cli.context import env_of
from dtrack.errors import UsageError
from dtrack.i18n import t


def _say(lines) -> None:
    from dtrack.output import render
    out = render.console()
    for line in lines:
        render.message(line, out)


def _warn(lines) -> None:
    from dtrack.output import render
    for line in lines:
        render.message(t("warning: {message}", message=line), render.console(stderr=True), style="yellow")


def sync_command(
    ctx: typer.Context,
    merge: bool = typer.Option(False, "--merge", help="Merge the server's commits instead of rebasing yours on them."),
) -> None:
    """Exchange changes with the office's git server: fetch, rebase your commits on the server's, push.

    A push refused because someone pushed meanwhile is retried. Offline, your commits are kept.
    A conflict on the same field of one task stops it: settle it with 'dtrack resolve', then run
    'dtrack sync' again.

    \b
    Examples:
      dtrack sync
      dtrack sync --merge
    """
    from dtrack.services import sync
    env = env_of(ctx)
    result = sync.sync(env.root, merge=merge, timeout=env.config.lock_timeout)
    _warn(result.warnings)
    lines = sync.summary(result)
    if not result.incoming:
        lines.append(t("nothing new on {remote}/{branch}", remote=result.remote, branch=result.branch))
    lines.append(t("pushed {n} commit(s) to {remote}/{branch}", n=result.pushed, remote=result.remote,
                   branch=result.branch) if result.pushed else t("nothing to push"))
    _say(lines)


def resolve_command(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="REF", help="A task (2022-02-14-nhiem-vu#4) or a directive (all its tasks)."),
    ours: bool = typer.Option(False, "--ours", help="Keep the version above the '=======' line."),
    theirs: bool = typer.Option(False, "--theirs", help="Keep the version below the '=======' line."),
) -> None:
    """Settle a merge conflict on a task by keeping one of its two versions.

    During 'dtrack sync' (a rebase) --ours is the server's version and --theirs is yours; during
    'dtrack sync --merge' or 'git merge', --ours is yours. Then run 'dtrack sync' again.

    \b
    Examples:
      dtrack resolve 2022-02-14-nhiem-vu-trong-tam#4 --theirs
    """
    from dtrack.services import resolve
    if ours == theirs:
        raise UsageError(t("say which version to keep: --ours or --theirs"))
    done = resolve.resolve(env_of(ctx).root, ref, "ours" if ours else "theirs", timeout=env_of(ctx).config.lock_timeout)
    _say([done])


def setup_merge_command(ctx: typer.Context) -> None:
    """Register the task-level merge driver in this clone (init does it for a new store).

    Writes '*.yaml merge=dtrack' to the store's .gitattributes (committed, once for every clone) and
    the driver to this repository's git config (each clone needs it: git does not copy config).

    \b
    Example:
      dtrack setup-merge
    """
    from dtrack.services import resolve
    _say(resolve.setup_merge(env_of(ctx).root, timeout=env_of(ctx).config.lock_timeout))


def merge_file_command(
    base: Path = typer.Argument(..., metavar="BASE"),
    ours: Path = typer.Argument(..., metavar="OURS"),
    theirs: Path = typer.Argument(..., metavar="THEIRS"),
    path: str = typer.Argument("", metavar="PATH"),
) -> None:
    """Merge three versions of a directive file task by task (git calls this: merge=dtrack).

    Writes the result into OURS; exit 1 when a field was changed to two different values.
    """
    from dtrack.store import mergefile
    code, merged = mergefile.run_driver(base, ours, theirs)
    if merged is not None:
        from dtrack.output import render
        err = render.console(stderr=True)
        for old, new in merged.renumbered.items():
            render.message(t("{path}: task {old} was added on both sides; theirs is now task {new}",
                             path=path, old=old, new=new), err)
        for n, keys in merged.conflicts.items():
            render.message(t("{path}: conflict on task {n} ({fields}): keep one with dtrack resolve",
                             path=path, n=n, fields=", ".join(keys)), err)
    if code:
        raise typer.Exit(code)


def review_command(
    ctx: typer.Context,
    range_: Optional[str] = typer.Argument(None, metavar="[RANGE]",
                                           help="Commits to review: BASE..HEAD, or BASE (to HEAD). Default: since the "
                                                "last sync."),
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE", help="Everything committed since this day."),
    by: str = typer.Option("agency", "--by", metavar="agency|author", help="Group by lead agency or by author."),
    fmt: str = typer.Option("text", "--format", metavar="text|md|json", help="md: a merge-request description."),
    each: bool = typer.Option(False, "--each", help="Every commit on its own, with its author, instead of the net "
                                                    "difference between the range's two ends."),
) -> None:
    """What changed in a range of commits, task by task: added, done (on time / late), reopened, extended.

    Computed from the files, so hand edits count: also cancelled, reassigned, text or deadline edited.

    \b
    Examples:
      dtrack review                       since the last sync
      dtrack review origin/main..HEAD --format md
      dtrack review --since 1/7/2024 --by author --format json
      dtrack review main~20..main --each --by author   who did what, commit by commit
    """
    from dtrack.domain.dates import parse_date
    from dtrack.services import review
    if by not in ("agency", "author") or fmt not in ("text", "md", "json"):
        raise UsageError(t("--by is agency or author, --format is text, md or json"))
    env = env_of(ctx)
    repo_root = env.root
    from dtrack.store import gitops
    repo = gitops.find_repo(repo_root)
    if repo is None:
        raise UsageError(t("{path} is not in a git repository", path=repo_root))
    base, head = review.base_of(repo, range_, parse_date(since, env.today) if since else None)
    changes = review.review(repo_root, base, head, each=each)
    if fmt == "json":
        from dtrack.cli.printing import print_json
        print_json(review.as_json(changes))
        return
    _say(review.lines(changes, by, fmt == "md"))
