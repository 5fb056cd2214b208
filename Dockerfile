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
# No curl in the image, and a Node process per check would cost ~80 ms of CPU every 5 s per replica (measured
# by `make bench-stack-factors`): bash asks /healthz over /dev/tcp (liveness, never blocked by a running flip).
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-3000} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && read -r _ status _ <&3 && [ \"$status\" = 200 ]"]
# --env production selects the ecosystem file's env_production (NODE_ENV=production for every worker).
CMD ["pm2-runtime", "ecosystem.config.js", "--env", "production"]
