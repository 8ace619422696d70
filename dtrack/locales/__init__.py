"""Translations of dtrack's messages: one module per language with a MESSAGES dict."""
