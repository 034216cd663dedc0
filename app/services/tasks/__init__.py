"""Tasks: the inbox, the work on a task, its form, drafts, hand-over and the workspace's view of them."""
