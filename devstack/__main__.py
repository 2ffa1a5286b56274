"""`python -m devstack`: the local stack behind `make run`."""

from devstack.main import main

raise SystemExit(main())
