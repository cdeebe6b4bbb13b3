"""Data augmentation with review (guide: Data Augmentation): `ftspec augment SPEC`.

Candidates are made by the strategies of the spec's `augment` block (`templates.py`: template
variation, offline; `generate.py` + `make.py`: paraphrasing and synthetic generation through an
OpenAI-compatible endpoint), screened by the data checks (`screen.py`) and put in a review queue
(`queue.py`); a person accepts, edits or rejects each in the review app (`app.py`, served by
`ftspec review serve QUEUE_DIR`); `write.py` writes the accepted ones, with provenance, to the
file the spec then names in `data.train`. `command.py` is the command line.
"""
