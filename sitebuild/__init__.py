"""The steps behind ``build.py``, one module each.

- :mod:`sitebuild.common`: paths, :class:`BuildError`, logging, hashing.
- :mod:`sitebuild.bootstrap`: the ``.venv`` each command needs, and the data folder.
- :mod:`sitebuild.runtime`: Pyodide core and wheels (fetched, verified), the anomascope wheel.
- :mod:`sitebuild.datasets`: dataset files (downloaded if missing) and the site's data assets.
- :mod:`sitebuild.pages`: the models index, rendered pages, asset manifest, service worker.
- :mod:`sitebuild.digest`: one hash over every input, so an up-to-date ``dist/`` is reused.
- :mod:`sitebuild.server`: the static server for ``serve``, the tests and the benchmark.

Every module imports only the standard library at the top (numpy and jinja2 are imported
inside the functions that need them), so ``build.py`` can import them all before ``.venv``
exists.
"""
