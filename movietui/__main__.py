from movietui.cli import main

raise SystemExit(main())
