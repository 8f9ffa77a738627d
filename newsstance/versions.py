"""Versions of what makes a result: installed packages, and models named with their package's version."""

from __future__ import annotations

from importlib import metadata


def package_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def model_id(name: str) -> str:
    """A model name with the version of the package that ships it, when it is a package."""
    package = name.removeprefix("package:")
    version = package_version(package.replace("_", "-")) if package.isidentifier() else "not installed"
    return name if version == "not installed" else f"{name} {version}"
