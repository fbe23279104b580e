/** Finding codes of the ownership checks (`gitops check`, `gitops diff --author-team`). Public API: never rename one. */
export type GovernanceFindingCode =
  /** No CODEOWNERS file where GitHub looks for one: nobody's review is required. */
  | 'CODEOWNERS_MISSING'
  /** A CODEOWNERS line GitHub skips: an owner that is not @user, @org/team or an e-mail, or a pattern form GitHub does not support. */
  | 'CODEOWNERS_INVALID'
  /** A service's directory is not owned by the team its service.yaml names. */
  | 'CODEOWNERS_TEAM_MISMATCH'
  /** Waivers or the pins of a production environment can be approved by someone other than the platform or release owners. */
  | 'CODEOWNERS_PROTECTED_FILE'
  /** A change touches a file that CODEOWNERS gives to another team than the author's (gitops diff --author-team). */
  | 'CODEOWNERS_FOREIGN_CHANGE';
