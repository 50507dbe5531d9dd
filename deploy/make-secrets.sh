#!/usr/bin/env bash
# Create ./secrets for docker-compose.yml: random database passwords, the two database URLs,
# and an RS256 key pair whose public half verifies tokens (keep the private half with the
# identity provider that signs them; it is never given to Parcours).
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
[ -e secrets/owner_password ] && { echo "secrets/ already exists: remove it to start over"; exit 1; }
random() { openssl rand -hex 24; }
random > secrets/postgres_password
random > secrets/owner_password
random > secrets/app_password
printf 'postgres://parcours_app:%s@db:5432/parcours\n' "$(cat secrets/app_password)" > secrets/database_url
printf 'postgres://parcours_owner:%s@db:5432/parcours\n' "$(cat secrets/owner_password)" > secrets/database_owner_url
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out secrets/jwt_private_key.pem 2>/dev/null
openssl pkey -in secrets/jwt_private_key.pem -pubout -out secrets/jwt_public_key.pem
echo "secrets/ written; sign tokens with secrets/jwt_private_key.pem (RS256, kid \"main\")"
