"""Article vectors across the corpus: nearest stored articles (any language) and stories built from them."""
