"""From an athlete's data to that athlete's parameters, with uncertainty.

Empty until the calibration issue lands; installed now so the layout is fixed.
"""
