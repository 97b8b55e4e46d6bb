"""The entity processor's language resources: gazetteer, place parsing, domain matchers, the spaCy pipeline."""
