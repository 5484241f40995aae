"""Lazy re-exports (PEP 562), so ``import baby_room`` stays as light as ``import pandas``.

A package lists ``{public name: submodule}``; the submodule is imported the first time
the name is used (``baby_room.survey.group_size_summary`` or ``from baby_room.survey
import group_size_summary``), not when the package is imported.
"""

from __future__ import annotations

import importlib


def lazy_exports(package: str, names: dict[str, str], *, renamed: dict[str, str] | None = None):
    """Return ``(__getattr__, __dir__, __all__)`` for a package's lazy public names.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : dict
        Public name -> submodule (relative to the package) that defines it.
    renamed : dict, optional
        Former public name -> its new name (one of ``names``): the former name still
        works, with a ``DeprecationWarning`` that gives the new one; it is not listed.
    """
    renamed = renamed or {}

    def __getattr__(name: str):
        if name in renamed:
            import warnings

            new = renamed[name]
            warnings.warn(f"{package}.{name} is now {package}.{new}; the old name will be "
                          "removed in a later release", DeprecationWarning, stacklevel=2)
            name = new
        if name in names:
            module = importlib.import_module(f"{package}.{names[name]}")
            return getattr(module, name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(names)

    return __getattr__, __dir__, sorted(names)
