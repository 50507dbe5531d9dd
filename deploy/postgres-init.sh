#!/usr/bin/env bash
# First start of the database (docker-entrypoint-initdb.d): the two roles of Parcours.
# parcours_owner owns the schema and runs the migrations; parcours_app is the runtime role:
# DML grants only (given by the migrations), never a superuser, never BYPASSRLS.
set -euo pipefail
owner_password=$(cat /run/secrets/owner_password)
app_password=$(cat /run/secrets/app_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE parcours_owner LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE parcours_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'app_password';
ALTER DATABASE :"DBNAME" OWNER TO parcours_owner;
GRANT CONNECT ON DATABASE :"DBNAME" TO parcours_app;
ALTER SCHEMA public OWNER TO parcours_owner;
GRANT USAGE ON SCHEMA public TO parcours_app;
SQL
