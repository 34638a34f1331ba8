"""Calibrated synthetic datasets with codebooks (the embedded defaults)."""

from flexemp.synth.registry import CHUNK_ROWS, SyntheticDataset, get_dataset, list_datasets

__all__ = ["CHUNK_ROWS", "SyntheticDataset", "get_dataset", "list_datasets"]
