"""The ids every feature's modals share. Each feature keeps its own callback, action and block ids in
`handlers/<feature>/ids.py`; the manifest test collects the commands and callback ids from all of them.
"""

from __future__ import annotations

# The action_id of the single element of each modal input block: a block's state is found by its block_id.
FIELD = "value"
