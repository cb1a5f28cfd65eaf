"""moto_server with fixes for its CloudFormation gaps (docs/MOTO.md).

Usage: scripts/moto-server [moto_server's arguments], e.g. -H 127.0.0.1 -p 5000.

The fixes are monkeypatches applied to moto's models in this process before moto.server's
main runs; site-packages is never edited. They are written for the moto version pinned in
scripts/requirements.txt and refuse to run on another one (a newer moto may fix the gaps, or
change the code the fixes replace): set INFRA_MOTO_ANY_VERSION=1 to try anyway.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fixes  # noqa: E402


def main() -> None:
    fixes.check_version()
    fixes.apply_all()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
