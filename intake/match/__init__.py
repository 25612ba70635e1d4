"""The matcher: blocking, Fellegi–Sunter scoring with explanations, clustering into persons.

Modules: ``settings`` (MatchSettings), ``compare``/``vcompare`` (field levels), ``score``
(Model.score, the public scoring API), ``vscore`` (batch scoring), ``blocking``, ``cluster``,
``em`` (optional parameter estimation), ``pipeline`` (run_match, match_incremental, recluster),
``records`` (the same engine on rows in memory: dedup, or link of two sets) and ``link`` (the
affected-list cross-check). Never imports Flask; SQL lives in
``intake.store.matches``.
"""
