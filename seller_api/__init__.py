"""The seller companion API (FastAPI): tags, related products, insights, ROAS."""
