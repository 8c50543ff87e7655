/** Settings → Debug & Feature Flags: one switch per flag, saved at once to the settings file. */
import { useState } from 'react';
import { api, type Settings } from '../api';

export function SettingsView({
  settings,
  onChange,
}: {
  settings: Settings;
  onChange: (settings: Settings) => void;
}): React.JSX.Element {
  // The switch moves at once; it settles on the saved value (or back, with the error).
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();

  const toggle = (key: string, value: boolean): void => {
    setPending((p) => ({ ...p, [key]: value }));
    setMessage(undefined);
    api
      .setFeature(key, value)
      .then(
        (next) => {
          onChange(next);
          setMessage({ text: `Saved to ${next.file}.` });
        },
        (err: Error) => setMessage({ text: `Could not save: ${err.message}`, error: true }),
      )
      .finally(() =>
        setPending((p) => {
          const { [key]: _done, ...rest } = p;
          return rest;
        }),
      );
  };

  return (
    <section className="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <fieldset className="flags">
        <legend>Debug &amp; Feature Flags</legend>
        {settings.flags.map((flag) => (
          <div className="flag" key={flag.key}>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={pending[flag.key] ?? flag.value}
                aria-busy={flag.key in pending}
                onChange={(e) => toggle(flag.key, e.currentTarget.checked)}
                aria-describedby={`flag-${flag.key}-help`}
              />
              <span>{flag.label}</span>
            </label>
            <p id={`flag-${flag.key}-help`} className="muted">
              {flag.description} <code>features.{flag.key}</code>, default {String(flag.default)}.
            </p>
          </div>
        ))}
      </fieldset>
      <p className="muted">
        Flags live in <code>{settings.file}</code> and take effect in every open tab without a restart.
      </p>
      {message && (
        <p role="status" className={message.error ? 'error' : 'ok'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
