# The ledger service image: compiled once in a build stage, run as the unprivileged `node` user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 ships prebuilt Node-API binaries for linux x64 and arm64: no compiler needed
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-dashboard-assets.js ./scripts/
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The embedded store and the read models live here; owned by `node` so the service can write it
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4000
# Ready means: the event store answers and the projector runs (see GET /readyz)
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A young generation of 2 × 16 MB, as node 20 had: node 24's default is larger (about 64 MB), which
# a query that reads many rows fills in a few calls, and the heap stays that large. Without allocation-site
# pretenuring, statistics' short-lived Buffers are not kept for a full collection (see the README).
CMD ["node", "--max-semi-space-size=16", "--no-allocation-site-pretenuring", "dist/cli.js", "serve"]
