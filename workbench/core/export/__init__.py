"""Exporting a run: ONNX with proven parity, a joblib copy, a model card, a Docker bundle.

Submodules are imported where they are used: `feature_schema` is light (pandas only) and read
by the exported service's tooling, the converters pull in skl2onnx and onnxruntime.
"""
