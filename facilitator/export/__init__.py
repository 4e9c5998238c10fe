"""Printed documents (PDF). The only package that imports reportlab.

Documents take plain domain data and write a file; they never read the database themselves.
"""
