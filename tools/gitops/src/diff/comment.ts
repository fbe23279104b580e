import { UsageError } from '../core/errors.js';
import type { FleetDiff } from './diff-fleet.js';

export async function postDiffComment(_diff: FleetDiff, _env: NodeJS.ProcessEnv): Promise<void> {
  throw new UsageError('USAGE', '--comment is not available');
}
