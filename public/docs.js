// @ts-check
const OPENAPI_PATH = '/openapi.json';

/** @type {{ SwaggerUIBundle?: (options: Record<string, unknown>) => unknown }} */
const swagger = /** @type {never} */ (window);
const root = /** @type {HTMLElement} */ (document.getElementById('swagger-ui'));

if (swagger.SwaggerUIBundle === undefined) {
  root.textContent = `Swagger UI did not load. The API description is still at ${OPENAPI_PATH}.`;
} else {
  swagger.SwaggerUIBundle({
    url: OPENAPI_PATH,
    domNode: root,
    deepLinking: true,
    // Swagger UI would otherwise send the document to validator.swagger.io.
    validatorUrl: null,
  });
}
