"""Infrastructure shared by every function: settings, database, Redis, AWS, logging, errors."""
