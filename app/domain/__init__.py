"""After-sales concepts with no I/O: roles, fee types, technician ranking, ISO 8601 values, token replay."""
