"""`python -m polyleaf` is the `polyleaf` command."""

from polyleaf.cli import main

main()
