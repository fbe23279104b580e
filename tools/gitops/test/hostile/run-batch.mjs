// Runs hostile-input cases in one process, one after the other, through the CLI's own entry
// point (main(argv, io)), and appends one JSON line per finished case to the results file.
// The parent starts it with --max-old-space-size, so a case that blows the heap kills this
// process; the parent sees which case was running and starts a new one for the rest.
import { appendFileSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [casesFile, resultsFile, mainModule] = process.argv.slice(2);
const { main } = await import(pathToFileURL(mainModule).href);
const cases = JSON.parse(readFileSync(casesFile, 'utf8'));

for (const c of cases) {
  appendFileSync(resultsFile, `${JSON.stringify({ id: c.id, started: true })}\n`);
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...process.env, ...c.env }, interactive: false };
  const t0 = performance.now();
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), c.timeoutMs)));
  let exitCode;
  try {
    exitCode = await Promise.race([main(c.args, io), timeout]);
  } catch (err) {
    // main() never throws: anything here is a crash of the CLI's error handling itself.
    exitCode = 'threw';
    stderr += String(err?.stack ?? err);
  }
  clearTimeout(timer);
  const ms = Math.round(performance.now() - t0);
  appendFileSync(resultsFile, `${JSON.stringify({ id: c.id, exitCode, stdout, stderr, ms, heapUsed: process.memoryUsage().heapUsed })}\n`);
  // A case still running in the background would disturb the next ones.
  if (exitCode === 'timeout') process.exit(3);
}
