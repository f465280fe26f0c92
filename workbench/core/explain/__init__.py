"""Why a model predicts what it does: importance."""
