import type { SourceLocation } from '../findings.js';

/** An Argo CD Application as an ApplicationSet generates it, with where its values came from. */
export interface Application {
  name: string;
  /** The Application object (apiVersion, kind, metadata, spec). */
  manifest: ApplicationManifest;
  /** The ApplicationSet that generated it. */
  appSet: { name: string; file: string };
  /** The generator file (git files generator) whose parameters produced it, if any. */
  paramsFile?: string;
  /**
   * For each templated field (dotted path into the manifest, e.g. "spec.sources.0.targetRevision"),
   * where the parameters it read are written: the line a person edits.
   */
  origins: Map<string, SourceLocation[]>;
  /** Where the ApplicationSet's template is, for findings with no better origin. */
  templateLocation: SourceLocation;
}

export interface ApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  ref?: string;
  helm?: HelmSource;
  kustomize?: unknown;
  directory?: unknown;
  plugin?: unknown;
}

export interface HelmSource {
  releaseName?: string;
  namespace?: string;
  kubeVersion?: string;
  apiVersions?: string[];
  valueFiles?: string[];
  ignoreMissingValueFiles?: boolean;
  parameters?: { name: string; value?: string; forceString?: boolean }[];
  fileParameters?: { name: string; path: string }[];
  values?: string;
  valuesObject?: Record<string, unknown>;
  skipCrds?: boolean;
  skipSchemaValidation?: boolean;
  skipTests?: boolean;
  passCredentials?: boolean;
  version?: string;
}

export interface ApplicationManifest {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Application';
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    /** resources-finalizer.argocd.argoproj.io unless the ApplicationSet preserves resources on deletion. */
    finalizers?: string[];
  };
  spec: {
    project?: string;
    source?: ApplicationSource;
    sources?: ApplicationSource[];
    destination?: { name?: string; server?: string; namespace?: string };
    [key: string]: unknown;
  };
}

/** origins key for a path into the manifest. */
export function originKey(path: readonly (string | number)[]): string {
  return path.join('.');
}
