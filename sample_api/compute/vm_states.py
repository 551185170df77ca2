"""The stable states a server can be in (``nova.compute.vm_states``).

``vm_state`` says what the server *is*; ``task_state`` (see task_states.py)
says what is being *done* to it. The API never shows either directly: it maps
the pair to one ``status`` word (see ``api/openstack/common.py``).
"""

ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft-delete"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

#: A soft reboot asks the guest politely, so it only makes sense while it runs.
ALLOW_SOFT_REBOOT = [ACTIVE]
#: A hard reboot power-cycles the machine, which also rescues a stuck one.
ALLOW_HARD_REBOOT = [ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR]
