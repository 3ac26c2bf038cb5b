from casemanager.app import main

raise SystemExit(main())
