"""Data migrations, applied in file-name order by ``manage.py migrate up``.

A migration is a module ``NNNN_what_it_does.py`` whose docstring's first line says what it does
and whose ``up()`` does it. ``NNNN`` is its revision. Write ``up()`` so that running it twice is
harmless (a crash between the change and the recorded revision reruns it). Never renumber or
delete an applied migration; add a new one.
"""
