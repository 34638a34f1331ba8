"""The registry of embedded synthetic datasets.

Each dataset is deterministic given ``(n, seed, wave)``, carries its codebook
(``synth/codebooks/<name>.yaml``) and the true parameters of its
data-generating process.  Generators are vectorised and produce data in the
raw form a survey export would have (one column per codebook ``source``
column; codes as numbers; multi-selects as one 0/1 column per option), so
that the same ingest path serves real and synthetic data.

A dataset may also define the invalid questionnaires its survey collected
(``n_invalid`` > 0; its module's ``chunks`` then takes ``collected``):
``generate(collected=True)`` returns the questionnaires as collected, the
``n`` valid rows unchanged followed by the invalid ones, for screening to
remove.  For a dataset without invalid questionnaires ``collected=True``
returns the valid sample itself (nothing was collected beyond it).
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
    ``n_invalid`` is the number of invalid questionnaires that
    ``collected=True`` appends after the valid rows (0: none).

    Examples
    --------
    >>> ds = get_dataset("riders_shanghai")
    >>> len(ds.generate()), len(ds.generate(collected=True)), ds.n_invalid
    (100, 103, 3)
    >>> len(get_dataset("platform_workers").generate(n=10, collected=True))
    10
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
    n_invalid: int = 0

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

    def generate(
        self, n: int | None = None, seed: int | None = None, wave: str | None = None, *, collected: bool = False
    ) -> pd.DataFrame:
        """Generate the dataset (``n`` rows; defaults give the calibrated sample).

        With ``collected=True``: the questionnaires as collected, the same
        ``n`` valid rows followed by the ``n_invalid`` invalid ones (see the
        module docstring).
        """
        return pd.concat(list(self.chunks(n, seed, wave, collected=collected)), ignore_index=True)

    def chunks(
        self, n: int | None = None, seed: int | None = None, wave: str | None = None, *, collected: bool = False
    ) -> Iterator[pd.DataFrame]:
        """Yield the dataset in chunks of at most ``CHUNK_ROWS`` rows (the invalid questionnaires last)."""
        if not isinstance(collected, bool):
            raise FlexempError(f"collected must be True or False (got {collected!r})")
        n, wave = self._check(n, wave)
        seed = self.default_seed if seed is None else int(seed)
        if collected and self.n_invalid:
            yield from self._mod().chunks(n, seed, wave, collected=True)
        else:
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
