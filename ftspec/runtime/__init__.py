"""The small library compiled scripts import: data loading and splitting, device and
precision, model loading, training callbacks, generation and metrics.

Tested Python, not code pasted into templates. Heavy libraries (torch,
transformers, trl, peft) are imported inside the functions that need them.
"""
