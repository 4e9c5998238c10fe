"""Benchmarks behind `make bench`: timed scenarios on a ten-year demo database.

Every scenario is timed next to a floor measured in the same run (the same work done by the
bare tools underneath), so a slow machine shows up in both numbers and the ratio stays fair.
"""
