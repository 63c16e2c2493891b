"""The engine: couples the physiology models, runs sweeps, builds outcome cubes.

For now it holds the main job's demonstration (:mod:`twin.demo`), its figures
(:mod:`twin.plots`) and the example athlete (:mod:`twin.data`).
"""
