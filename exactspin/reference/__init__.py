"""Reference data (exact values with their parameters, versioned JSON) and cross-checking.

``export`` builds the reference document, ``io`` reads another implementation's rows (CSV or
JSON), ``crosscheck`` compares them with ours; ``schema`` documents the format.
"""
