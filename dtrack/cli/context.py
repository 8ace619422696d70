"""What a command gets from the command line: the Env (the run's Config, today, the store)."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import typer

from dtrack.config import Config
from dtrack.errors import NotFoundError, UsageError
from dtrack.i18n import t


class Env:
    """What every command needs: the store folder and today. The store loads on first use."""

    def __init__(self, config: Config):
        self.config = config
        self.dir_option = config.dir
        self.today = config.today
        self._collection = None
        self._store = None
        self._bar = None

    @property
    def root(self) -> Path:
        from dtrack.store.files import find_root
        return find_root(self.dir_option, Path.cwd(), self.config.dir_origin)

    def collection(self):
        """The store as the index answers it (store.collection), kept on disk unless the config says no cache."""
        if self._collection is None:
            from dtrack.store.collection import Collection
            self._collection = Collection(self.root, cached=self.config.cache, progress=self._progress)
        return self._collection

    def store_for(self, refs):
        """A store of only the directives that `refs` name (resolved against the whole store): what
        commands that change a few tasks need, without building every directive."""
        from dtrack.services import queries
        return self._configured(queries.store_for(self.collection(), refs))

    def store(self):
        if self._store is None:
            self._store = self._configured(self.collection().store())
        return self._store

    def _configured(self, st):
        st.lock_timeout = self.config.lock_timeout
        return st

    def _progress(self, done: int, total: int) -> None:
        """Progress of a slow first read of a big store, as a bar on a terminal's stderr."""
        if self._bar is None:
            from dtrack.cli.printing import _isatty
            if done >= total or not _isatty(sys.stderr):
                return
            from dtrack.output import render
            self._bar = render.progress_bar(total)
        self._bar.update(done)
        if done >= total:
            self._bar.close()
            self._bar = None


def env_of(ctx: typer.Context) -> Env:
    return ctx.find_object(Env)


def resolve_hint(st, e: NotFoundError) -> NotFoundError:
    if st.problems:
        e.hint = (e.hint + " " if e.hint else "") + t("({n} file(s) could not be read: 'dtrack list' shows them.)",
                                                      n=len({p.path for p in st.problems if p.severity == 'error'}))
    return e


@contextmanager
def naming(option: str):
    """Services word their errors in domain terms ("'soon' is not a length of time"); a value that came
    from an option gets the option's name here, where it is known ("--alarm: 'soon' ...")."""
    try:
        yield
    except UsageError as e:
        e.message = t("{option}: {message}", option=option, message=e.message)
        raise
