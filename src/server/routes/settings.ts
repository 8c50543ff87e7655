/**
 * `GET/PATCH /api/settings`: the feature flags. A change is announced on the event stream at once
 * (`settings_updated`), so every open studio tab applies it without a reload; edits made to the
 * settings file by hand or by another server are noticed by polling the file and announced too.
 */
import { Type } from 'typebox';
import type { RegistryService } from '../../registry/service.js';
import type { Features, SettingsStore } from '../../settings/settings.js';
import type { App } from '../app.js';

const SettingsPatch = Type.Object(
  {
    features: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), Type.Boolean(), {
      description: 'Flags to set, e.g. {"enable_asset_gallery": true}.',
    }),
  },
  { additionalProperties: false },
);

const FILE_POLL_MS = 1000;

export function registerSettingsRoutes(app: App, service: RegistryService, settings: SettingsStore): void {
  const tags = ['settings'];
  let announced = JSON.stringify(settings.features());
  const announce = (features: Features): void => {
    const text = JSON.stringify(features);
    if (text === announced) return;
    announced = text;
    service.events.publish('settings_updated', { features }, service.paths.projectId);
  };

  const poll = setInterval(() => announce(settings.features()), FILE_POLL_MS);
  poll.unref();
  app.addHook('onClose', async () => clearInterval(poll));

  app.get(
    '/api/settings',
    { schema: { tags, summary: 'Feature flags: values, defaults and descriptions' } },
    async () => ({ ok: true, ...settings.view() }),
  );

  app.patch(
    '/api/settings',
    {
      schema: { tags, summary: 'Set feature flags (takes effect at once, no restart)', body: SettingsPatch },
    },
    async (request) => {
      const view = await settings.updateFeatures(request.body.features);
      announce(view.features);
      return { ok: true, ...view };
    },
  );
}
