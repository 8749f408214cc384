"""`python -m supervision …`: see supervision.cli."""

from supervision.cli import main

raise SystemExit(main())
