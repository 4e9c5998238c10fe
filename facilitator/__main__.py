from facilitator.app import main

raise SystemExit(main())
