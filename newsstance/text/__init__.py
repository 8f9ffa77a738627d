"""Articles from raw bytes: decoding, HTML, the headline, boilerplate, paragraphs."""
