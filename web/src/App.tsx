/**
 * The studio shell: header with navigation and the live-stream indicator, the gallery dock (when
 * its feature flag is on), the settings view and the detail view. Registry events from the stream
 * are turned into a change counter the gallery reloads on, coalesced so a burst is one reload.
 */
import { lazy, useCallback, useEffect, useRef, useState } from 'react';
import { api, type RebuildProgress, type Settings } from './api';
import { useEventStream, type HookEnvelope } from './events';
import { Gallery, type RegistryChanges } from './gallery/Gallery';
import { LazyPart } from './StudioErrorBoundary';
import { ProjectPicker } from './ProjectPicker';
import { hrefFor, navigate, useRoute } from './route';

// Not on the first screen: loaded when first shown, so the first screen's script stays small.
const SettingsView = lazy(() => import('./settings/SettingsView').then((m) => ({ default: m.SettingsView })));
const DetailView = lazy(() => import('./detail/DetailView').then((m) => ({ default: m.DetailView })));

const GALLERY_FLAG = 'enable_asset_gallery';
const REGISTRY_EVENTS = new Set([
  'asset_registered',
  'asset_meta_updated',
  'asset_removed',
  'asset_preview_updated',
]);

export function App(): React.JSX.Element {
  const route = useRoute();
  const [settings, setSettings] = useState<Settings | undefined>(api.settingsNow);
  const [settingsError, setSettingsError] = useState<string>();
  const [changes, setChanges] = useState<RegistryChanges>({ tick: 0, removed: [] });
  const [rebuild, setRebuild] = useState<RebuildProgress>();
  const pending = useRef<{ removed: string[]; timer: number | undefined }>({ removed: [], timer: undefined });

  const loadSettings = useCallback(() => {
    api.settings().then(
      (s) => {
        setSettings(s);
        setSettingsError(undefined);
      },
      (err: Error) => setSettingsError(err.message),
    );
  }, []);
  // Prefetched settings were taken above; the stream's opening reloads them anyway.
  const hadSettings = useRef(settings !== undefined);
  useEffect(() => {
    if (!hadSettings.current) loadSettings();
  }, [loadSettings]);

  const onEvent = useCallback(
    (envelope: HookEnvelope) => {
      if (envelope.event === 'settings_updated') {
        loadSettings();
        return;
      }
      if (envelope.event === 'rebuild_progress') {
        setRebuild(envelope.data as unknown as RebuildProgress);
        return;
      }
      if (!REGISTRY_EVENTS.has(envelope.event)) return;
      const p = pending.current;
      if (envelope.event === 'asset_removed' && typeof envelope.data.uid === 'string')
        p.removed.push(envelope.data.uid);
      if (p.timer !== undefined) return;
      // One reload per burst (a rebuild can emit thousands of events).
      p.timer = window.setTimeout(() => {
        const removed = p.removed;
        p.removed = [];
        p.timer = undefined;
        setChanges((c) => ({ tick: c.tick + 1, removed }));
      }, 250);
    },
    [loadSettings],
  );
  const stream = useEventStream(onEvent);
  // After a reconnect, anything may have changed while we were away.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (stream === 'open' && wasOpen.current) setChanges((c) => ({ tick: c.tick + 1, removed: [] }));
    if (stream === 'open') {
      wasOpen.current = true;
      loadSettings();
    }
  }, [stream, loadSettings]);

  const galleryOn = settings?.features[GALLERY_FLAG] === true;
  const streamLabel = stream === 'open' ? 'Live' : stream === 'connecting' ? 'Reconnecting…' : 'Disconnected';

  return (
    <div className="app">
      <header className="app-header">
        <h1>Asset Registry Studio</h1>
        <nav aria-label="Views">
          <a
            href={hrefFor({ view: 'gallery' })}
            // The filters may have changed since this rendered: take the gallery's URL as it is now.
            onClick={(e) => {
              e.preventDefault();
              navigate({ view: 'gallery' });
            }}
            aria-current={route.view !== 'settings' ? 'page' : undefined}
          >
            Gallery
          </a>
          <a
            href={hrefFor({ view: 'settings' })}
            aria-current={route.view === 'settings' ? 'page' : undefined}
          >
            Settings
          </a>
        </nav>
        <ProjectPicker tick={changes.tick} />
        <span
          className={`stream stream-${stream}`}
          role="status"
          data-testid="stream-state"
          title="Live registry events"
        >
          <span className="dot" aria-hidden="true" /> {streamLabel}
        </span>
      </header>
      <main>
        {settingsError && (
          <p className="error" role="alert">
            Could not load the settings: {settingsError}
          </p>
        )}
        {route.view === 'settings' ? (
          settings && (
            <LazyPart fallback={<p className="muted">Loading…</p>}>
              <SettingsView settings={settings} onChange={setSettings} />
            </LazyPart>
          )
        ) : !settings ? (
          <p className="muted">Loading…</p>
        ) : galleryOn ? (
          <Gallery changes={changes} rebuild={rebuild} />
        ) : (
          <section className="empty-state" aria-labelledby="gallery-off">
            <h2 id="gallery-off">The Asset Gallery is turned off</h2>
            <p>
              Turn it on under{' '}
              <a href={hrefFor({ view: 'settings' })}>Settings → Debug &amp; Feature Flags</a> (
              <code>features.{GALLERY_FLAG}</code>). It appears at once in every open tab; no restart needed.
              The REST API works either way.
            </p>
          </section>
        )}
      </main>
      {route.view === 'asset' && (
        <LazyPart>
          <DetailView id={route.id} changes={changes} />
        </LazyPart>
      )}
    </div>
  );
}
