"""Background jobs on RQ (Redis): the queue, the registry of job functions and periodic tasks, the worker."""
