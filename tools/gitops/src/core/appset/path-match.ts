import picomatch from 'picomatch';

/**
 * Argo CD's git files generator lists files with `git ls-files <pattern>`: git pathspec
 * globbing, where `*` also matches `/` (picomatch's bash mode). With the controller's new
 * globbing option it uses doublestar instead (`*` within a directory, `**` across).
 */
export function fileMatcher(pattern: string, doublestar: boolean): (path: string) => boolean {
  return picomatch(pattern, { dot: true, bash: !doublestar });
}

/** The directories generator matches each directory with Go's path.Match: `*` stays in one segment. */
export function directoryMatcher(pattern: string): (path: string) => boolean {
  return picomatch(pattern, { dot: true });
}
