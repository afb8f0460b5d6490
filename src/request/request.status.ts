// The states of a queued request, and which of them are final: the lane has decided it (or the API
// answered without queueing). Routes, oracles and every client that polls read them from here.
export const REQUEST_STATUSES = ['QUEUED', 'PROCESSING', 'SUCCEEDED', 'REJECTED', 'FAILED'] as const;

export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<string> = new Set<RequestStatus>(['SUCCEEDED', 'REJECTED', 'FAILED']);

export function isFinalStatus(status: string | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status);
}
