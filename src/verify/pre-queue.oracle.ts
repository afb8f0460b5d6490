// The oracle for a coupon's pre-queue draw, beside the fairness oracle (which checks that the first
// distinct users by sequence won): every pre-queued user was drawn exactly once, the recorded draw
// is what the claims show, and every claim that arrived after the start comes after every drawn one.

export interface PreQueueClaimObservation {
  requestId: string;
  userId: number;
  /** True for a claim taken into the pre-queue before the start. */
  preQueued: boolean;
  /** The drawn sequence of a pre-queued claim, the arrival sequence of a later one. */
  sequence: number | null;
}

/** One line of the recorded draw, in drawn order. */
export interface DrawObservation {
  requestId: string;
  userId: number;
  sequence: number;
}

export interface PreQueueReport {
  ok: boolean;
  violations: string[];
  drawn: number;
  postStart: number;
}

const MAX_LISTED = 10;

export function verifyPreQueue(
  claims: readonly PreQueueClaimObservation[],
  draw: readonly DrawObservation[],
): PreQueueReport {
  const violations: string[] = [];
  const add = (message: string) => {
    if (violations.length < MAX_LISTED) violations.push(message);
    else if (violations.length === MAX_LISTED) violations.push('… more violations');
  };
  const pre = claims.filter((c) => c.preQueued);
  const post = claims.filter((c) => !c.preQueued);

  const drawnUsers = new Map<number, DrawObservation>();
  const drawnSeqs = new Set<number>();
  for (const d of draw) {
    if (drawnUsers.has(d.userId))
      add(`user ${d.userId} drawn twice (${drawnUsers.get(d.userId)?.requestId}, ${d.requestId})`);
    drawnUsers.set(d.userId, d);
    if (drawnSeqs.has(d.sequence)) add(`sequence ${d.sequence} drawn twice`);
    drawnSeqs.add(d.sequence);
  }
  for (let i = 1; i < draw.length; i++) {
    if ((draw[i]?.sequence ?? 0) <= (draw[i - 1]?.sequence ?? 0))
      add(`the draw is not in sequence order at position ${i + 1}`);
  }

  const byRequest = new Map(draw.map((d) => [d.requestId, d]));
  const preUsers = new Set<number>();
  for (const c of pre) {
    preUsers.add(c.userId);
    const d = byRequest.get(c.requestId);
    if (!d) {
      const other = drawnUsers.get(c.userId);
      if (!other) add(`pre-queued request ${c.requestId} (user ${c.userId}) was never drawn`);
      else if (c.sequence !== null && c.sequence !== other.sequence)
        add(
          `pre-queued request ${c.requestId} of user ${c.userId} has sequence ${c.sequence}, the draw gave the user ${other.sequence}`,
        );
      continue;
    }
    if (d.userId !== c.userId) add(`request ${c.requestId} is user ${c.userId}'s, the draw names user ${d.userId}`);
    if (c.sequence !== d.sequence)
      add(`request ${c.requestId} shows sequence ${c.sequence}, the draw gave it ${d.sequence}`);
  }
  for (const d of draw) {
    if (!preUsers.has(d.userId)) add(`the draw holds user ${d.userId}, who did not pre-queue (${d.requestId})`);
  }

  const lastDrawn = Math.max(0, ...draw.map((d) => d.sequence));
  for (const c of post) {
    if (c.sequence === null) continue;
    if (c.sequence <= lastDrawn)
      add(`request ${c.requestId} arrived after the start but has sequence ${c.sequence}, before drawn ${lastDrawn}`);
  }
  return { ok: violations.length === 0, violations, drawn: draw.length, postStart: post.length };
}
