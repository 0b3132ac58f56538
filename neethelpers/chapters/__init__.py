"""One module per chapter page: what the page shows, as ready frames, figures and glue
values, so that the notebooks only call and display."""
