/**
 * The project the studio shows: `?project=<id>` in the page's address (`/?project=dlc#/?tag=hero`),
 * none for the server's default. In the address rather than the hash, so that every view (the
 * gallery, an asset's details) is in it, and a change of project loads the studio afresh: no
 * filter, page or selection of one project is carried into another.
 */
export const projectFromLocation = (): string | undefined =>
  new URLSearchParams(window.location.search).get('project')?.trim() || undefined;

/** The studio's address in a project (the default's: no parameter), at the gallery without filters. */
export function projectHref(project: string | undefined): string {
  const params = new URLSearchParams(window.location.search);
  if (project) params.set('project', project);
  else params.delete('project');
  const search = params.toString();
  return `${window.location.pathname}${search ? `?${search}` : ''}#/`;
}
