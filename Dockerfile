# The flip service under PM2 cluster mode: one image, one PM2 worker per CPU the container may use.
#   docker build -t flipstack-service .
# Build stage: full npm install, compile TypeScript, then drop the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY service/tsconfig.json service/
COPY service/src service/src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies and compiled JavaScript only, owned by root and run as `node`,
# so the service cannot modify its own code.
FROM node:24-bookworm-slim
# PM2_DISABLE_VERSION_CHECK: the PM2 daemon would otherwise ask pm2.io for updates from every container.
ENV NODE_ENV=production \
    PM2_HOME=/home/node/.pm2 \
    PM2_DISABLE_VERSION_CHECK=true \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/service/dist service/dist
COPY service/assets service/assets
COPY ecosystem.config.js ./
USER node
EXPOSE 3000
# No curl in the image: Node's own fetch asks /healthz (liveness, never blocked by a running flip).
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --env production selects the ecosystem file's env_production (NODE_ENV=production for every worker).
CMD ["pm2-runtime", "ecosystem.config.js", "--env", "production"]
