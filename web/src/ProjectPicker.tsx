/**
 * The header's project list: shown once the registry holds more than one project (or the studio
 * was opened in one that is not the server's default). Choosing one loads the studio in it.
 */
import { useEffect, useState } from 'react';
import { api } from './api';
import { projectFromLocation, projectHref } from './project';

type Projects = Awaited<ReturnType<typeof api.projects>>;

export function ProjectPicker({ tick }: { tick: number }): React.JSX.Element | null {
  const [projects, setProjects] = useState<Projects>();
  useEffect(() => {
    let live = true;
    api.projects().then(
      (answer) => live && setProjects(answer),
      () => undefined, // (the header stays as it was; the next change asks again)
    );
    return () => {
      live = false;
    };
  }, [tick]);
  if (!projects) return null;
  const current = projectFromLocation() ?? projects.default;
  const items = projects.items.some((p) => p.id === current)
    ? projects.items
    : [...projects.items, { id: current, assets: 0 }];
  if (items.length < 2) return null;
  return (
    <label className="project-picker">
      Project{' '}
      <select
        value={current}
        onChange={(e) =>
          window.location.assign(
            projectHref(e.target.value === projects.default ? undefined : e.target.value),
          )
        }
      >
        {items.map((p) => (
          <option key={p.id} value={p.id}>
            {p.id} ({p.assets.toLocaleString('en')})
          </option>
        ))}
      </select>
    </label>
  );
}
