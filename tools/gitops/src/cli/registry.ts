import { chartCommand } from '../commands/chart/command.js';
import { checkCommand } from '../commands/check/command.js';
import { diffCommand } from '../commands/diff/command.js';
import { explainCommand } from '../commands/explain/command.js';
import { fleetCommand } from '../commands/fleet/command.js';
import { lintCommand } from '../commands/lint/command.js';
import { policyCommand } from '../commands/policy/command.js';
import { promoteCommand } from '../commands/promote/command.js';
import { renderCommand } from '../commands/render/command.js';
import { schemasCommand } from '../commands/schemas/command.js';
import { validateCommand } from '../commands/validate/command.js';
import type { CommandDefinition } from './types.js';

/** Every command of the CLI, in help order. A test checks each commands/<name>/ folder is listed. */
export const commands: CommandDefinition<any>[] = [checkCommand, lintCommand, renderCommand, validateCommand, policyCommand, diffCommand, promoteCommand, fleetCommand, chartCommand, schemasCommand, explainCommand];
