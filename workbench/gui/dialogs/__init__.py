"""Modal dialogs: import a table, create a project."""
