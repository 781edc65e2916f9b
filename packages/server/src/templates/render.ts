import type { Environment } from 'nunjucks';

/**
 * Rendering with nunjucks (Jinja2 syntax: `{% for %}`, `{{ x | join(',') }}`,
 * filters, macros). The environment has no loader, so a template reaches no
 * file (no include/import/extends) and no global beyond the data it is
 * given; autoescape is off (config files, not HTML); an undefined value in
 * `{{ }}` is an error (use `| default(...)`), so a missing key does not
 * silently render an empty setting.
 */
export type Render = (source: string, data: object, name: string) => string;

type Nunjucks = typeof import('nunjucks');

/** Load nunjucks (lazily: only nodes with templates pay for it) and make the renderer. */
export async function loadRenderer(): Promise<Render> {
  const mod = (await import('nunjucks')) as Nunjucks & { default?: Nunjucks };
  return createRenderer(mod.default ?? mod);
}

export function createRenderer(nunjucks: Nunjucks): Render {
  const env: Environment = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true });
  return (source, data, name) => {
    const template = new nunjucks.Template(source, env, name, true);
    return template.render(data);
  };
}
