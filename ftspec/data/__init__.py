"""Stage 4: the data a spec points at. Readers here are shared by the data checks
and by the compiled training script (through ftspec.runtime), so both see the
same examples, with the same validation split."""
