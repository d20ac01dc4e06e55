"""The simulator's request handlers, one module per family of resources.

Each handler is a function of the :class:`~app.sandbox.account.Account` and the routed
:class:`~app.sandbox.routing.Call` (the job handlers also of the resource's
:class:`~app.sandbox.jobs.Behaviour`) that returns a :class:`~app.sandbox.wire.Response` or
raises :class:`~app.sandbox.wire.ApiError`; ``routes`` binds them to the documented
operations. ``jobs``: list, read, create, preview, render (most resources) and AI Scripts;
``links``; ``text``: the Text Generator and its stream; ``product_video``: Product Video's
video step and regenerations; ``catalogues``: credits, avatars, voices, music, templates,
asset schemas; ``control``: ``/_sandbox/``.
"""
