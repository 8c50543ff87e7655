import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { badRequest } from '../domain/errors.js';
import { fileOps } from '../files/atomic-write.js';
import { moveFileNoReplace } from '../files/move-file.js';
import { exportArchive, nothingToExport, planExport } from '../registry/export.js';
import { assetIds } from './asset-ref.js';
import {
  printJson,
  checkOut,
  wantsJson,
  withCommonOptions,
  withService,
  type CommonOptions,
} from './common.js';
import {
  filterInput,
  hasFilter,
  resolveAssetRefs,
  withFilterOptions,
  type FilterOptions,
} from './filters.js';
import { bytesBar } from './progress.js';

interface ExportOptions extends CommonOptions, FilterOptions {
  out: string;
  sidecars: boolean;
  force?: boolean;
}

/** As many as the export route takes in one request. */
const MAX_EXPORTED = 100_000;

export function exportCommand(): Command {
  return withFilterOptions(withCommonOptions(new Command('export')))
    .description(
      'write assets into one zip (POST /api/assets/export): each file at its path under the assets root, ' +
        "with its sidecar; the assets named, and those search's filters find (--folder, --tag, …); files " +
        'not on disk are listed and left out',
    )
    .argument('[ids...]', 'asset ids or paths (under the assets root, or file paths under it)')
    .requiredOption('--out <file.zip>', 'the zip to write (never over an existing file unless --force)')
    .option('--no-sidecars', 'leave the sidecars out')
    .option('--force', 'replace the zip if it exists')
    .action(async (given: string[], options: ExportOptions) => {
      const filters = filterInput(options);
      if (!given.length && !hasFilter(filters))
        throw badRequest('Say what to export: asset ids or paths, or filters (--folder, --tag, …).');
      const out = path.resolve(options.out);
      checkOut(out, options.out, options.force);
      await withService(options, async (service) => {
        const registry = service.project();
        const ids = assetIds(registry, service.paths.assetsRoot, given);
        if (hasFilter(filters)) {
          const found = await registry.searchIds(
            resolveAssetRefs(filters, registry, service.paths.assetsRoot),
            MAX_EXPORTED + 1,
          );
          if (found.length > MAX_EXPORTED)
            throw badRequest(`The filters find more than ${MAX_EXPORTED} assets: export them in parts.`);
          ids.push(...found);
        }
        const plan = await planExport(registry, ids, { sidecars: options.sidecars });
        if (!plan.files.length) throw nothingToExport(plan, new Set(ids).size, registry.projectId);
        const bar = wantsJson(options) ? undefined : bytesBar();
        const { stream, size } = exportArchive(plan, (done, bytes) =>
          bar?.update(done, plan.files.length, bytes, plan.bytes),
        );
        // Written beside the target and renamed into place: never a half-written zip under its name.
        const partial = `${out}.${process.pid}.partial`;
        try {
          await pipeline(stream, fs.createWriteStream(partial, { flags: 'wx' }));
          await fileOps.fsync(partial);
          if (options.force) fs.renameSync(partial, out);
          else moveFileNoReplace(partial, out); // a file that appeared meanwhile is kept
        } catch (err) {
          fs.rmSync(partial, { force: true });
          throw err;
        } finally {
          bar?.stop();
        }
        const report = {
          ok: !plan.unknown.length && !plan.missing.length,
          out,
          files: plan.files.length,
          bytes: plan.bytes,
          zip_bytes: await size,
          sidecars: options.sidecars,
          unknown: plan.unknown,
          missing: plan.missing,
          resources: plan.resources,
        };
        if (wantsJson(options)) printJson(report);
        else
          process.stdout.write(
            `wrote ${out}: ${plan.files.length} files${options.sidecars ? ' with their sidecars' : ''}, ` +
              `${report.zip_bytes} bytes\n` +
              plan.resources.map((rel) => `with it, as a model names it: ${rel}\n`).join('') +
              plan.missing.map((m) => `not on disk: ${m.id} (${m.path})\n`).join('') +
              plan.unknown.map((id) => `not found: ${id}\n`).join(''),
          );
        // What could not be exported makes the exit code 1, as for remove and move.
        if (!report.ok) process.exitCode = 1;
      });
    });
}
