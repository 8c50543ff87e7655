/** Request schemas (TypeBox): validated by AJV and published in the OpenAPI document at /docs. */
import { Type } from 'typebox';
import {
  COLOR_NAMES,
  COLOR_SHARE,
  DUPLICATE_FILTERS,
  MEDIA_FACTS,
  ORIENTATIONS,
  SORT_FIELDS,
  SORT_ORDERS,
  type MediaFact,
} from '../domain/facets.js';
import { MAX_SEARCH_TERMS } from '../domain/lists.js';
import { DEFAULT_LIMIT, DEFAULT_MAX_DISTANCE, MAX_DISTANCE, MAX_LIMIT } from '../registry/similar.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ProvenanceSchema = Type.Object(
  {
    source: Type.Optional(Type.String()),
    inputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    user_id: Type.Optional(Type.String()),
    workflow_hash: Type.Optional(Type.String()),
    commit_hash: Type.Optional(Type.String()),
    c2pa_like: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { description: 'Where the file came from; kept with the asset and in its sidecar.' },
);

export const RegisterBody = Type.Object({
  path: Type.String({
    minLength: 1,
    description: 'Source file on the server: absolute, or relative to its workspace.',
  }),
  asset_type: Type.Optional(NullableString),
  dest_path: Type.Optional(NullableString),
  metadata: Type.Optional(
    Type.Unknown({
      description: 'An object, or the same as JSON text: tags, license, origin, any other keys.',
    }),
  ),
  copy: Type.Optional(Type.Boolean({ default: true })),
  provenance: Type.Optional(Type.Union([ProvenanceSchema, Type.Null()])),
  on_conflict: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('rename')])),
  project_id: Type.Optional(Type.String()),
  wait: Type.Optional(Type.Boolean({ description: 'Answer only once the previews are made (or failed).' })),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export const ProjectQuery = Type.Object({ project_id: Type.Optional(Type.String()) });

/**
 * `min_width`, `max_width`, `min_height`, `max_height` (pixels) and `min_duration`, `max_duration`
 * (seconds): inclusive bounds of the preview's facts.
 */
function mediaBoundsSchema() {
  const bound = (fact: MediaFact, side: 'min' | 'max') =>
    Type.Optional(
      fact === 'duration'
        ? Type.Number({
            minimum: 0,
            maximum: 1e9,
            description: `${side === 'min' ? 'At least' : 'At most'} this many seconds long (sounds).`,
          })
        : Type.Integer({
            minimum: 0,
            maximum: 1e9,
            description: `${side === 'min' ? 'At least' : 'At most'} this many pixels ${fact === 'width' ? 'wide' : 'high'} (pictures).`,
          }),
    );
  return Object.fromEntries(
    MEDIA_FACTS.flatMap((fact) => [
      [`min_${fact}`, bound(fact, 'min')],
      [`max_${fact}`, bound(fact, 'max')],
    ]),
  ) as Record<`${'min' | 'max'}_${MediaFact}`, ReturnType<typeof bound>>;
}

export const SearchQuery = Type.Object({
  type: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  tag: Type.Optional(Type.Array(Type.String())),
  license: Type.Optional(Type.String()),
  unlicensed: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('')], {
      description: 'Only assets without a licence (not together with license). Empty: no such filter.',
    }),
  ),
  q: Type.Optional(
    Type.Array(Type.String(), {
      maxItems: MAX_SEARCH_TERMS,
      description:
        'Case-insensitive substring of the id, path or textual metadata. Unicode-normalised (NFKC): ' +
        'a decomposed name is found by the composed one, full-width letters by plain ones. Repeat it ' +
        `(up to ${MAX_SEARCH_TERMS}) for several substrings that must all match: q=castle&q=night.`,
    }),
  ),
  text: Type.Optional(
    Type.Array(Type.String(), {
      maxItems: MAX_SEARCH_TERMS,
      description: 'Same as q (used when q is absent).',
    }),
  ),
  hash: Type.Optional(Type.String()),
  duplicates: Type.Optional(
    Type.Union([...DUPLICATE_FILTERS.map((filter) => Type.Literal(filter)), Type.Literal('')], {
      description:
        'Only assets whose bytes another asset of the project has too: `all` of them, or the `extra` ' +
        'copies (every one but the first registered of each set: remove those to keep one of each). ' +
        'Empty: no such filter, as for the other filters.',
    }),
  ),
  ...mediaBoundsSchema(),
  orientation: Type.Optional(
    Type.Union([...ORIENTATIONS.map((o) => Type.Literal(o)), Type.Literal('')], {
      description:
        'Only pictures of this shape: `landscape` (wider than high), `portrait` (higher than wide) or `square`. ' +
        'Empty: no such filter.',
    }),
  ),
  color: Type.Optional(
    Type.Array(Type.String({ maxLength: 200 }), {
      maxItems: COLOR_NAMES.length,
      description:
        `Only pictures with this colour covering at least ${COLOR_SHARE * 100} % of their opaque pixels: ` +
        `${COLOR_NAMES.join(', ')}. Repeat it (or list them with commas) for pictures with each of them: ` +
        "color=blue&color=white. Found by the preview; the asset's `colors` lists them.",
    }),
  ),
  transparent: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('')], {
      description:
        'Only pictures with transparent parts (`true`: sprites, icons, cut-outs) or without (`false`). Empty: no such filter.',
    }),
  ),
  folder: Type.Optional(
    Type.String({
      maxLength: 1024,
      description:
        'Only assets in this folder or below it, relative to the assets root (`backgrounds/forest`). Empty: no such filter.',
    }),
  ),
  similar_to: Type.Optional(
    Type.String({
      maxLength: 128,
      description:
        'Only pictures that look like this asset (its id), itself included: resized, re-encoded or ' +
        'retouched copies (see GET /api/assets/{id}/similar). Empty: no such filter.',
    }),
  ),
  max_distance: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_DISTANCE,
      description: `With similar_to: how many of the fingerprint's 64 bits may differ (default ${DEFAULT_MAX_DISTANCE}).`,
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  sort: Type.Optional(Type.Union(SORT_FIELDS.map((field) => Type.Literal(field)))),
  order: Type.Optional(Type.Union(SORT_ORDERS.map((order) => Type.Literal(order)))),
  include_debug: Type.Optional(Type.Boolean({ default: false })),
  project_id: Type.Optional(Type.String()),
  fields: Type.Optional(
    Type.String({
      maxLength: 1000,
      description:
        'Search only: a lighter listing. Comma-separated item fields to return instead of full records: ' +
        'top-level names (`uid,type,path,tags`) or one key of an object field (`metadata.title`, ' +
        '`urls.waveform`). Fields a record lacks are left out. Without it, items are full records.',
    }),
  ),
});

/** "Select all" of a search: its filters and order, no paging and no listing fields. */
export const IdsQuery = Type.Omit(SearchQuery, ['limit', 'offset', 'fields', 'include_debug']);

/** A credits sheet: the filters of a search and the sheet's format. */
export const CreditsQuery = Type.Object({
  ...IdsQuery.properties,
  format: Type.Optional(
    Type.Union([Type.Literal('csv'), Type.Literal('md')], {
      description: '`csv` (the default) or `md` (Markdown)',
    }),
  ),
});

export const UpdateBody = Type.Object({
  metadata: Type.Unknown({ description: 'Keys to change (merge) or the whole new metadata (replace).' }),
  mode: Type.Optional(Type.Union([Type.Literal('merge'), Type.Literal('replace')], { default: 'merge' })),
  if_version: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        'Apply only if the asset is still at this version (the `version` it was read at); otherwise a 409 ' +
        '`version_conflict` whose details give the current version, and nothing is changed.',
    }),
  ),
});

/** The assets a job over many works on (bulk edit, removal, move, export). */
export const JobIds = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  minItems: 1,
  maxItems: 100_000,
});
/**
 * The body limit of the routes taking `JobIds`: 100,000 ids as JSON are ~1.9 MB, more than the
 * 1 MB every other body is held to (the studio's Select all over 60,000 assets was refused).
 */
export const IDS_BODY_LIMIT = 8 * 1024 * 1024;
/** Whether a request waits for its job's end (the default) or answers 202 at once. */
const JobWait = Type.Optional(
  Type.Boolean({ default: true, description: 'false: answer 202 at once with the job id' }),
);

const TagList = Type.Union([Type.Array(Type.String()), Type.String()], {
  description: 'A list, or one comma-separated string.',
});

export const BulkBody = Type.Object({
  ids: JobIds,
  add_tags: Type.Optional(TagList),
  remove_tags: Type.Optional(TagList),
  license: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'Set this licence; null or "" clears it.' }),
  ),
  clear_license: Type.Optional(Type.Boolean()),
  wait: JobWait,
});

export const TagRenameBody = Type.Object({
  from: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The tag to rename (case and width ignored)',
  }),
  to: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Its new name; where an asset has it already, the two merge',
  }),
  wait: JobWait,
});

export const ChangesQuery = Type.Object({
  project_id: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  before: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Only changes older than this id (the next page)' }),
  ),
});

export const ChangeParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'A change id' }) });

export const ChangeQuery = Type.Object({
  project_id: Type.Optional(Type.String()),
  limit: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1000, default: 100, description: 'Assets listed (of `assets`)' }),
  ),
});

export const UndoBody = Type.Object({
  wait: JobWait,
  ids: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 1000,
      description:
        'Only these assets: their part of the change is undone, the rest stays (and stays undoable)',
    }),
  ),
});

export const AssetChangesQuery = Type.Object({
  project_id: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const RemoveBody = Type.Object({
  ids: JobIds,
  delete_files: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Also delete the files from the assets root (never one another project registered too), into its trash.',
    }),
  ),
  trash: Type.Optional(
    Type.Boolean({
      default: true,
      description:
        'With delete_files, false deletes the files for good at once instead of moving them to the trash ' +
        '(undoing the removal cannot bring them back).',
    }),
  ),
  wait: JobWait,
});

export const FoldersQuery = Type.Object({
  parent: Type.Optional(
    Type.String({
      maxLength: 1024,
      description:
        'The folder whose sub-folders to list, relative to the assets root; empty or absent: the top.',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
  counts: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Also how many assets each folder holds (itself and below), up to 10,000 (`counts_capped` lists those with more).',
    }),
  ),
  project_id: Type.Optional(Type.String()),
});

/** A move's switch to move 3D models without the files they name. */
const LeaveResources = () =>
  Type.Boolean({
    default: false,
    description:
      'A 3D model moved to another folder takes along the files it names inside its folder (buffers, textures, ' +
      "an OBJ's .mtl) when they are assets and no model that stays uses them, so it still finds them " +
      '(listed in `resources`). true moves the models alone.',
  });

export const MoveBody = Type.Object({
  ids: JobIds,
  folder: Type.String({
    minLength: 1,
    maxLength: 1024,
    description:
      'The folder to move the files into, relative to the assets root (created when missing); each keeps its name. ' +
      'A file already there is never overwritten: that asset is reported as failed.',
  }),
  leave_resources: Type.Optional(LeaveResources()),
  wait: JobWait,
});

export const MoveOneBody = Type.Object({
  path: Type.String({
    minLength: 1,
    maxLength: 1024,
    description:
      "The file's new path relative to the assets root, with the same extension (a rename, a move, or both).",
  }),
  leave_resources: Type.Optional(LeaveResources()),
});

export const LookupBody = Type.Object({
  ids: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 5_000 }),
});

/** `PUT /api/assets/{id}/poster`: where in the video the frame was taken, and from which bytes. */
export const PosterQuery = Type.Object({
  project_id: Type.Optional(Type.String()),
  at: Type.Number({ minimum: 0, maximum: 1e7, description: 'Seconds into the video' }),
  hash: Type.String({
    pattern: '^[0-9a-f]{16,64}$',
    description: "The video's hash (or its first 16 characters) when the frame was taken",
  }),
});

export const TrashBatchParams = Type.Object({
  name: Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'A batch name, as GET /api/trash lists it',
  }),
});

export const TrashBatchQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })),
});

/** `DELETE /api/trash`: only the batches deleted more than this many days ago (all when absent). */
export const EmptyTrashQuery = Type.Object({
  older_than_days: Type.Optional(Type.Number({ minimum: 0 })),
});

export const DeleteQuery = Type.Object({
  delete_file: Type.Optional(Type.Boolean({ default: false })),
  trash: Type.Optional(
    Type.Boolean({
      default: true,
      description: 'With delete_file, false deletes the file for good instead of moving it to the trash.',
    }),
  ),
  project_id: Type.Optional(Type.String()),
});

/** `GET /api/assets/{id}/similar`: how many of the fingerprint's 64 bits may differ, how many to list. */
export const SimilarQuery = Type.Object({
  project_id: Type.Optional(Type.String()),
  max_distance: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_DISTANCE, default: DEFAULT_MAX_DISTANCE }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })),
});

export const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 15 })),
});

export const EventsQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});
