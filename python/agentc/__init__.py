"""agentc, the compiler and linter for sub-agent definitions.

The wheel carries the `agentc` binary in the environment's scripts folder;
`find_agentc_bin()` returns its path for programs that want to run it.
"""

from ._find import find_agentc_bin

__all__ = ["find_agentc_bin"]
