// The one queue that design (c) uses, shared by its API, its worker and the bench's pre-fill.
export const PLAIN_QUEUE = 'claims';

export interface PlainClaim {
  couponId: number;
  userId: number;
  acceptedAt: number;
}
