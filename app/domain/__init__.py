"""After-sales concepts with no I/O: roles, fee types, technician ranking, durations."""
