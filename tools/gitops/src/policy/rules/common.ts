import type { Manifest } from '../../core/manifests/manifest.js';
import { describe, type Container, type Workload } from '../model.js';
import type { Violation } from '../rule.js';

/** "container app", "init container migrate". */
export function containerLabel(c: Container): string {
  return `${c.init ? 'init container' : 'container'} ${c.name}`;
}

/** A violation on a field of one container (suffix: pointer below the container). */
export function onContainer(w: Workload, c: Container, suffix: string, what: string): Violation {
  return { message: `${describe(w)}: ${containerLabel(c)} ${what}`, manifest: w.podManifest, pointer: c.pointer + suffix };
}

/** A violation on a field of the pod template (suffix: pointer below the PodTemplateSpec). */
export function onTemplate(w: Workload, suffix: string, what: string): Violation {
  return { message: `${describe(w)}: ${what}`, manifest: w.podManifest, pointer: w.templatePointer + suffix };
}

/** A violation on any object. */
export function on(m: Manifest, pointer: string, what: string): Violation {
  return { message: `${describe(m)}: ${what}`, manifest: m, pointer };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
