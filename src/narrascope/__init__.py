"""narrascope: offline analysis of propaganda narratives in news articles.

>>> import narrascope
>>> analysis = narrascope.analyze(open("examples/nato-troops-escalation.txt").read())
>>> [(label.name, round(label.confidence, 2)) for label in analysis.narratives]
"""

from narrascope.document import Analysis, Article, Label, Span
from narrascope.pipeline import analyze

__version__ = "0.1.0"
__all__ = ["Analysis", "Article", "Label", "Span", "__version__", "analyze"]
