# One image for every process: the API (the default, what `npm start` runs), the worker, `npm run db:migrate`.
# The TypeScript runs under tsx, a runtime dependency, so there is no build step.

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node . .
USER node
EXPOSE 3000
# Without npm in between, so SIGTERM reaches the API and it shuts down gracefully. The heap cap is
# npm start's (README, "Memory").
CMD ["node", "--max-old-space-size=128", "--import", "tsx", "apps/api/main.ts"]
