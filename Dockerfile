# openzero daemon image: compile TypeScript in one stage, run the compiled
# JavaScript with production dependencies only in the next.

FROM node:20-slim AS build
WORKDIR /app
# onnxruntime-node would otherwise download GPU binaries at install time; the CPU build ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8787 \
    TERMINAL=off
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Checked-in personal files; docker-compose.yml mounts the owner's copies over them.
COPY agent-character.md recurring-plans.md ./
COPY personal/*.example.md ./personal/
# The data folder (embedded database, model cache, logs) belongs to the unprivileged user,
# so a named volume mounted here inherits that ownership.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || '8787') + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM from `docker stop` and shuts down gracefully.
CMD ["node", "dist/main.js"]
