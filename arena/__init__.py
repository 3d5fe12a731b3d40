"""Arena: running matches, tournaments, ratings, the store, the viewer, the command line."""
