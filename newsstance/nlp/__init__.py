"""spaCy: loading the model, parsing sentences, tagging entities, Docs as bytes."""
