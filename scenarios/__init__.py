"""What an athlete lives through: calendars, sessions, matches, travel, sweep axes.

Empty until the scenarios issue lands; installed now so the layout is fixed.
"""
