"""Circadian pacemaker models driven by light (work in progress)."""
