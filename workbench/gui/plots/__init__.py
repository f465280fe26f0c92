"""The plots of the window: result plots, profile plots, their catalog."""
