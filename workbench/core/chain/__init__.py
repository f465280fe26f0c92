"""The preprocessing chain: the walk that resolves it, compile, preview, advice."""
