/** `history` and `undo`: the edits made, newest first, and taking one back (see domain/changes.ts). */
import { Command } from 'commander';
import { assetChangePayload, changePayload, describeStates, type ChangeRecord } from '../domain/changes.js';
import { assetIdFor } from './asset-ref.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';
import { countBar } from './progress.js';

interface HistoryOptions extends CommonOptions {
  limit: string;
  before?: string;
  asset?: string;
}

const KIND_LABEL: Record<ChangeRecord['kind'], string> = {
  edit: 'edit',
  bulk_edit: 'bulk edit',
  tag_rename: 'tag rename',
  move: 'move',
  remove: 'remove',
  import: 'import',
  upload: 'upload',
  undo: 'undo',
  redo: 'redo',
};

/** `#13  2026-11-27 12:39:50  bulk edit    3 assets  Add tag hero  (undone by #14)` */
function describeChange(change: ChangeRecord): string {
  const note =
    change.undone_by !== null
      ? `  (undone by #${change.undone_by})`
      : change.assets === 0
        ? '  (changed nothing)'
        : '';
  return (
    `#${String(change.id).padEnd(5)} ${change.created_at}  ${KIND_LABEL[change.kind].padEnd(10)} ` +
    `${String(change.assets).padStart(7)} asset${change.assets === 1 ? ' ' : 's'}  ${change.summary}${note}`
  );
}

export function historyCommand(): Command {
  return withCommonOptions(new Command('history'))
    .description(
      'the edits made (bulk edits, tag renames, single edits, undos), newest first (GET /api/changes)',
    )
    .option('--limit <n>', 'changes to list (1-200)', '20')
    .option('--before <id>', 'only changes older than this one (the next page)')
    .option(
      '--asset <id-or-path>',
      "one asset's history, with its values before and after (GET /api/assets/{id}/changes)",
    )
    .action(async (options: HistoryOptions) => {
      const limit = wholeNumber('limit', options.limit, 1, 200);
      await withService(options, (service) => {
        const registry = service.project();
        if (options.asset !== undefined) {
          const uid = assetIdFor(registry, service.paths.assetsRoot, options.asset) ?? options.asset;
          const found = registry.assetHistory(uid, limit);
          const items = found.map(({ change, item }) => assetChangePayload(change, item.before, item.after));
          if (wantsJson(options)) printJson({ ok: true, items });
          else if (!items.length) process.stdout.write(`No edits of ${uid} recorded.\n`);
          else
            found.forEach(({ change }, i) => {
              const { before, after } = items[i] as (typeof items)[number];
              const lines = describeStates(before, after).map((line) => `        ${line}`);
              process.stdout.write(`${[describeChange(change), ...lines].join('\n')}\n`);
            });
          return Promise.resolve();
        }
        const before =
          options.before === undefined
            ? undefined
            : wholeNumber('before', options.before, 1, Number.MAX_SAFE_INTEGER);
        const rows = service.store.changes.list(registry.projectId, limit, before);
        if (wantsJson(options)) printJson({ ok: true, items: rows.map(changePayload) });
        else if (!rows.length) process.stdout.write('No edits recorded yet.\n');
        else for (const row of rows) process.stdout.write(`${describeChange(row)}\n`);
        return Promise.resolve();
      });
    });
}

interface UndoOptions extends CommonOptions {
  asset?: string;
}

export function undoCommand(): Command {
  return withCommonOptions(new Command('undo'))
    .description(
      'undo a change (the newest one not undone, without an id): each asset it touched gets its earlier ' +
        'values back, unless edited since (POST /api/changes/{id}/undo); undo the undo to redo',
    )
    .argument('[change]', 'a change id from history')
    .option('--asset <id-or-path>', "only this asset's part of the change (the rest stays, undoable)")
    .action(async (given: string | undefined, options: UndoOptions) => {
      const id = given === undefined ? undefined : wholeNumber('change', given, 1, Number.MAX_SAFE_INTEGER);
      await withService(options, async (service) => {
        const registry = service.project();
        const target = registry.changeToUndo(id);
        const only =
          options.asset === undefined
            ? undefined
            : [assetIdFor(registry, service.paths.assetsRoot, options.asset) ?? options.asset];
        const json = wantsJson(options);
        const bar = json ? undefined : countBar('assets');
        const report = await registry
          .undo(target.id, (done, total) => bar?.update(done, total), only)
          .finally(() => bar?.stop());
        if (json) {
          printJson({
            ok: true,
            undone: report.undone,
            change_id: report.changeId,
            updated: report.restored.length,
            changed_since: report.changedSince,
            missing: report.missing,
            failed: report.failed,
          });
          return;
        }
        const lines = [`Undid #${target.id} (${target.summary}) on ${report.restored.length} assets.`];
        if (report.changedSince.length)
          lines.push(
            `Left as they are, edited since: ${report.changedSince.length} (${report.changedSince.slice(0, 10).join(', ')}` +
              `${report.changedSince.length > 10 ? ', …' : ''}).`,
          );
        if (report.missing.length) lines.push(`No longer registered: ${report.missing.length}.`);
        for (const f of report.failed) lines.push(`Not moved back: ${f.id} (${f.path}): ${f.message}`);
        if (report.restored.length) lines.push(`Redo: asset-registry undo ${report.changeId}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}

/** The line after an edit saying how to take it back (the changes it recorded, in order). */
export function undoHint(changeIds: ReadonlyArray<number | null>): string {
  const ids = changeIds.filter((id): id is number => id !== null);
  if (!ids.length) return '';
  if (ids.length === 1) return `Undo with: asset-registry undo ${ids[0]}\n`;
  return `Recorded as changes #${ids[0]}-#${ids[ids.length - 1]} (asset-registry history; undo each).\n`;
}
