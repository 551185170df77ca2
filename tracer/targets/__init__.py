"""Targets: the apps tracer records, and the only package that knows a particular one.

``sample_api`` loads the miniature Nova API, runs a request through it in-process and gives a re-run
the same world (database snapshot, clock, ids); ``recipes`` keeps a served request as what it read so
that its trace can be built later; ``nova`` does the same for OpenStack Nova 34 (the ``nova`` extra); ``wsgi``
records any WSGI app named ``module:callable``. Importing this package registers every target's hop labels
for the faces; it imports no app.
"""

from pathlib import Path

from tracer.model.labels import add_label_files

#: each target's hop labels (see ``tracer.model.labels``), by target name
LABEL_FILES = {
    "sample_api": Path(__file__).with_name("sample_api.labels.toml"),
    "nova": Path(__file__).parent / "nova" / "labels.toml",
}
add_label_files(*LABEL_FILES.values())
