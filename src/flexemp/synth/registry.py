"""The registry of embedded synthetic datasets.

Each dataset is deterministic given ``(n, seed, wave)``, carries its codebook
(``synth/codebooks/<name>.yaml``) and the true parameters of its
data-generating process.  Generators are vectorised and produce data in the
raw form a survey export would have (one column per codebook ``source``
column; codes as numbers; multi-selects as one 0/1 column per option), so
that the same ingest path serves real and synthetic data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module, resources
from typing import Any

import pandas as pd

from flexemp.codebook import Codebook, load_codebook
from flexemp.core.errors import DatasetNotFoundError, FlexempError

#: Rows per chunk when a generator streams (fixed so output does not depend on it).
CHUNK_ROWS = 500_000


@dataclass(frozen=True)
class SyntheticDataset:
    """An embedded synthetic dataset (see the module docstring).

    ``generate(n, seed, wave)`` returns the whole frame; ``chunks(n, seed, wave)``
    yields it in pieces of at most :data:`CHUNK_ROWS` rows (for streaming large
    ``n`` to Parquet).  ``truth`` holds the known true parameters.
    """

    name: str
    title_zh: str
    title_en: str
    seed_document: str
    default_n: int
    default_seed: int
    module: str
    waves: tuple[str, ...] = ()
    default_wave: str | None = None
    truth: dict[str, Any] = field(default_factory=dict)

    def _mod(self) -> Any:
        return import_module(f"flexemp.synth.{self.module}")

    def codebook(self) -> Codebook:
        """Return the dataset's codebook."""
        return _codebook(self.name)

    def _check(self, n: int | None, wave: str | None) -> tuple[int, str | None]:
        n = self.default_n if n is None else int(n)
        if n < 1:
            raise FlexempError(f"n must be at least 1 (got {n})")
        if self.waves:
            wave = wave or self.default_wave
            if wave not in self.waves:
                raise FlexempError(
                    f"dataset {self.name!r} has waves {', '.join(self.waves)}; got wave={wave!r}"
                )
        elif wave is not None:
            raise FlexempError(f"dataset {self.name!r} has no waves; drop wave={wave!r}")
        return n, wave

    def generate(self, n: int | None = None, seed: int | None = None, wave: str | None = None) -> pd.DataFrame:
        """Generate the dataset (``n`` rows; defaults give the calibrated sample)."""
        n, wave = self._check(n, wave)
        seed = self.default_seed if seed is None else int(seed)
        return pd.concat(list(self._mod().chunks(n, seed, wave)), ignore_index=True)

    def chunks(self, n: int | None = None, seed: int | None = None, wave: str | None = None) -> Iterator[pd.DataFrame]:
        """Yield the dataset in chunks of at most ``CHUNK_ROWS`` rows."""
        n, wave = self._check(n, wave)
        seed = self.default_seed if seed is None else int(seed)
        yield from self._mod().chunks(n, seed, wave)


@cache
def _codebook(name: str) -> Codebook:
    path = resources.files("flexemp.synth").joinpath("codebooks", f"{name}.yaml")
    with resources.as_file(path) as p:
        return load_codebook(p)


_REGISTRY: dict[str, Callable[[], SyntheticDataset]] = {}


def register(factory: Callable[[], SyntheticDataset]) -> Callable[[], SyntheticDataset]:
    """Register a dataset factory (used by the dataset modules)."""
    ds = factory()
    _REGISTRY[ds.name] = factory
    return factory


_MODULES = ("platform_workers", "riders_shanghai", "internet_flex_finance", "flex_sentiment")


def _load_all() -> None:
    for m in _MODULES:
        try:
            import_module(f"flexemp.synth.{m}")
        except ModuleNotFoundError as exc:  # a dataset module not written yet
            if exc.name != f"flexemp.synth.{m}":
                raise


def list_datasets() -> list[SyntheticDataset]:
    """Return every embedded synthetic dataset."""
    _load_all()
    return [f() for f in _REGISTRY.values()]


def get_dataset(name: str) -> SyntheticDataset:
    """Return the embedded dataset ``name``.

    Raises
    ------
    DatasetNotFoundError
        Listing the available names.
    """
    _load_all()
    if name not in _REGISTRY:
        names = ", ".join(sorted(_REGISTRY)) or "(none)"
        raise DatasetNotFoundError(f"no embedded dataset {name!r}; available: {names}")
    return _REGISTRY[name]()
