"""Pure recommendation algorithms: numpy/scipy in, numpy out. No web framework, ORM or client.

Everything here is deterministic given its inputs, so it can be tested on planted data and
reused outside the platform (a notebook, a batch job).
"""
