"""Rulebooks: YAML (plus phrasebooks) → validated models → one compiled ``Rulebook``."""

from .loader import Rulebook, load_rulebook
from .yamlsource import Location, RulebookError

__all__ = ["Location", "Rulebook", "RulebookError", "load_rulebook"]
