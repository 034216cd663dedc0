"""Time: firing due timers, the work calendar, moving the simulated clock."""
