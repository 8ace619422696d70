"""Translations of dtrack's messages: gettext catalogues, `<lang>/LC_MESSAGES/dtrack.po` (edited by
translators) and the `dtrack.mo` compiled from it (read at run time; see compile.py)."""
