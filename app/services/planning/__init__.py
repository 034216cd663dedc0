"""Planning: recurring schedules, their default set, the figures a scheduled case opens with, and where approved
plans stand."""
