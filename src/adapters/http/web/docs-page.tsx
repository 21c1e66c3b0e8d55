import { asset } from './asset-paths.js';
import { PageLayout } from './page-layout.js';

/** `/docs`: Swagger UI over `/openapi.json`, served from this origin (no CDN). */
export function DocsPage() {
  return (
    <PageLayout
      title="social-integrations API"
      classicScripts={[asset('swagger-ui/swagger-ui-bundle.js')]}
      scripts={[asset('docs.js')]}
      stylesheets={[asset('swagger-ui/swagger-ui.css')]}
    >
      <main id="swagger-ui">
        <p>Loading the API description from /openapi.json…</p>
      </main>
    </PageLayout>
  );
}
