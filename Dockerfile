# syntax=docker/dockerfile:1
# okta-hook-rules: build with `docker build -t okta-hook-rules .`; see docs/deploy.md.

# --- build: all dependencies, TypeScript → dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- production dependencies only ---
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime: no compiler, no dev dependencies, not root ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    RULES_DIR=/app/rules \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root schemas ./schemas
# The preview page's files (PREVIEW=1), read from the package root as the schemas are.
COPY --chown=root:root preview ./preview
# The default rules; in Kubernetes a ConfigMap is mounted over /app/rules.
COPY --chown=root:root rules ./rules
# The CLI on PATH, so the image checks rules too: docker run … okta-hook-rules hook-rules test /rules
RUN printf '#!/bin/sh\nexec node /app/dist/cli/main.js "$@"\n' > /usr/local/bin/hook-rules && chmod 755 /usr/local/bin/hook-rules
# The files belong to root and are read-only to the service: it runs as the image's "node" user (uid 1000).
USER node
EXPOSE 8080
# No shell in between, so SIGTERM reaches node and the graceful stop runs.
CMD ["node", "dist/cli/main.js", "serve"]
