// The lanes of a process, made once from the lane types its composition root lists: looked up by
// name (a kind routing a request to one of its lanes) or by code (a poll reading a request id).
import type { JobEnvelope, Lane, LaneConfig, LaneKind } from './lane.js';

export class LaneSet<K extends LaneKind = LaneKind> {
  readonly all: readonly Lane[];
  private readonly byName = new Map<string, Lane>();
  private readonly byCode = new Map<string, Lane>();

  constructor(
    readonly types: readonly K[],
    config: LaneConfig,
  ) {
    this.all = types.flatMap((t) => t.lanes(config).map((spec) => ({ ...spec, type: t.type, laneType: t })));
    for (const lane of this.all) {
      if (this.byName.has(lane.name) || this.byCode.has(lane.code)) {
        throw new Error(`two lanes share the name ${lane.name} or the code ${lane.code}`);
      }
      this.byName.set(lane.name, lane);
      this.byCode.set(lane.code, lane);
    }
  }

  /** The lane of this name, typed by the kind that declares it; throws for a lane nobody declared. */
  named<P extends JobEnvelope>(kind: LaneKind<P>, name: string): Lane<P> {
    const lane = this.byName.get(name);
    if (lane?.laneType !== kind) throw new Error(`no lane ${name} of type ${kind.type}`);
    return lane as unknown as Lane<P>;
  }

  withCode(code: string): Lane | undefined {
    return this.byCode.get(code);
  }

  withName(name: string): Lane | undefined {
    return this.byName.get(name);
  }
}
