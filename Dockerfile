# One image for every process: the API (the default, what `npm start` runs), the worker, `npm run db:migrate`.
# The API and the worker run compiled (`npm run build`, dist/, with the Redis scripts src/lua/*.lua copied beside
# the JavaScript); the migrations and scripts run under tsx.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY workers ./workers
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node . .
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
# Without npm in between, so SIGTERM reaches the API and it shuts down gracefully. The heap cap is
# npm start's (README, "Memory").
CMD ["node", "--max-old-space-size=128", "dist/apps/api/main.js"]
