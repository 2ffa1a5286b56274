"""`python -m devstack`: the local stack behind `make run`."""

import gc

from devstack.main import main

code = main()
# Everything is saved and stopped: skip collecting moto's many objects at exit (about a second).
gc.freeze()
raise SystemExit(code)
