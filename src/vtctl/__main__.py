from vtctl.launch.entry import main

raise SystemExit(main())
