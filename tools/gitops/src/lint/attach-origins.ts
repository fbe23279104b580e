import type { Finding, SourceLocation } from '../core/findings.js';
import { pointerToPath, valueAt, type JsonPath } from '../core/json-pointer.js';
import type { Manifest } from '../core/manifests/manifest.js';
import { deepestHolder, isMap, ownerOf, type ValueLayer } from '../core/values/layers.js';
import { markersIn, markValues, replaceMarkers, sourceMap, type MarkedValues } from '../core/values/markers.js';
import { booleanCandidates, valuesOrigin } from '../core/values/provenance.js';
import { fleetManifests, type AppManifests } from '../render/fleet-manifests.js';
import type { FleetRun } from '../render/fleet-run.js';
import type { AppValues } from './lint-values.js';

/**
 * Moves each finding about a rendered field (validate, policy) from the chart template to the
 * values line that set the field. Which values path set it is read, not guessed: the
 * Application is rendered once more with a marker in place of each values scalar (only
 * Applications with such findings, cached by content). A boolean holds no marker: the
 * boolean values that may set it are flipped one at a time until one turns the field over.
 * Where no marker survives (a value the template cut or encoded) the values are matched by
 * value and key name, and the message says so. The rest stay at the template, at the field's line there
 * when the template shows it once. The template is kept in the message's `rendered by` note.
 */
export async function attachValuesOrigins(findings: readonly Finding[], apps: readonly AppManifests[], run: FleetRun): Promise<Finding[]> {
  const byApp = new Map(apps.map((a) => [a.app.plan.app.name, a]));
  const traces = new Map<string, Promise<Trace | undefined>>();
  const traceOf = (app: AppManifests, values: AppValues) => {
    let hit = traces.get(app.app.plan.app.name);
    if (!hit) traces.set(app.app.plan.app.name, (hit = markedRender(app, values, run)));
    return hit;
  };
  const templates = new Map<string, Promise<string | undefined>>();
  // Several boolean findings of one Application flip the same values: each render once.
  const flips = new Map<string, Promise<Manifest[] | undefined>>();

  return Promise.all(
    findings.map(async (finding) => {
      const app = finding.application ? byApp.get(finding.application) : undefined;
      const ref = finding.resource;
      if (!app || !ref || ref.pointer === undefined) return finding;
      const manifest = app.manifests.find((m) => m.kind === ref.kind && m.name === ref.name && (m.namespace ?? '') === (ref.namespace ?? ''));
      if (!manifest) return finding;
      const path = pointerToPath(ref.pointer);
      const values = await run.values.get(app.app.plan);
      const template = finding.location?.file;
      const moved = (origin: SourceLocation, note?: string): Finding => {
        const notes = [note, template && template !== origin.file ? `rendered by ${template}` : undefined].filter(Boolean);
        return { ...finding, location: origin, message: notes.length ? `${finding.message} (${notes.join('; ')})` : finding.message };
      };
      if (values) {
        const trace = await traceOf(app, values);
        const traced = trace && traceField(trace, manifest, path, values);
        if (traced) return moved(traced.location, traced.note);
        const real = valueAt(manifest.object, path);
        // A boolean holds no marker: the value that flips it when flipped is the one that set it.
        const flipped = typeof real === 'boolean' ? await flipTrace(app, values, manifest, path, real, (text) => renderOnce(flips, app, text, run)) : undefined;
        if (flipped) return moved(flipped);
        const guessed = valuesOrigin(values.layers, values.merged, path, valueAt(manifest.object, path));
        if (guessed) return moved(guessed, trace ? 'values line matched by value: the template does not pass it through' : 'values line matched by value');
      }
      if (!template || finding.location?.line !== undefined) return finding;
      // Pins differ: the same template path is another text at another chart version.
      const key = `${app.app.plan.chart.tree.kind === 'snapshot' ? 'snapshot' : app.app.chart?.commit}|${template}`;
      let text = templates.get(key);
      if (!text) templates.set(key, (text = readTemplate(app, template, run)));
      // A missing field is added under the deepest part of its path that is there.
      let at = path;
      while (at.length > 0 && valueAt(manifest.object, at) === undefined) at = at.slice(0, -1);
      const line = templateLine(await text, at);
      return line ? { ...finding, location: { file: template, ...line } } : finding;
    }),
  );
}

/** An Application's render with marked values, and its objects. */
interface Trace {
  marked: MarkedValues;
  manifests: Manifest[];
}

async function markedRender(app: AppManifests, values: AppValues, run: FleetRun): Promise<Trace | undefined> {
  // Numbers too first; a template that compares or computes with one may refuse a marker, so then strings only.
  for (const numbers of [true, false]) {
    const marked = markValues(values.merged, values.layers, { numbers });
    // JSON, so that no key or marker reads differently as YAML 1.1.
    const text = await run.renderWithValues(app.app, JSON.stringify(marked.values));
    if (text !== undefined) return { marked, manifests: fleetManifests([{ ...app.app, manifests: text }])[0]!.manifests };
  }
  return undefined;
}

/** Where the field at `path` of `manifest` was set, read from the marked render. */
function traceField(trace: Trace, manifest: Manifest, path: JsonPath, values: AppValues): { location: SourceLocation; note?: string } | undefined {
  const twin = twinOf(trace, manifest, values);
  if (!twin) return undefined;
  const real = valueAt(manifest.object, path);
  if (real === undefined) {
    // A missing field belongs in the values map its parent was made from, if it was made from one.
    const holder = sourceMap(valueAt(twin.object, path.slice(0, -1)), trace.marked, values.merged);
    const layer = holder && deepestHolder(values.layers, holder, (l) => l.kind === 'file');
    return layer && { location: layer.locate(holder!, 'key') };
  }
  if (isMap(real) || Array.isArray(real)) {
    const holder = sourceMap(valueAt(twin.object, path), trace.marked, values.merged);
    const layer = holder && ownerOf(values.layers, holder);
    return layer && { location: layer.locate(holder!, 'key') };
  }
  const markedField = valueAt(twin.object, path);
  const paths = markersIn(markedField, trace.marked);
  if (paths.length === 0) return undefined;
  const text = (p: JsonPath) => String(valueAt(values.merged, p));
  // Several values may make one field (an image's repository and tag): the most specific layer's is the one a person changed.
  const best = (candidates: readonly JsonPath[]) => {
    let top: { path: JsonPath; layer: ValueLayer } | undefined;
    for (const p of candidates) {
      const layer = ownerOf(values.layers, p);
      if (layer && (!top || values.layers.indexOf(layer) > values.layers.indexOf(top.layer))) top = { path: p, layer };
    }
    return top && { location: top.layer.locate(top.path, 'value'), path: top.path };
  };
  // Explained: the values put back in place of their markers give the field exactly.
  const explained = typeof markedField === 'string' ? replaceMarkers(markedField, trace.marked, text) : paths.length === 1 ? text(paths[0]!) : undefined;
  if (explained === String(real)) return best(paths);
  // A value that is not in the field as written was transformed on the way.
  const transformed = best(paths.filter((p) => !String(real).includes(text(p))));
  if (transformed) return { location: transformed.location, note: `from ${transformed.path.join('.')}, which the template transforms` };
  // Every marker is there, yet something else is too: a value the template cut or encoded, found by its value in what is left.
  let rest = String(real);
  for (const p of paths) rest = rest.replace(text(p), '');
  const hidden = best([...trace.marked.paths.values()].filter((p) => !paths.includes(p) && text(p).length >= 3 && rest.includes(text(p))));
  return hidden && { location: hidden.location, note: 'values line matched by value: the template does not pass it through' };
}

/** At most this many boolean values are flipped to find the one behind a boolean field (one render each, cached). */
const FLIP_CANDIDATES = 8;

async function flipTrace(app: AppManifests, values: AppValues, manifest: Manifest, path: JsonPath, real: boolean, render: (values: string) => Promise<Manifest[] | undefined>): Promise<SourceLocation | undefined> {
  const identity = (m: Manifest) => JSON.stringify([m.kind, m.name, m.namespace ?? '']);
  for (const candidate of booleanCandidates(values.layers, values.merged, path, FLIP_CANDIDATES)) {
    const merged = structuredClone(values.merged);
    setAt(merged, candidate, !valueAt(merged, candidate));
    const twin = (await render(JSON.stringify(merged)))?.find((m) => identity(m) === identity(manifest));
    if (!twin) continue;
    // The field turns over, or goes (`{{ if .Values.x }}field: true{{ end }}`) while what holds it stays;
    // one that disappears with its object says nothing about who set it.
    const now = valueAt(twin.object, path);
    if (now === !real || (now === undefined && valueAt(twin.object, path.slice(0, -1)) !== undefined)) return ownerOf(values.layers, candidate)?.locate(candidate, 'value');
  }
  return undefined;
}

function renderOnce(cache: Map<string, Promise<Manifest[] | undefined>>, app: AppManifests, values: string, run: FleetRun): Promise<Manifest[] | undefined> {
  const key = `${app.app.plan.app.name}\0${values}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = run.renderWithValues(app.app, values).then((text) => (text === undefined ? undefined : fleetManifests([{ ...app.app, manifests: text }])[0]!.manifests));
    cache.set(key, hit);
  }
  return hit;
}

function setAt(root: unknown, path: JsonPath, value: unknown): void {
  const parent = valueAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
}

/** The same object in the marked render: the one whose kind, name and namespace, markers put back, are the object's. */
function twinOf(trace: Trace, manifest: Manifest, values: AppValues): Manifest | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? replaceMarkers(v, trace.marked, (p) => String(valueAt(values.merged, p))) : v);
  const identity = (m: Manifest) => {
    const meta = (m.object.metadata ?? {}) as Record<string, unknown>;
    return JSON.stringify([text(m.object.kind), text(meta.name), text(meta.namespace)]);
  };
  const want = identity(manifest);
  return trace.manifests.find((m) => identity(m) === want);
}

async function readTemplate(app: AppManifests, template: string, run: FleetRun): Promise<string | undefined> {
  const { plan, chart } = app.app;
  if (plan.chart.tree.kind === 'snapshot') return (await run.ws.snapshot.readFiles([template])).get(template);
  return chart ? (await run.charts.readFilesAt(chart.commit, [template])).get(template) : undefined;
}

/** The line of the field's key in the template, when the template writes that key once. */
function templateLine(text: string | undefined, path: JsonPath): { line: number; column: number } | undefined {
  const keys = path.filter((s): s is string => typeof s === 'string');
  const key = keys[keys.length - 1];
  if (!text || !key) return undefined;
  const pattern = new RegExp(`^(\\s*(?:- )?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`);
  const hits = text.split('\n').flatMap((line, i) => {
    const m = pattern.exec(line);
    return m ? [{ line: i + 1, column: m[1]!.length + 1 }] : [];
  });
  return hits.length === 1 ? hits[0] : undefined;
}
