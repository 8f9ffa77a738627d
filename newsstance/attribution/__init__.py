"""Who said what: quotations, reporting clauses, speakers, and the attributor over them."""
