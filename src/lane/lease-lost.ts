/** The database holds a newer fencing token than this owner: another process owns the lane now. */
export class LeaseLostError extends Error {
  constructor() {
    super('lane ownership lost');
  }
}
