"""What the training process tells `ftspec run` on stdout. Kept free of heavy imports:
the runner reads it without loading torch."""

# A line starting with this carries a JSON object: step, max_steps, loss, eval_loss, eta_s.
PROGRESS_PREFIX = "@ftspec-progress "
