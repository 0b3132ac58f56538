"""``neet build``: the run plan, papermill execution, post-processing, the generated table
of contents, provenance, build state and the strict render. No notebook imports this folder
(changing it never re-executes a notebook; see :data:`neethelpers.build.state.BUILD_ONLY_FOLDERS`)."""
