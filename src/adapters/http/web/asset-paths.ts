/** Where the runtime serves the files of `public/` (and Swagger UI's bundle under `swagger-ui/`). */
export const ASSETS_PATH = '/assets';

export const asset = (file: string) => `${ASSETS_PATH}/${file}`;

/** The two Swagger UI files `/docs` loads; nothing else of the package is served. */
export const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;
