"""Which places exist: the county registry, county structures across reforms, and the
municipality crosswalk onto today's (2024) borders."""
