"""What is being done to a server right now (``nova.compute.task_states``).

In real Nova a ``task_state`` lives for seconds while the compute service works;
here actions finish synchronously, so a server's task_state is normally None.
The names remain because the status mapping and the ``status`` filter use them.
"""

SCHEDULING = "scheduling"
SPAWNING = "spawning"
REBUILDING = "rebuilding"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
MIGRATING = "migrating"
REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
DELETING = "deleting"
