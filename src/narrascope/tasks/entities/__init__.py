"""Entity framing (SemEval-2025 Task 10 subtask 1): actors, their mentions and the roles the article casts them in."""

from narrascope.tasks.entities.model import EntityModel, EntityTagger, EntityTrainingArticle, FramedMention

__all__ = ["EntityModel", "EntityTagger", "EntityTrainingArticle", "FramedMention"]
