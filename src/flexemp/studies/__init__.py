"""The example studies (seed documents re-created on the embedded data); ``examples/*.yaml`` link here.

``study_path("platform_care")`` gives the installed file; ``list_studies()`` their names.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def list_studies() -> list[str]:
    """Names of the bundled example studies."""
    root = resources.files("flexemp.studies")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def study_path(name: str) -> Path:
    """The bundled study ``name`` (e.g. ``platform_care``) as a file path."""
    ref = resources.files("flexemp.studies").joinpath(f"{name}.yaml")
    with resources.as_file(ref) as p:
        return Path(p)
