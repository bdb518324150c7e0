#!/usr/bin/env bash
# `make load`: a throw-away PostgreSQL database, gunicorn on loopback, locust for a bounded
# time. Prints throughput, p95 and errors; exits non-zero when any request failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
DB=${LOAD_DB:-spoorboek_load}
PORT=${LOAD_PORT:-8077}
USERS=${LOAD_USERS_COUNT:-20}
SECONDS_=${LOAD_SECONDS:-120}
# Plain HTTP on loopback, so not the production settings (they insist on secure cookies);
# Redis is required: the live-update versions and the rate limits must be shared by the
# gunicorn workers, as in production.
export DATABASE_URL="$PG/$DB" REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/12} EMAIL_URL=dummymail://
redis-cli -u "$REDIS_URL" flushdb >/dev/null
psql "$PG/postgres" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
# As in production, gunicorn connects as the application role, under row-level security;
# the migrations (and the seeding) run as the owner. LOAD_APP_URL names another role or host.
ROLE=${DATABASE_APP_ROLE:-spoorboek_app}
psql "$PG/postgres" -q -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE; END IF;
  ALTER ROLE $ROLE LOGIN NOSUPERUSER NOBYPASSRLS; END \$\$"
.venv/bin/python manage.py migrate --no-input -v0
EMPLOYERS=${LOAD_EMPLOYERS:-$USERS}
if [ -n "${LOAD_STEPS:-}" ]; then
  # An account for every simulated person at the largest step (a TOTP code is accepted once
  # per account and period): employer contacts for all of them (LOAD_MIX=1:0:0 measures
  # dashboards alone), employees and specialists for the default mix of twenty to one to one.
  MAX=${LOAD_MAX_USERS:-770}
  USERS=${LOAD_USERS_COUNT:-$((MAX / 22 + 1))} EMPLOYERS=${LOAD_EMPLOYERS:-$MAX}
fi
.venv/bin/python manage.py loadtest_setup --users "$USERS" --employers "$EMPLOYERS" \
  --scale "${LOAD_SCALE:-0.02}"
psql "$PG/$DB" -q -c "ANALYZE"  # fresh statistics, as after a day's use (the bench does the same)
# gunicorn runs the production settings (DJANGO_DEBUG off: no query log, compressed static
# files from their manifest), behind what stands in for the TLS proxy: locust sends
# X-Forwarded-Proto: https as the proxy does (tests/load/locustfile.py). LOAD_DEBUG=true
# measures the development settings instead.
if [ "${LOAD_DEBUG:-false}" != true ]; then
  export DJANGO_SECRET_KEY="load-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
  export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
  DJANGO_DEBUG=false .venv/bin/python manage.py collectstatic --no-input -v0
fi
DJANGO_DEBUG=${LOAD_DEBUG:-false} DATABASE_URL=${LOAD_APP_URL:-postgres://$ROLE@127.0.0.1:5432/$DB} \
  WEB_BIND="127.0.0.1:$PORT" .venv/bin/gunicorn config.wsgi --config config/gunicorn.conf.py \
  ${LOAD_WORKERS:+--workers "$LOAD_WORKERS"} --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -fs "http://127.0.0.1:$PORT/healthz/" >/dev/null && break; sleep 1; done
if [ -n "${LOAD_STEPS:-}" ]; then
  # Capacity: stepped up until p95 passes 300 ms or a request fails (tests/load/steps.py).
  .venv/bin/locust -f tests/load/steps.py --headless -H "http://127.0.0.1:$PORT" --only-summary
else
  .venv/bin/locust -f tests/load/locustfile.py --headless -H "http://127.0.0.1:$PORT" \
    -u "$USERS" -r 0.5 -t "${SECONDS_}s" --csv var/load --only-summary
fi
