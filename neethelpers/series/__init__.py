"""Public statistics turned into tidy series and tables: national and county NEET series,
the barometer, the analysis note's published figures, the literature findings and G."""
