/**
 * The subset of Go text/template (with Argo CD's sprig-based function map) that ApplicationSet
 * templates use: field chains, literals, pipelines, parentheses, if/else if/else/end, comments
 * and the functions in ./template-functions.ts. Anything else fails closed with its offset:
 * a guessed render would be worse than none.
 */
import { callFunction, hasFunction, printValue } from './template-functions.js';
import { NO_VALUE, TemplateError, truthy } from './template-values.js';

export { TemplateError } from './template-values.js';


export interface TemplateOptions {
  /** goTemplateOptions: ["missingkey=error"]. Without it a missing key prints "<no value>", as in Go. */
  missingKeyError: boolean;
}

export interface TemplateResult {
  text: string;
  /** Parameter paths the template read, e.g. ["releases","prod","chart"]: where a value came from. */
  reads: string[][];
}

type Token =
  | { kind: 'field'; path: string[]; pos: number }
  | { kind: 'dot'; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'pipe' | 'lparen' | 'rparen'; pos: number };

type Operand =
  | { kind: 'field'; path: string[]; pos: number }
  | { kind: 'dot'; pos: number }
  | { kind: 'literal'; value: unknown; pos: number }
  | { kind: 'call'; name: string; args: Operand[]; pos: number }
  | { kind: 'pipeline'; commands: Operand[]; pos: number };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; pipeline: Operand }
  | { kind: 'if'; branches: { cond: Operand; body: Node[] }[]; otherwise: Node[] };

interface RawAction {
  body: string;
  /** Offset of the body in the template. */
  pos: number;
}

export function renderGoTemplate(source: string, params: Record<string, unknown>, options: TemplateOptions): TemplateResult {
  if (!source.includes('{{')) return { text: source, reads: [] };
  const nodes = parse(source);
  const reads: string[][] = [];
  const text = execute(nodes, { params, options, reads });
  return { text, reads };
}

// ---- lexing actions out of text -------------------------------------------------------------

function split(source: string): (string | RawAction)[] {
  const parts: (string | RawAction)[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push(source.slice(i));
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source.startsWith('- ', start) || source.startsWith('-\t', start) || source.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    const close = findClose(source, start);
    if (close < 0) throw new TemplateError('unclosed action: "{{" without "}}"', open);
    let end = close;
    let trimAfter = false;
    if (source[close - 1] === '-' && /\s/.test(source[close - 2] ?? '')) {
      end = close - 1;
      trimAfter = true;
    }
    if (text) parts.push(text);
    parts.push({ body: source.slice(start, end), pos: start });
    i = close + 2;
    if (trimAfter) while (i < source.length && /\s/.test(source[i]!)) i++;
  }
  return parts;
}

function findClose(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '}' && source[i + 1] === '}') return i;
  }
  return -1;
}

function tokenize(action: RawAction): Token[] {
  const tokens: Token[] = [];
  const s = action.body;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const pos = action.pos + i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      tokens.push({ kind: 'pipe', pos });
      i++;
    } else if (c === '(') {
      tokens.push({ kind: 'lparen', pos });
      i++;
    } else if (c === ')') {
      tokens.push({ kind: 'rparen', pos });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let raw = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') {
          raw += s.slice(j, j + 2);
          j += 2;
        } else raw += s[j++];
      }
      if (j >= s.length) throw new TemplateError('unterminated string', pos);
      tokens.push({ kind: 'string', value: JSON.parse(`"${raw}"`) as string, pos });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw string', pos);
      tokens.push({ kind: 'string', value: s.slice(i + 1, j), pos });
      i = j + 1;
    } else if (c === '.') {
      const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(s.slice(i));
      if (m) {
        tokens.push({ kind: 'field', path: m[0].slice(1).split('.'), pos });
        i += m[0].length;
      } else {
        tokens.push({ kind: 'dot', pos });
        i++;
      }
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(s.slice(i));
      if (!m) throw new TemplateError(`unexpected "${c}"`, pos);
      tokens.push({ kind: 'number', value: Number(m[0]), pos });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      tokens.push({ kind: 'ident', name: m[0], pos });
      i += m[0].length;
    } else if (c === '$') {
      throw new TemplateError('template variables ($x) are not supported', pos);
    } else {
      throw new TemplateError(`unexpected "${c}" in action`, pos);
    }
  }
  return tokens;
}

// ---- parsing ----------------------------------------------------------------------------------

const UNSUPPORTED_KEYWORDS = new Set(['range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function parse(source: string): Node[] {
  const parts = split(source);
  let index = 0;

  function parseList(stopAt: Set<string>): { nodes: Node[]; stop?: { word: string; action: RawAction } } {
    const nodes: Node[] = [];
    while (index < parts.length) {
      const part = parts[index++]!;
      if (typeof part === 'string') {
        nodes.push({ kind: 'text', text: part });
        continue;
      }
      const body = part.body.trim();
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new TemplateError('unclosed comment', part.pos);
        continue;
      }
      const word = /^[a-z]+/.exec(body)?.[0] ?? '';
      if (UNSUPPORTED_KEYWORDS.has(word)) throw new TemplateError(`"${word}" is not supported in ApplicationSet templates here`, part.pos);
      if (word === 'if') {
        nodes.push(parseIf(part));
        continue;
      }
      if (word === 'else' || word === 'end') {
        if (!stopAt.has(word)) throw new TemplateError(`unexpected {{${word}}}`, part.pos);
        return { nodes, stop: { word, action: part } };
      }
      nodes.push({ kind: 'output', pipeline: parsePipeline(tokenize(part), part.pos) });
    }
    return { nodes };
  }

  function parseIf(first: RawAction): Node {
    const branches: { cond: Operand; body: Node[] }[] = [];
    let condAction = first;
    let condOffset = first.body.indexOf('if') + 2;
    for (;;) {
      const tokens = tokenize({ body: condAction.body.slice(condOffset), pos: condAction.pos + condOffset });
      const cond = parsePipeline(tokens, condAction.pos);
      const { nodes, stop } = parseList(new Set(['else', 'end']));
      if (!stop) throw new TemplateError('{{if}} without {{end}}', first.pos);
      branches.push({ cond, body: nodes });
      if (stop.word === 'end') return { kind: 'if', branches, otherwise: [] };
      const rest = stop.action.body.trim().slice(4).trim();
      if (rest.startsWith('if')) {
        condAction = stop.action;
        condOffset = stop.action.body.indexOf('if') + 2;
        continue;
      }
      if (rest) throw new TemplateError(`unexpected "${rest}" after else`, stop.action.pos);
      const tail = parseList(new Set(['end']));
      if (!tail.stop) throw new TemplateError('{{else}} without {{end}}', stop.action.pos);
      return { kind: 'if', branches, otherwise: tail.nodes };
    }
  }

  const { nodes, stop } = parseList(new Set());
  if (stop) throw new TemplateError(`unexpected {{${stop.word}}}`, stop.action.pos);
  return nodes;
}

function parsePipeline(tokens: Token[], pos: number): Operand {
  let i = 0;
  function pipeline(endAt: 'rparen' | 'eof'): Operand {
    const commands: Operand[] = [];
    for (;;) {
      commands.push(command());
      const t = tokens[i];
      if (!t) {
        if (endAt === 'rparen') throw new TemplateError('missing ")"', pos);
        break;
      }
      if (t.kind === 'pipe') {
        i++;
        continue;
      }
      if (t.kind === 'rparen' && endAt === 'rparen') break;
      throw new TemplateError('unexpected token in pipeline', t.pos);
    }
    return commands.length === 1 ? commands[0]! : { kind: 'pipeline', commands, pos };
  }
  function command(): Operand {
    const t = tokens[i];
    if (!t) throw new TemplateError('missing value in action', pos);
    if (t.kind === 'ident' && !['true', 'false', 'nil'].includes(t.name)) {
      i++;
      if (!hasFunction(t.name)) throw new TemplateError(`function "${t.name}" is not supported`, t.pos);
      const args: Operand[] = [];
      while (tokens[i] && tokens[i]!.kind !== 'pipe' && tokens[i]!.kind !== 'rparen') args.push(operand());
      return { kind: 'call', name: t.name, args, pos: t.pos };
    }
    const op = operand();
    if (tokens[i] && tokens[i]!.kind !== 'pipe' && tokens[i]!.kind !== 'rparen') {
      throw new TemplateError('a value cannot take arguments', tokens[i]!.pos);
    }
    return op;
  }
  function operand(): Operand {
    const t = tokens[i++];
    if (!t) throw new TemplateError('missing operand', pos);
    switch (t.kind) {
      case 'field':
        return { kind: 'field', path: t.path, pos: t.pos };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'string':
      case 'number':
        return { kind: 'literal', value: t.value, pos: t.pos };
      case 'ident':
        if (t.name === 'true' || t.name === 'false') return { kind: 'literal', value: t.name === 'true', pos: t.pos };
        if (t.name === 'nil') return { kind: 'literal', value: null, pos: t.pos };
        if (!hasFunction(t.name)) throw new TemplateError(`function "${t.name}" is not supported`, t.pos);
        return { kind: 'call', name: t.name, args: [], pos: t.pos };
      case 'lparen': {
        const inner = pipeline('rparen');
        i++; // the ")"
        const next = tokens[i];
        if (next?.kind === 'field' && next.pos === tokens[i - 1]!.pos + 1) {
          throw new TemplateError('field access on a parenthesized value is not supported', next.pos);
        }
        return inner;
      }
      default:
        throw new TemplateError('unexpected token', t.pos);
    }
  }
  const result = pipeline('eof');
  return result;
}

// ---- execution --------------------------------------------------------------------------------

interface Scope {
  params: Record<string, unknown>;
  options: TemplateOptions;
  reads: string[][];
}


function execute(nodes: Node[], scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'output') out += printValue(evaluate(node.pipeline, scope), node.pipeline.pos);
    else {
      const branch = node.branches.find((b) => truthy(evaluate(b.cond, scope)));
      out += execute(branch ? branch.body : node.otherwise, scope);
    }
  }
  return out;
}

function evaluate(op: Operand, scope: Scope, piped?: { value: unknown }): unknown {
  switch (op.kind) {
    case 'literal':
      return op.value;
    case 'dot':
      return scope.params;
    case 'field':
      return lookup(op.path, op.pos, scope);
    case 'call': {
      const args = op.args.map((a) => evaluate(a, scope));
      if (piped) args.push(piped.value);
      try {
        return callFunction(op.name, args);
      } catch (err) {
        throw new TemplateError(`${op.name}: ${(err as Error).message}`, op.pos);
      }
    }
    case 'pipeline': {
      let value = evaluate(op.commands[0]!, scope);
      for (const cmd of op.commands.slice(1)) {
        if (cmd.kind !== 'call') throw new TemplateError('only a function can follow "|"', cmd.pos);
        value = evaluate(cmd, scope, { value });
      }
      return value;
    }
  }
}

function lookup(path: string[], pos: number, scope: Scope): unknown {
  scope.reads.push(path);
  let value: unknown = scope.params;
  for (const [i, key] of path.entries()) {
    if (value === null || value === undefined || value === NO_VALUE) {
      throw new TemplateError(`nil pointer evaluating .${path.slice(0, i + 1).join('.')}`, pos);
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new TemplateError(`can't evaluate field ${key} in .${path.slice(0, i).join('.')} (not a map)`, pos);
    }
    if (!Object.hasOwn(value, key)) {
      if (scope.options.missingKeyError) throw new TemplateError(`map has no entry for key "${key}" (.${path.slice(0, i + 1).join('.')})`, pos);
      return NO_VALUE;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
