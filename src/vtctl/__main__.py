from vtctl.entry import main

raise SystemExit(main())
