"""What a command gets from the command line: the Env (the run's Config, today, the store)."""
from __future__ import annotations

from pathlib import Path

import typer

from dtrack.config import Config
from dtrack.errors import NotFoundError
from dtrack.i18n import t


class Env:
    """What every command needs: the store folder and today. The store loads on first use."""

    def __init__(self, config: Config):
        self.config = config
        self.dir_option = config.dir
        self.today = config.today
        self._store = None

    @property
    def root(self) -> Path:
        from dtrack.store.files import find_root
        return find_root(self.dir_option, Path.cwd(), self.config.dir_origin)

    def index(self):
        """The parse cache's index (cache.Index: open tasks and files, no directives built), or None
        when caching is off (DTRACK_NO_CACHE)."""
        if not self.config.cache:
            return None
        from dtrack.store import cache
        return cache.load_index(self.root)

    def store_for(self, refs):
        """A store of only the directives that `refs` name (resolved against the whole store): what
        commands that change a few tasks need, without building every directive."""
        if not self.config.cache:
            return self.store()
        from dtrack.store import cache
        return cache.load_for(self.root, refs)

    def store(self):
        if self._store is None:
            from dtrack.store import files as store
            self._store = store.load(self.root, cached=self.config.cache)
        return self._store


def env_of(ctx: typer.Context) -> Env:
    return ctx.find_object(Env)


def resolve_hint(st, e: NotFoundError) -> NotFoundError:
    if st.problems:
        e.hint = (e.hint + " " if e.hint else "") + t("({n} file(s) could not be read: 'dtrack list' shows them.)",
                                                      n=len({p.path for p in st.problems if p.severity == 'error'}))
    return e
