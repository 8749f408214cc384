"""`python -m supervision …`: see supervision.cli.main."""

from supervision.cli.main import main

raise SystemExit(main())
