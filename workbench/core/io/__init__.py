"""Reading table files: options, detection, one reader per format, the tidy step."""
