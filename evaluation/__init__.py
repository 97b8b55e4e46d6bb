"""Evaluation data shared by the tests and the benchmarks (both import it; neither imports the other).

``articles``: the small search corpus; ``judged``: the judged query set and its scores;
``devset``: the labelled NLP texts and how a text is enriched for scoring them.
"""
