"""The front desk: `polyleaf serve` (see app.py)."""
