"""The HTTP API (`sitrep api`): the app factory, one module of routes per resource, and the report store
that stores and enqueues POSTed reports in one step."""
