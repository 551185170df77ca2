"""What the hypervisor reports about the machine (``nova.compute.power_state``).

These small integers are what ``OS-EXT-STS:power_state`` shows.
"""

NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED = 7
