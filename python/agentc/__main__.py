"""`python -m agentc ARGS` runs the bundled binary with ARGS."""

import os
import sys

from agentc import find_agentc_bin


def main() -> None:
    agentc = os.fsdecode(find_agentc_bin())
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([agentc, *sys.argv[1:]]).returncode)
    os.execv(agentc, [agentc, *sys.argv[1:]])


if __name__ == "__main__":
    main()
