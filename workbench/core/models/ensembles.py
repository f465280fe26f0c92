"""The ensembles the auto search (core.automl) builds from its best runs: soft voting and
stacking.

Declared in the registry like every model, so a run of one is read, listed, exported and
described like any other run (its label, its ONNX note, the card). They are not in the model
list (`ModelDef.from_runs`): an ensemble is made of other runs' models, with weights chosen on
their out-of-fold predictions, so there is nothing to pick it from a list for. Its members are
the run's parameters (`ensemble.members`, with `ensemble.weights` for soft voting and
`ensemble.meta_learner` for stacking); the fitted scikit-learn VotingClassifier /
VotingRegressor or StackingClassifier / StackingRegressor is its pipeline.
"""

from __future__ import annotations

from workbench.core.models.registry import CLASSIFICATION, REGRESSION, ModelDef, built_by, register

VOTING_NOTE = (
    "Each member converts as its own run would; the ONNX graph averages their outputs with "
    "the run's weights."
)

SOFT_VOTING_CLASSIFIER = register(
    ModelDef(
        name="soft_voting_classifier",
        label="Soft-voting ensemble",
        family="Ensemble",
        help="The weighted average of the class probabilities of the auto search's best "
        "models, weights chosen on their out-of-fold predictions.",
        tasks=CLASSIFICATION,
        factory=built_by("make_from_runs"),
        handles_missing=True,
        onnx_note=VOTING_NOTE,
        from_runs=True,
    )
)
SOFT_VOTING_REGRESSOR = register(
    ModelDef(
        name="soft_voting_regressor",
        label="Averaging ensemble",
        family="Ensemble",
        help="The weighted average of the predictions of the auto search's best models, "
        "weights chosen on their out-of-fold predictions.",
        tasks=REGRESSION,
        factory=built_by("make_from_runs"),
        handles_missing=True,
        onnx_note=VOTING_NOTE,
        from_runs=True,
    )
)

# The soft-voting ensembles by name: combined by weights alone, so a script reproduces them fold
# by fold and a re-fit needs only the members and the weights.
SOFT_VOTING = (SOFT_VOTING_CLASSIFIER.name, SOFT_VOTING_REGRESSOR.name)

STACKING_NOTE = (
    "Each member converts as its own run would; the ONNX graph feeds their outputs to the "
    "meta-learner's converted graph."
)

STACKING_CLASSIFIER = register(
    ModelDef(
        name="stacking_classifier",
        label="Stacking ensemble",
        family="Ensemble",
        help="A logistic regression on the class probabilities of the auto search's best "
        "models, fitted on their out-of-fold predictions.",
        tasks=CLASSIFICATION,
        factory=built_by("make_from_runs"),
        handles_missing=True,
        onnx_note=STACKING_NOTE,
        from_runs=True,
    )
)
STACKING_REGRESSOR = register(
    ModelDef(
        name="stacking_regressor",
        label="Stacking ensemble",
        family="Ensemble",
        help="A ridge regression on the predictions of the auto search's best models, fitted "
        "on their out-of-fold predictions.",
        tasks=REGRESSION,
        factory=built_by("make_from_runs"),
        handles_missing=True,
        onnx_note=STACKING_NOTE,
        from_runs=True,
    )
)
