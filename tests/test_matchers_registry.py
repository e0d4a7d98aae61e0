"""Every matcher module is registered (``scriptcheck/matchers/__init__.py`` promises this test)."""

from __future__ import annotations

import importlib
import pkgutil

import scriptcheck.matchers as matchers
from scriptcheck.matchers import KINDS, RULE_MODELS
from scriptcheck.rulebook.schema import RuleBase


def _matcher_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(matchers.__path__) if m.name != "base")


def test_every_matcher_module_is_a_registered_kind():
    registered = {m.__name__.rsplit(".", 1)[1] for m in KINDS.values()}
    assert _matcher_modules() == sorted(registered)


def test_every_matcher_module_has_a_rule_model_and_evaluate():
    for name in _matcher_modules():
        module = importlib.import_module(f"scriptcheck.matchers.{name}")
        assert callable(getattr(module, "evaluate", None)), name
        models = [v for v in vars(module).values()
                  if isinstance(v, type) and issubclass(v, RuleBase) and v.__module__ == module.__name__]
        assert models and all(m in RULE_MODELS for m in models), name


def test_every_kind_name_resolves_to_its_model():
    for kind, module in KINDS.items():
        models = [m for m in RULE_MODELS if m.__module__ == module.__name__]
        assert len(models) == 1, kind
        assert kind in models[0].model_fields["kind"].annotation.__args__
