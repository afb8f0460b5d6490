// What an API process holds in memory for its submits: the lane flags its views read (a flag is
// watched only while submits keep asking about it, so the count stays bounded by real traffic).
import { Gauge, type Registry } from 'prom-client';
import type { Lane } from '../lane/lane.js';
import type { LaneFront } from '../request/lane-front.js';

export function registerFrontMetrics(registry: Registry, deps: { front: LaneFront; lanes: { all: readonly Lane[] } }) {
  new Gauge({
    name: 'ce_api_watched_flags',
    help: "Lane flags (sold-out coupons, out-of-stock products) this API process's lane views read",
    registers: [registry],
    collect() {
      this.set(deps.lanes.all.reduce((sum, lane) => sum + deps.front.watchedFlags(lane), 0));
    },
  });
}
