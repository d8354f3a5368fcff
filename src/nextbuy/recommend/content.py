"""Content-based recommendations: TF-IDF over product text (scikit-learn), cosine similarity.

The only algorithm that can place a product nobody has touched yet: its text alone gives it
neighbours. A user's taste is the weighted sum of the vectors of items they touched, plus, for a
new user, the text of their stated preferences.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.artifacts import Arrays, csr_arrays, csr_from_arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.norms import normalize
from nextbuy.recommend.reasons import ReasonKind

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer


def product_text(
    title: str, description: str = "", brand: str | None = None, category_path: str = ""
) -> str:
    """The text a product is known by: title, brand and category words, then description."""
    categories = category_path.replace("/", " ")
    return " ".join(part for part in (title, brand or "", categories, description) if part)


class ContentTfidf(Recommender):
    """TF-IDF item vectors; user score = cosine between taste and item.

    Args:
        item_texts: text per item id (see :func:`product_text`); items without text never match.
        max_features: vocabulary size cap.
        ngram_max: longest word n-gram.
        min_df: ignore terms in fewer documents than this.
    """

    name = "content-tfidf"
    reason_kind = ReasonKind.SIMILAR_CONTENT

    def __init__(
        self,
        item_texts: Mapping[str, str] | None = None,
        max_features: int = 50_000,
        ngram_max: int = 1,
        min_df: int = 1,
    ) -> None:
        super().__init__()
        self.item_texts = dict(item_texts or {})
        self.max_features, self.ngram_max, self.min_df = max_features, ngram_max, min_df
        self._vectors = sparse.csr_matrix((0, 0), dtype=np.float32)
        self._vectorizer: TfidfVectorizer | None = None

    def params(self) -> dict[str, Any]:
        return {
            "max_features": self.max_features,
            "ngram_max": self.ngram_max,
            "min_df": self.min_df,
        }

    def _new_vectorizer(self, vocabulary: Mapping[str, int] | None = None) -> TfidfVectorizer:
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            max_features=self.max_features,
            ngram_range=(1, self.ngram_max),
            min_df=self.min_df,
            sublinear_tf=True,
            dtype=np.float32,
            vocabulary=vocabulary,
        )

    def _fit(self, interactions: Interactions) -> None:
        texts = [self.item_texts.get(item, "") for item in self.items.ids]
        self._vectorizer = self._new_vectorizer()
        if not any(text.strip() for text in texts):
            self._vectors = sparse.csr_matrix((len(texts), 1), dtype=np.float32)
            self._vectorizer = None
            return
        self._vectors = sparse.csr_matrix(self._vectorizer.fit_transform(texts), dtype=np.float32)

    def text_vectors(self, texts: list[str]) -> sparse.csr_matrix:
        """L2-normalised TF-IDF vectors of new texts (a new product, stated preferences)."""
        if self._vectorizer is None:
            return sparse.csr_matrix((len(texts), self._vectors.shape[1]), dtype=np.float32)
        return sparse.csr_matrix(self._vectorizer.transform(texts), dtype=np.float32)

    def text_scores(self, texts: list[str]) -> Scores:
        """Cosine of each text against every fitted item (cold start for products and users)."""
        return np.asarray((self.text_vectors(texts) @ self._vectors.T).toarray(), np.float32)

    def taste_scores(
        self, history: sparse.spmatrix, stated: list[str], stated_weight: float = 0.3
    ) -> Scores:
        """Scores for one user: the items they touched plus their stated preferences' text.

        Args:
            history: one row of weighted interactions over the fitted items (may be empty).
            stated: free text of stated preferences (favourite categories, brands).
            stated_weight: share of the taste vector given to the stated text.
        """
        touched = normalize(sparse.csr_matrix(history, dtype=np.float32) @ self._vectors)
        said = normalize(self.text_vectors([" ".join(stated)]))
        share = stated_weight if said.nnz else 0.0
        taste = normalize((1.0 - share) * touched + share * said)
        return np.asarray((taste @ self._vectors.T).toarray(), dtype=np.float32)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        taste = normalize(history @ self._vectors)
        return np.asarray((taste @ self._vectors.T).toarray(), dtype=np.float32)

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        return np.asarray((self._vectors[item_rows] @ self._vectors.T).toarray(), np.float32)

    def _state(self) -> Arrays:
        vocabulary = sorted(self._vectorizer.vocabulary_.items()) if self._vectorizer else []
        return {
            **csr_arrays("vectors", self._vectors),
            "vocabulary": np.asarray([term for term, _ in vocabulary], dtype=np.str_),
            "idf": np.asarray(self._vectorizer.idf_ if self._vectorizer else [], np.float32),
        }

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._vectors = csr_from_arrays("vectors", arrays).astype(np.float32)
        terms = arrays["vocabulary"].tolist()
        self._vectorizer = None
        if terms:
            # sklearn rebuilds a fitted vectorizer from a fixed vocabulary and its idf weights.
            self._vectorizer = self._new_vectorizer({term: i for i, term in enumerate(terms)})
            self._vectorizer.fit([" ".join(terms)])
            self._vectorizer.idf_ = arrays["idf"]
