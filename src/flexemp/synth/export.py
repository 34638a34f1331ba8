"""Write an embedded synthetic dataset to a file, with its codebook beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from flexemp.codebook import save_codebook
from flexemp.synth.registry import get_dataset


def codebook_path_for(path: str | Path) -> Path:
    """``FILE.codebook.yaml`` beside ``FILE``."""
    p = Path(path)
    return p.with_name(p.name + ".codebook.yaml")


def write_synthetic(
    name: str,
    out: str | Path,
    *,
    n: int | None = None,
    seed: int | None = None,
    wave: str | None = None,
    collected: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Generate dataset ``name`` and write it to ``out`` (CSV, Parquet, SAV, DTA or XLSX).

    The codebook is written beside it as ``out + ".codebook.yaml"``.  CSV and
    Parquet are streamed chunk by chunk, so ten million rows never sit in
    memory at once.

    Parameters
    ----------
    name : str
        A dataset from :func:`flexemp.list_datasets`.
    out : str or Path
        The output file; the format follows the extension.
    n, seed, wave : optional
        Rows, random seed and wave (defaults: the calibrated sample).
    collected : bool
        Write the questionnaires as collected: the valid rows, then the invalid
        questionnaires the dataset defines (``riders_shanghai``: 3, as seed 001's
        103 → 100), for screening to remove (see ``SyntheticDataset.generate``).
    progress : callable, optional
        Called with the number of rows of each chunk written.

    Returns
    -------
    Path
        ``out``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_synthetic("riders_shanghai", pathlib.Path(tempfile.mkdtemp()) / "r.parquet")
    >>> out.name, out.with_name("r.parquet.codebook.yaml").exists()
    ('r.parquet', True)
    """
    from flexemp.io.writers import write_chunks

    ds = get_dataset(name)
    cb = ds.codebook()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def counted() -> Iterator[pd.DataFrame]:
        for chunk in ds.chunks(n, seed, wave, collected=collected):
            yield chunk
            if progress is not None:
                progress(len(chunk))

    write_chunks(counted(), out, codebook=cb)
    save_codebook(cb, codebook_path_for(out))
    return out
