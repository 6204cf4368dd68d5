"""Getting feeds in: fetching, parsing into entries, URL normalisation, OPML."""
