"""The seller dashboard: a static page (``GET /dashboard``) over the same ``/v1`` endpoints as
API clients, with charts drawn by a pinned, locally served Chart.js."""
