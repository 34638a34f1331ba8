"""Codebooks: variables, codes, labels, bands, missing codes and personal-data flags."""

from flexemp.codebook.model import Band, Code, Codebook, Variable
from flexemp.codebook.yaml_io import (
    codebook_sha256,
    dump_codebook,
    load_codebook,
    parse_codebook,
    save_codebook,
)

__all__ = [
    "Band",
    "Code",
    "Codebook",
    "Variable",
    "codebook_sha256",
    "dump_codebook",
    "load_codebook",
    "parse_codebook",
    "save_codebook",
]
