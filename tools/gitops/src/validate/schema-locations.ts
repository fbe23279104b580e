import { ConfigError } from '../core/errors.js';

/**
 * A place schemas are downloaded from: a URL template in kubeconform's `-schema-location`
 * syntax, so a location that works with kubeconform works here unchanged.
 */
export interface SchemaLocation {
  template: string;
  /**
   * Where a download lands in the cache: a template that names the group in full (the CRDs
   * catalog) is stored as crds/<group>/<kind>_<version>.json, any other as the
   * kubernetes/v<version>-standalone-strict/ file kubeconform would name.
   */
  layout: 'kubernetes' | 'crds';
}

/** kubeconform's default location (kubernetes-json-schema) and the CRDs catalog its users add. */
export const DEFAULT_SCHEMA_LOCATIONS: SchemaLocation[] = [
  {
    template: 'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json',
    layout: 'kubernetes',
  },
  { template: 'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json', layout: 'crds' },
];

/** One kind of one Kubernetes version. */
export interface SchemaRef {
  /** "1.34.0" */
  kubernetesVersion: string;
  /** "apps/v1", "v1" */
  apiVersion: string;
  kind: string;
}

const VARIABLES = ['NormalizedKubernetesVersion', 'StrictSuffix', 'ResourceKind', 'ResourceAPIVersion', 'Group', 'KindSuffix'] as const;
type Variable = (typeof VARIABLES)[number];
const PLACEHOLDER = /\{\{\s*\.(\w+)\s*\}\}/g;

/** Checks each template (http or https, known variables only) and classifies it. */
export function parseLocations(templates: readonly string[], origin: string): SchemaLocation[] {
  return templates.map((template) => {
    if (!/^https?:\/\//.test(template)) {
      throw new ConfigError('CONFIG_INVALID', `${origin}: schema location "${template}" is not an http(s) URL template`, {
        hint: 'Give URL templates in kubeconform\'s -schema-location syntax, e.g. https://example.com/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json; local directories go under schemas.mirrors.',
      });
    }
    for (const [, name] of template.matchAll(PLACEHOLDER)) {
      if (!(VARIABLES as readonly string[]).includes(name!)) {
        throw new ConfigError('CONFIG_INVALID', `${origin}: schema location "${template}" uses {{ .${name} }}, which kubeconform does not define`, {
          hint: `Use only ${VARIABLES.map((v) => `{{ .${v} }}`).join(', ')}.`,
        });
      }
    }
    const crds = /\{\{\s*\.Group\s*\}\}/.test(template) && !/\{\{\s*\.KindSuffix\s*\}\}/.test(template);
    return { template, layout: crds ? 'crds' : 'kubernetes' };
  });
}

/** The template's variables for one kind, computed as kubeconform's registry does. */
function variables(ref: SchemaRef): Record<Variable, string> {
  const [first, second] = ref.apiVersion.split('/');
  const group = second === undefined ? '' : first!;
  const version = second ?? first!;
  return {
    NormalizedKubernetesVersion: `v${ref.kubernetesVersion}`,
    StrictSuffix: '-strict',
    ResourceKind: ref.kind.toLowerCase(),
    ResourceAPIVersion: version,
    Group: group || version,
    KindSuffix: `-${(group || version).split('.')[0]!.toLowerCase()}${group ? `-${version}` : ''}`,
  };
}

/** The URL of one kind at one location; undefined when the location cannot hold it (a core kind in a CRD catalog). */
export function locationUrl(location: SchemaLocation, ref: SchemaRef): string | undefined {
  if (location.layout === 'crds' && !ref.apiVersion.includes('/')) return undefined;
  const values = variables(ref);
  return location.template.replace(PLACEHOLDER, (_, name: Variable) => values[name]);
}

/** Where a download from this location is kept, relative to the cache directory; the layout the lookup reads. */
export function cachePath(location: SchemaLocation, ref: SchemaRef): string {
  const v = variables(ref);
  if (location.layout === 'crds') return `crds/${v.Group}/${v.ResourceKind}_${v.ResourceAPIVersion}.json`;
  return `kubernetes/v${ref.kubernetesVersion}-standalone-strict/${v.ResourceKind}${v.KindSuffix}.json`;
}
