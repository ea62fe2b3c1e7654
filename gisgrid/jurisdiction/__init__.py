"""Cross-boundary pollution: where the act occurs, who is harmed, which grid has jurisdiction."""
