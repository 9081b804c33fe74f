#!/usr/bin/env bash
# Creates Planka's own database role and database in the postgres container, so Planka
# never uses the `openzero` superuser. docker-compose.yml mounts this file into
# /docker-entrypoint-initdb.d, where the postgres image runs it once, on the first start
# with an empty data volume. It is idempotent: on a server initialised before this script
# existed, run it by hand (docs/deploy.md, "Updating"):
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-planka.sh
# The password travels as a psql variable (:'planka_password'), quoted by psql, never
# pasted into SQL text.
set -euo pipefail

: "${PLANKA_DB_PASSWORD:?set PLANKA_DB_PASSWORD in .env}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v planka_password="$PLANKA_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE planka LOGIN PASSWORD %L', :'planka_password')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'planka') \gexec
ALTER ROLE planka WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'planka_password';
SELECT 'CREATE DATABASE planka OWNER planka'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'planka') \gexec
REVOKE ALL ON DATABASE planka FROM PUBLIC;
GRANT ALL ON DATABASE planka TO planka;
SQL
echo "postgres-init-planka: role and database planka are ready."
