import { Command } from 'commander';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';
import { undoHint } from './history.js';
import { countBar } from './progress.js';

interface TagsOptions extends CommonOptions {
  limit: string;
}

function renameCommand(): Command {
  return withCommonOptions(new Command('rename'))
    .description(
      'rename a tag on every asset that has it, in place (POST /api/tags/rename); ' +
        'where an asset has the new name already, the two merge',
    )
    .argument('<from>', 'the tag to rename (case and width ignored)')
    .argument('<to>', 'its new name')
    .action(async (fromArg: string, toArg: string, options: CommonOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
        const { from, to, ids } = await registry.tagRename(fromArg, toArg);
        const bar = wantsJson(options) ? undefined : countBar('assets');
        const result = await registry.bulkEdit(ids, { renameTag: { from, to } }, (done, total) =>
          bar?.update(done, total),
        );
        bar?.stop();
        if (wantsJson(options))
          printJson({ ok: true, from, to, updated: result.updated.length, change_id: result.changeId });
        else
          process.stdout.write(
            `renamed "${from}" to "${to}" on ${result.updated.length} assets\n${undoHint([result.changeId])}`,
          );
      });
    });
}

export function tagsCommand(): Command {
  return withCommonOptions(new Command('tags'))
    .description(
      'list the tags in use, most used first, with how many assets have each (GET /api/assets/facets)',
    )
    .option('--limit <n>', 'tags to list (1-10000)', '100')
    .action(async (options: TagsOptions) => {
      const limit = wholeNumber('limit', options.limit, 1, 10_000);
      await withService(options, (service) => {
        const { tags } = service.project().facets(limit);
        if (wantsJson(options)) printJson({ ok: true, tags });
        else
          for (const tag of tags)
            process.stdout.write(`${String(tag.count).padStart(8)}  ${tag.label ?? tag.value}\n`);
        return Promise.resolve();
      });
    })
    .addCommand(renameCommand());
}
