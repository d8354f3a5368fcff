"""Pure recommendation algorithms: arrays in, arrays out. No web framework, ORM, client or I/O
beyond a model's own save folder.

Start at :mod:`nextbuy.recommend.base` (the interface every algorithm implements) and
:mod:`nextbuy.recommend.registry` (every algorithm by name). Events become a weighted matrix in
:mod:`~nextbuy.recommend.events`; cold start lives in :mod:`~nextbuy.recommend.coldstart` and
ranking-time business rules in :mod:`~nextbuy.recommend.rules`.

========================  =========================================================
name                      algorithm
========================  =========================================================
``popularity``            distinct users per item
``trending``              time-decayed interaction weight
``popularity-category``   popular items of the categories a user leans to
``popularity-segment``    popular with the user's demographic segment
``item-knn``              item-to-item co-occurrence, cosine or BM25, top-N per item
``bought-together``       the same over order baskets
``als``                   implicit-feedback ALS (``implicit``, CPU)
``ease``                  closed-form EASE, catalogues that fit in memory
``content-tfidf``         TF-IDF over product text (scikit-learn)
``session-knn``           nearest past sessions, for anonymous visitors
``hybrid``                z-scored blend, weights fitted on a validation split
========================  =========================================================

Everything is deterministic given its inputs and seeds, so it is tested on planted data and can
be reused outside the platform (a notebook, a batch job).
"""
