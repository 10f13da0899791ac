"""`python -m unifica`: the same as the `unifica` command."""
from unifica.cli import app

app(prog_name="unifica")
