"""The command line: the `repotag` entry point and its fast `tag` path
(main.py), the typer app, batch records, --jobs workers, Dask and prompts."""
