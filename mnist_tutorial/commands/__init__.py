"""The project's command-line tools, installed as entry points (see pyproject.toml):
`mnist-notebooks`, `mnist-sweep` and `mnist-seed-spreads`; `make notebooks`, `make sweep` and
`make seed-spreads` call them."""
