"""Label scores from the most similar training documents (cosine k-nearest neighbours)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class NearestNeighbourLabels:
    """Scores each label by the similarity-weighted share of the ``k`` most similar training documents having it.

    Rows of the matrices must be L2-normalised, so the dot product is the cosine similarity.
    """

    def __init__(self, k: int = 10) -> None:
        self.k = k
        self.documents: sp.csr_matrix | None = None  # features × training documents
        self.labels: np.ndarray | None = None  # training documents × labels (0/1)

    def fit(self, X: sp.csr_matrix, Y: np.ndarray) -> NearestNeighbourLabels:
        self.documents = X.T.tocsr().astype(np.float32)
        self.labels = Y.astype(np.int8)
        return self

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        assert self.documents is not None and self.labels is not None
        similarity = (X @ self.documents).toarray()
        k = min(self.k, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.maximum(np.take_along_axis(similarity, nearest, axis=1), 0)
        scores = np.einsum("ik,ikl->il", weights, self.labels[nearest].astype(np.float32))
        return scores / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        assert self.documents is not None and self.labels is not None
        documents = self.documents.T.tocsr()  # stored by document: smaller index arrays
        return {
            f"{prefix}_data": documents.data.astype(np.float16),
            f"{prefix}_indices": documents.indices.astype(np.int32),
            f"{prefix}_indptr": documents.indptr.astype(np.int32),
            f"{prefix}_labels": np.packbits(self.labels.astype(bool), axis=1),
            f"{prefix}_shape": np.array([*documents.shape, self.labels.shape[1], self.k], dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> NearestNeighbourLabels:
        n_documents, n_features, n_labels, k = (int(value) for value in arrays[f"{prefix}_shape"])
        documents = sp.csr_matrix(
            (arrays[f"{prefix}_data"].astype(np.float32), arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
            shape=(n_documents, n_features),
        )
        model = cls(k)
        model.documents = documents.T.tocsr()
        model.labels = np.unpackbits(arrays[f"{prefix}_labels"], axis=1, count=n_labels).astype(np.int8)
        return model
