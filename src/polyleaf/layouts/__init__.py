"""polyleaf's default layouts and the translations of their page furniture (data)."""
