"""The run report: one self-contained HTML file per run, to send to a colleague.

`facts` reads what the report says from the project and the run (no Qt), `document` writes the
HTML (no Qt), `images` renders the Results panel's plots to PNG (Qt, headless), `writer` ties
them into `write_run_report`, the function the Results panel runs as a job and the CLI calls.
Nothing is imported here, so the Qt-free modules stay Qt-free when imported alone.
"""
