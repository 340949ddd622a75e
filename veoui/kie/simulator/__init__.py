"""A local kie.ai for demo mode and tests: the Veo 3.1 API, the upload host and the files, over real HTTP.

Run it with ``python -m veoui.kie.simulator --port 0 --api-key KEY``; it prints ``SIMULATOR READY <url>``.
From Python, ``process.running_simulator(...)`` starts one and ``control.SimulatorControl`` drives its
admin API under ``/_sim/`` (faults, request log, tasks, configuration, reset). README.md beside this file
documents the command line, the admin API and every fault kind.

Modules: ``server`` (HTTP, routing, faults around the handlers), ``api`` and ``uploads`` (the routes),
``engine`` and ``tasks`` (state, timing, credits), ``render``, ``cards`` and ``probe`` (MP4 files),
``callbacks``, ``faults``, ``files``, ``requestlog``, ``config``, ``contract`` (kie.ai's codes and texts).

Importing this package loads nothing: the parts that need the rules table are imported by ``__main__``.
"""
