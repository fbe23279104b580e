import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tool's package directory (tools/gitops), whether running from src/ or dist/. */
export const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
