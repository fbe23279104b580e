/** Findings about releases and their promotion (public API, listed in the README). */
export type ReleaseFindingCode =
  /** promotion.from names an environment that does not exist: the chain has a gap. */
  | 'PROMOTION_SOURCE_UNKNOWN'
  /** promotion.from leads back to the environment itself. */
  | 'PROMOTION_CYCLE'
  /** A pin holds a chart, image or config its promotion source never ran. */
  | 'PROMOTION_PIN_UNPROMOTED';
