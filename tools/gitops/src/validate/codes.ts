/** Finding codes of `gitops validate`. Public API (SARIF rule ids): never rename one. */
export type ValidateFindingCode =
  /** A Kubernetes object breaks the strict schema of its kind. */
  | 'MANIFEST_INVALID'
  /** No schema for the object's apiVersion and kind (an error unless --ignore-missing-schemas). */
  | 'MANIFEST_NO_SCHEMA'
  /** A YAML document that is not a Kubernetes object: not a mapping, no kind or no apiVersion. */
  | 'MANIFEST_NOT_AN_OBJECT'
  /** A manifest file given on the command line cannot be read (permissions, size). */
  | 'MANIFEST_UNREADABLE'
  /** An object the engine could not judge (kubeconform could not read it): an `error` verdict. */
  | 'MANIFEST_UNCHECKED'
  /** A schema file that cannot be read or compiled: its kind's objects are `error` verdicts, the other kinds are checked. */
  | 'SCHEMA_UNUSABLE'
  /** The apiVersion is no longer served by the environment's Kubernetes version. */
  | 'API_REMOVED'
  /** The apiVersion is still served but deprecated; a replacement exists. */
  | 'API_DEPRECATED'
  /** gitops schemas pull: no download location has the schema of a kind the fleet uses. */
  | 'SCHEMA_NOT_PUBLISHED';
