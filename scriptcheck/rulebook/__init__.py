"""Rulebooks: YAML (plus phrasebooks) → validated models → one compiled ``Rulebook``."""

from typing import Any

from .yamlsource import Location, RulebookError


def __getattr__(name: str) -> Any:
    # Lazy: matcher modules import ``rulebook.schema``, and the loader imports the matchers.
    if name in ("Rulebook", "load_rulebook", "load_cached"):
        from . import loader

        return getattr(loader, name)
    raise AttributeError(name)


__all__ = ["Location", "Rulebook", "RulebookError", "load_cached", "load_rulebook"]
