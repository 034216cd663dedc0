"""Use cases. Each opens one UnitOfWork, calls the engine, and commits; no Flask here."""
