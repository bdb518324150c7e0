"""gunicorn's settings for the web container (Dockerfile) and ``make load``: one place, so
the load test measures what production runs.

Workers: ``WEB_CONCURRENCY`` (gunicorn's own variable), by default two per core plus one as
gunicorn's documentation advises, all sync workers (one request at a time each, no threads:
nothing else was measured). With more workers than cores the operating system shares the
cores between a long page and the quick requests behind it, instead of each request waiting
for a free worker: on 2 cores, 5 workers answered the dashboards' polls in a median of 7 ms
where 3 workers took 23 ms, at the same load (docs/performance.md, "Load").
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
# The cores this process may run on (a container's cpuset, not every core of the host).
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or cores * 2 + 1)
# The TLS proxy in front sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER trusts it); the web
# container is reachable only through that proxy.
forwarded_allow_ips = "*"
