"""Shell completion. `dtrack completion SHELL` prints the script a shell loads; the shell then runs
dtrack with _DTRACK_COMPLETE set and click (through typer) completes commands and options, and
cli/completers.py what only the store knows (references, agency names). The group (cli/group.py)
lists commands from the registry, so a completion imports only the command being completed."""
from __future__ import annotations

import typer

from dtrack.cli.completers import COMPLETE_VAR
from dtrack.i18n import t

SHELLS = ("bash", "zsh", "fish", "powershell")


def enable() -> None:
    """Register typer's completion classes (bash, zsh, fish, PowerShell) with click."""
    from typer._completion_classes import completion_init
    completion_init()


def completion_command(
    shell: str = typer.Argument(..., metavar="bash|zsh|fish|powershell", help="Your shell."),
) -> None:
    """Print the shell completion script: commands, options, references and agency names.

    Load it from your shell's start-up file (README.md, "Shell completion"); it asks dtrack
    for the references of the store in use, so it follows --dir and DTRACK_DIR.

    \b
    Examples:
      dtrack completion bash > ~/.local/share/bash-completion/completions/dtrack
      dtrack completion zsh > "${fpath[1]}/_dtrack"
      dtrack completion fish > ~/.config/fish/completions/dtrack.fish
      dtrack completion powershell >> $PROFILE
    """
    from dtrack.errors import UsageError
    from typer._completion_shared import get_completion_script
    if shell not in SHELLS:
        raise UsageError(t("no completion for the shell '{shell}'; there are: {shells}", shell=shell,
                           shells=", ".join(SHELLS)))
    typer.echo(get_completion_script(prog_name="dtrack", complete_var=COMPLETE_VAR, shell=shell))
