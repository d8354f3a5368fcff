"""HTTP only: the Ninja API, problem-JSON error handling and request middleware."""
