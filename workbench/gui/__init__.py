"""The PySide6 desktop GUI: panels that edit specs, start jobs and show results; no ML logic."""
