"""Lazy public names of a package (PEP 562; Scientific Python SPEC 1, lazy loading).

A package whose ``__init__`` would import every submodule, and with them heavy
dependencies (JAX, statsmodels, matplotlib, scipy.optimize), declares instead which
submodule defines each public name; a name's submodule is imported on first use, so
importing the package for one function does not import the rest.
"""

from __future__ import annotations

import importlib


def lazy_exports(package: str, submodules: dict[str, str]):
    """``(__getattr__, __dir__)`` for the package ``package`` (its ``__name__``) whose
    public names ``submodules`` maps to the submodule defining each; assign them in the
    package's ``__init__`` with ``__all__ = list(submodules)``."""

    def __getattr__(name: str):
        module = submodules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        vars(importlib.import_module(package))[name] = value  # later lookups skip this
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(importlib.import_module(package))) | set(submodules))

    return __getattr__, __dir__
