"""The apps layer: configs and files in, the engine's plain values out.

- :mod:`twin.apps.config`: the structured schemas (Hydra's ConfigStore) and
  :func:`compose` for notebooks, tests and benchmarks;
- :mod:`twin.apps.from_config`: a resolved config read into :func:`twin.engine.plan`;
- :mod:`twin.apps.hydra_app`: the one Hydra-app wrapper of the command-line tools;
- the tools: ``twin-run`` (:mod:`twin.apps.run`), ``twin-plan`` (:mod:`twin.apps.plan`),
  ``twin-scenario`` (:mod:`twin.apps.scenario`), ``twin-calibrate``
  (:mod:`twin.apps.calibrate`); ``python -m twin.apps.docs`` writes ``docs/model.md``.
"""
