// A coupon claim's job payload: the shared envelope plus the coupon and the user.
import { z } from 'zod';
import { jobPayload } from '../lane/lane.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const ClaimPayload = jobPayload({ couponId: id, userId: id });
export type ClaimPayload = z.infer<typeof ClaimPayload>;
