from censorstats.cli import main

raise SystemExit(main())
