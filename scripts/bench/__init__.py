"""`make bench`: the performance table, side by side in one run (see __main__.py)."""
