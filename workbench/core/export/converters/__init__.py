"""ONNX converters for the workbench's own transformers, one module per step family, and the
graph pieces they share (`graph`, `strings`). `catalog.register_step_converters` registers them
with skl2onnx."""
