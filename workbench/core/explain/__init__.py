"""Why a model predicts what it does, and where it does worse.

importance (permutation and built-in importance), contributions (SHAP values per original
column: tree_contributions exact, sampled_contributions estimated),
partial_dependence (PD and ICE curves), slices (metrics per group, with fairness), limitations
(the model card's sentences), document (the JSON of all of them); features maps a pipeline's
transformed features back to the columns they came from; outputs names what is explained.
"""
