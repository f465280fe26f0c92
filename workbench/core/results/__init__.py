"""A run's results: its predictions and scores read back, the numbers behind the results
plots, and the longer computations the Results panel runs as jobs (importance, learning curve).

No Qt here; importing the package loads no scikit-learn (the long computations import it when
they run, in the job's process).
"""
