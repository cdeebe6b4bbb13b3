"""The evaluation stage: tier 1 metrics, the comparison ladder, acceptance, overfitting
signals, results.json, report.html and human review packets (guide: Evaluation Strategy).

Everything here is plain Python over predictions and records; the model side (loading,
batched generation, losses) is in `ftspec.runtime`, which the compiled eval.py joins
to this package.
"""
