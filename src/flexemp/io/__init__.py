"""Reading raw exports and writing data files."""
