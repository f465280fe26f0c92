"""The run report's Qt side: `images` renders the Results panel's plots to PNG (headless),
`writer` is the window's report job, `report_bar` the panel's row that runs it.

What the report says (`core.runs.facts`), its HTML (`core.report.document`) and the writing
(`core.report.writer`) are Qt-free, in core: the CLI writes reports without importing this
package.
"""
