"""Person-level microdata and cell counts: input schemas, the synthetic cohort, the analysis
note's logit models, descriptive tables, disclosure control and the microdata.no script
generator. (What the pages show of them is in :mod:`neethelpers.chapters`.)

Modules (imported lazily so ``import neethelpers.microdata`` stays cheap):

* :mod:`.schema` — the input contract (columns, codes, messages) and :func:`read_input`;
* :mod:`.cells` — the one streaming reader, validator and person→cell aggregator (DuckDB)
  behind it, with bounded memory, and the portable SQL of the same aggregation;
* :mod:`.synthetic` — the calibrated synthetic cohort (cell counts, cached on disk);
* :mod:`.models` — models 1–4 and the linear probability model;
* :mod:`.disclosure` — suppression and rounding of results from real data;
* :mod:`.script` — the microdata.no script for a county and year;
* :mod:`.testing` — seeded random person-level data for tests and fixtures.
"""
