"""How a page shows things to readers: Norwegian number formatting, the house style of
charts, and the report API (glued numbers, numbered figures and tables with downloads)."""
