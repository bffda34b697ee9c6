"""Cross-cutting web plumbing: error pages, request ids and logs, home page, health check."""
