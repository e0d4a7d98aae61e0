"""scriptcheck: check Chinese call-center speech against a company's service script."""

__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "Checker":
        from .engine import Checker

        return Checker
    raise AttributeError(name)


__all__ = ["Checker", "__version__"]
