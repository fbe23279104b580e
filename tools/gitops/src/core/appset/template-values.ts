/** Values shared by the template engine and its functions. */

export class TemplateError extends Error {
  constructor(
    message: string,
    /** Offset in the template text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Marks a missing map key: prints as "<no value>" like Go's default missingkey option. */
export const NO_VALUE = Symbol('no value');

/** Go's truth: false, 0, nil, and empty strings, maps and slices are false. */
export function truthy(value: unknown): boolean {
  if (value === NO_VALUE || value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
