/** `asset-registry`: the single entry point. One file per command beside this one. */
import { Command, CommanderError } from 'commander';
import { logger } from '../logging.js';
import { exitCodeFor, reportError } from './common.js';
import { checkCommand } from './check.js';
import { creditsCommand } from './credits.js';
import { enforceCommand } from './enforce.js';
import { getCommand } from './get.js';
import { historyCommand, undoCommand } from './history.js';
import { trashCommand } from './trash.js';
import { rebuildCommand } from './rebuild.js';
import { registerCommand } from './register.js';
import { moveCommand } from './move.js';
import { previewsCommand } from './previews.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { tagsCommand } from './tags.js';
import { removeCommand } from './remove.js';
import { searchCommand } from './search.js';
import { serveCommand } from './serve.js';
import { similarCommand } from './similar.js';
import { updateCommand } from './update.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('asset-registry')
    .description('Asset Registry & Gallery: index, deduplicate, tag and license asset files')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  for (const command of [
    serveCommand(),
    registerCommand(),
    getCommand(),
    searchCommand(),
    similarCommand(),
    updateCommand(),
    removeCommand(),
    moveCommand(),
    exportCommand(),
    creditsCommand(),
    importCommand(),
    tagsCommand(),
    historyCommand(),
    undoCommand(),
    trashCommand(),
    rebuildCommand(),
    previewsCommand(),
    enforceCommand(),
    checkCommand(),
  ]) {
    program.addCommand(command.exitOverride().showHelpAfterError());
  }
  const isServe = argv[2] === 'serve';
  if (!process.env.LOG_LEVEL) logger.level = isServe ? 'info' : 'warn';
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    reportError(error, argv.includes('--json') || !process.stdout.isTTY);
    return exitCodeFor(error);
  }
}

const code = await main(process.argv);
// Exit once stdout has taken everything: an exit straight away cuts a large output short when
// stdout is a pipe (`asset-registry search --limit 500 | jq`).
if (process.argv[2] !== 'serve' || code !== 0) process.stdout.write('', () => process.exit(code));
