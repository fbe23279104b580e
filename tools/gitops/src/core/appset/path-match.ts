import picomatch from 'picomatch';

/**
 * Argo CD's git files generator lists files with `git ls-files <pattern>`: git pathspec
 * globbing, where `*` also matches `/`. With the controller's new globbing option it uses
 * doublestar instead (`*` within a directory, `**` across).
 */
export function fileMatcher(pattern: string, doublestar: boolean): (path: string) => boolean {
  if (doublestar) return picomatch(pattern, { dot: true });
  const re = new RegExp(`^${globToRegExp(pattern, true)}$`);
  return (path) => re.test(path);
}

/** The directories generator matches each directory with Go's path.Match: `*` stays in one segment. */
export function directoryMatcher(pattern: string): (path: string) => boolean {
  const re = new RegExp(`^${globToRegExp(pattern, false)}$`);
  return (path) => re.test(path);
}

function globToRegExp(pattern: string, starCrossesSlash: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      // git pathspec has no special `**`; two stars match like one.
      while (pattern[i + 1] === '*') i++;
      out += starCrossesSlash ? '.*' : '[^/]*';
    } else if (c === '?') out += starCrossesSlash ? '.' : '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      out += escape(pattern[++i]!);
    } else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return /[.+^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
