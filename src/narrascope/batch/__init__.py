"""Analysing a stored corpus in batches: in this process, on local worker processes, or on a Dask cluster."""

from narrascope.batch.run import AnalyseResult, analyse_store, models_key

__all__ = ["AnalyseResult", "analyse_store", "models_key"]
