"""Reproducible training of the shipped models from the SemEval-2025 Task 10 data (``narrascope train ...``)."""
