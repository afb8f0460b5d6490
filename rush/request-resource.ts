// A queued request as a rush reads it, in the submit's answer and in every poll: the type the API's
// OpenAPI document gives it (generated client types).
import type { QueuedRequest } from '../client/index.js';

export type RequestResource = QueuedRequest;
