/** Findings about releases and their promotion (public API, listed in the README). */
export type ReleaseFindingCode =
  /** promotion.from names an environment that does not exist: the chain has a gap. */
  | 'PROMOTION_SOURCE_UNKNOWN'
  /** promotion.from leads back to the environment itself. */
  | 'PROMOTION_CYCLE'
  /** A pin holds a chart, image or config its promotion source never ran. */
  | 'PROMOTION_PIN_UNPROMOTED'
  /** gitops promote --from names another environment than ENV's promotion source. */
  | 'PROMOTION_FROM_MISMATCH'
  /** The service does not run in the promotion source: there is nothing to copy. */
  | 'PROMOTION_NOT_IN_SOURCE'
  /** The release has not run in the source for the soak time of ENV. */
  | 'PROMOTION_SOAKING'
  /** ENV is in a freeze window. */
  | 'PROMOTION_FROZEN';
