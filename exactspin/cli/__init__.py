"""The ``exactspin`` command: thin argument parsing on top of the library layers."""
