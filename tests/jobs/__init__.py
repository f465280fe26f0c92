"""Job mechanism tests. A package so that `jobs.job_fixtures` has one importable name: spawned
children import job functions by module name, from the GUI tests as well as from these."""
