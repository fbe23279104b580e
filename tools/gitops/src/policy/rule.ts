import type { SourceLocation } from '../core/findings.js';
import type { Manifest } from '../core/manifests/manifest.js';
import type { PolicyRuleCode } from './codes.js';
import type { PolicyApp, PolicyFleet } from './model.js';

/** The profile an environment names in `environment.yaml` (`policyProfile`). */
export type Profile = 'baseline' | 'restricted';

/** What a rule's finding costs in a profile; `off` skips the rule there. */
export type RuleSeverity = 'error' | 'warning' | 'off';

/** One thing a rule found wrong. */
export interface Violation {
  /** Names the object and what is wrong with it: `Deployment orders: container app has no memory limit`. */
  message: string;
  /** The object at fault. */
  manifest?: Manifest;
  /**
   * JSON pointer of the offending field inside `manifest` (or of the object that lacks it),
   * so that the finding can be traced to the values line that set it.
   */
  pointer?: string;
  /** Where to point when no rendered object is at fault (the Application itself). */
  location?: SourceLocation;
  /** A more specific fix than the rule's hint. */
  hint?: string;
}

/** One policy rule: a stable code, what it checks, and how much it matters per profile. */
export interface Rule {
  code: PolicyRuleCode;
  /** One line: what the rule asks for. */
  title: string;
  /** What to do about a violation. */
  hint: string;
  severity: Record<Profile, RuleSeverity>;
  /** Istio rules: skipped in environments with `mesh: none`. */
  mesh?: boolean;
  /**
   * What its verdict reads beyond the Application: `environment`, objects that other
   * Applications of the environment render (one that did not render can fail it);
   * `projects`, the AppProjects. Either way it judges nothing about a chart rendered alone.
   */
  reads?: 'environment' | 'projects';
  /** Pure: the same Application and fleet always give the same violations. */
  check(app: PolicyApp, fleet: PolicyFleet): Violation[];
}
