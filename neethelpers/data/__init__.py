"""The data layer: the catalog, table schemas, the hash-checked loader, read logging and
the online refresh.

The loader's API is re-exported here, so chapters read data as::

    from neethelpers import data
    df = data.load("ssb_13556_neet_county")
"""

from neethelpers.data.loader import (  # noqa: F401  (the package's public API)
    catalog_entry,
    clear_cache,
    datasets,
    load,
    parse_bytes,
    path_of,
    source_of,
    verify,
    verify_all,
)
