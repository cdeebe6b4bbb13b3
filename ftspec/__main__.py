import sys

from ftspec.cli import main

sys.exit(main())
