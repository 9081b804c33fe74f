# openzero daemon image: compile TypeScript in one stage (with dev dependencies), install
# production dependencies only (`npm ci --omit=dev`) in another, and run the compiled
# JavaScript as the unprivileged `node` user (uid 1000) under tini.
#
# The embedding model is NOT baked in: it is fetched on first use into
# DATA_DIR/models (/data/models, the openzero-data volume) and kept there across
# restarts and image updates. For an offline server see README "The embedding model".

FROM node:20-slim AS build
WORKDIR /app
# onnxruntime-node would otherwise download GPU binaries at install time; the CPU build ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
# npm ci's postinstall runs this (it prepares the empty embedded-database template).
COPY scripts/prepare-embedded-database.mjs ./scripts/
RUN npm ci --no-audit --no-fund
# esbuild strips the types (scripts/build.mjs); `npm test` is where types are checked.
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build

FROM node:20-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
COPY scripts/prepare-embedded-database.mjs ./scripts/
# The postinstall leaves the empty embedded-database template in node_modules/.cache/openzero,
# so a container's first start on a new volume unpacks it instead of running initdb.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
# What the nightly backup (scripts/backup.sh, run by the daemon) needs inside the image:
# - pg_dump/pg_restore 16, matching the postgres:16 server (Debian's own client is 15,
#   which refuses to dump a 16 server), from the PostgreSQL apt repository
#   (https://wiki.postgresql.org/wiki/Apt);
# - gnupg for the encrypted archives, curl for the embedded database's online dump;
# - tini as PID 1: forwards SIGTERM to node and reaps the backup's child processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg tini \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    BACKUP_DIR=/backups \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8787 \
    TERMINAL=off \
    ONNXRUNTIME_NODE_INSTALL=skip
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# backup.sh, restore.sh and their helpers (the nightly backup and `docker compose exec` drills).
COPY scripts ./scripts
# Checked-in personal files; docker-compose.yml mounts the owner's copies over them.
COPY agent-character.md recurring-plans.md ./
COPY agents ./agents
COPY personal/*.example.md ./personal/
# The data and backup folders belong to the unprivileged user, so named volumes mounted
# there inherit that ownership (a host folder bind-mounted on /backups needs chown 1000).
RUN mkdir -p /data /backups && chown node:node /data /backups
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || '8787') + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
