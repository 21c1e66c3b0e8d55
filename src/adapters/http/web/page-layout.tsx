import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

export interface PageProps {
  readonly title: string;
  /** Same-origin module scripts, so a strict Content-Security-Policy can allow them by origin. */
  readonly scripts: readonly string[];
  /** Same-origin classic scripts (UMD bundles), run deferred before the modules. */
  readonly classicScripts?: readonly string[];
  readonly stylesheets: readonly string[];
  readonly children?: Child;
}

/** The HTML document every browser page shares: no inline script or style. */
export function PageLayout({ title, scripts, classicScripts = [], stylesheets, children }: PageProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>{title}</title>
          {/* No favicon: an empty one spares a request that would only answer 404. */}
          <link rel="icon" href="data:," />
          {stylesheets.map((href) => (
            <link rel="stylesheet" href={href} />
          ))}
          {classicScripts.map((src) => (
            <script defer src={src} />
          ))}
          {scripts.map((src) => (
            <script type="module" src={src} />
          ))}
        </head>
        <body>{children}</body>
      </html>
    </>
  );
}
