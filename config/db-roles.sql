-- The two database roles of Spoorboek (see README, "Row-level security"). Run by a superuser,
-- idempotently: docker-compose's `db-roles` service does it on every start.
--
--   spoorboek_owner  owns the database and its tables; `manage.py migrate` connects as it.
--   spoorboek_app    what web, worker and beat connect as: reads and writes rows, no DDL, no
--                    UPDATE or DELETE on the audit trail, and bound by row-level security.
--
-- psql -v owner_password=... -v app_password=... -f db-roles.sql
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE spoorboek_owner LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L', :'owner_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spoorboek_owner') \gexec
SELECT format('CREATE ROLE spoorboek_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spoorboek_app') \gexec

-- Passwords follow the environment; neither role may ever bypass the policies.
ALTER ROLE spoorboek_owner LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE spoorboek_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';

SELECT 'CREATE DATABASE spoorboek OWNER spoorboek_owner'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'spoorboek') \gexec
ALTER DATABASE spoorboek OWNER TO spoorboek_owner;
REVOKE ALL ON DATABASE spoorboek FROM PUBLIC;
GRANT CONNECT ON DATABASE spoorboek TO spoorboek_owner, spoorboek_app;
