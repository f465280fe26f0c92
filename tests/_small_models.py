"""Small versions of the slower models, so every registered model trains in seconds in tests."""

SMALL = {
    "random_forest_classifier": {"n_estimators": 10},
    "extra_trees_classifier": {"n_estimators": 10},
    "random_forest_regressor": {"n_estimators": 10},
    "extra_trees_regressor": {"n_estimators": 10},
    "xgboost_classifier": {"n_estimators": 20},
    "xgboost_regressor": {"n_estimators": 20},
    "hist_gradient_boosting_classifier": {"max_iter": 20},
    "hist_gradient_boosting_regressor": {"max_iter": 20},
}
