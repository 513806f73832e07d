"""Product search and personalised ranking.

Embeddings, FAISS index, lexical leg, fusion and per-shopper re-ranking.
"""
