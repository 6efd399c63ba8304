"""`python -m censorstats`: the same command as the installed `censorstats` script."""

from censorstats.cli import run

run()
