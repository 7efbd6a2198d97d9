/**
 * What a prune removed. Plain types here, so the package's public declarations reach them without the
 * storage layer.
 */

/** Rows removed. */
export interface PruneCounts {
  deliveries: number;
  attempts: number;
  events: number;
  messages: number;
}

/** What a prune pass removed, and the cutoff it used. */
export interface PruneSummary extends PruneCounts {
  /** Deliveries that ended before this time (epoch ms) were pruned. */
  before: number;
  /** Free pages given back to the file system. */
  pagesReleased: number;
  /** The longest single step (one transaction, the event loop held), in ms. */
  longestStepMs: number;
  /** Steps run, and how many of them held the event loop over 50 ms. */
  steps: number;
  slowSteps: number;
}
