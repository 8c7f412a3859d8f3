"""Patient pages, one module per part of the record."""
