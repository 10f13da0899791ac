"""Prefect flows: thin orchestration of the plain functions of merge/ and dedupe/.

Importing this package turns Prefect's anonymous usage telemetry off, unless the environment
already says otherwise: Unifica makes no network calls of its own at run time, and the
temporary server's telemetry service, writing to the server's SQLite database while a flow
run did, printed "database is locked" tracebacks in the middle of `make run`. The temporary
server is a child process and inherits these settings; import this package before prefect.
"""
import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
