"""Everything the product computes. No Qt here: the GUI and the CLI are thin layers over this."""
